"""The PRD's REST API under `/api`: one router module per resource, each a thin edge
like a Slack listener (parse -> one service call -> render), acting through the
caller's bearer token with the same services, rules and Slack conversation."""

from __future__ import annotations

from fastapi import FastAPI

from bot.api import analytics, assignments, audit, errors, limits, mentors, milestones, sessions

DESCRIPTION = (
    "MentorBot's REST API (PRD-255). Authenticate with `Authorization: Bearer <token>`: "
    "a person's own token from `/mentor api-token` acts with their Slack rights; a "
    "service token from `mentorbot api-tokens create` acts for a system within its scopes. "
    "Errors are JSON `{error, message, fields}`. Lists take `limit` and `offset`. "
    "Instants are ISO 8601 with an offset."
)

#: Order matters where paths overlap: `/mentors/matches` before `/mentors/{id}`.
ROUTERS = [mentors, assignments, sessions, milestones, analytics, audit]


def mount(web: FastAPI) -> None:
    """Add every resource's routes, the error shapes and the body limit to `web`."""
    errors.install(web)
    limits.install(web)
    for module in ROUTERS:
        web.include_router(module.router, prefix="/api", responses=errors.ERROR_RESPONSES)
