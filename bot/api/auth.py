"""Who is calling: a bearer token, checked against the hashes kept (services/api_tokens)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.api.errors import ApiError
from bot.runtime import Runtime
from bot.services import acting, api_tokens, audit, records
from bot.services.api_tokens import Identity

bearer = HTTPBearer(
    auto_error=False,
    description="A person's token from `/mentor api-token` (their Slack rights), or a "
    "service token from `mentorbot api-tokens create` (its scopes).",
)


@dataclass(frozen=True)
class Caller:
    """The token's identity, with what an endpoint needs to act for it."""

    identity: Identity
    runtime: Runtime
    slack: WebClient

    @property
    def user_id(self) -> uuid.UUID | None:
        """The person acting, or None for a service token (the program acts)."""
        return self.identity.user_id

    def now(self) -> datetime:
        return self.runtime.now()

    @contextmanager
    def db(self, *, aggregates: bool = False) -> Iterator[Session]:
        """One transaction acting for this caller: its audit rows name the API client,
        and (on PostgreSQL) row-level security sees the caller's person. `aggregates`:
        the system counts over rows the person may not read (analytics), after the
        endpoint checked who may see the figures."""
        person = None if aggregates else self.identity.user_id
        with (
            audit.through_api(self.identity.client),
            acting.as_person(person),
            self.runtime.db() as db,
        ):
            yield db

    def require_scope(self, scope: str) -> None:
        """403 for a service token without `scope`; a person's own rights apply instead."""
        if self.user_id is None and scope not in self.identity.scopes:
            raise ApiError(
                403,
                f"This service token lacks the '{scope}' scope. An operator can make one "
                f"with it: mentorbot api-tokens create --name NAME --scope {scope}",
            )

    def see_assignment(self, assignment_id: uuid.UUID) -> None:
        """404 unless the caller may see this mentorship (before acting on it, so a
        stranger learns nothing of it, not even that it exists)."""
        with self.db() as db:
            records.assignment(
                db, viewer_id=self.user_id, assignment_id=assignment_id, now=self.now()
            )

    def person(self, doing: str) -> uuid.UUID:
        """The acting person, or 403: only a person can do this (accept, log, ...)."""
        if self.user_id is None:
            raise ApiError(
                403,
                f"Only a person can {doing}; a service token acts for no one. Use the "
                "person's own token (`/mentor api-token` in Slack).",
            )
        return self.user_id


def current_caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller:
    """The caller, or 401 without a valid token."""
    if credentials is None:
        raise ApiError(
            401,
            "Send a bearer token: `Authorization: Bearer mbt_...`. Get your own with "
            "`/mentor api-token` in Slack.",
        )
    runtime: Runtime = request.app.state.runtime
    with runtime.db() as db:
        identity = api_tokens.authenticate(db, credentials.credentials, now=runtime.now())
    if identity is None:
        raise ApiError(
            401,
            "This token is not valid here: unknown, revoked, or its person has left. "
            "Make a new one with `/mentor api-token`.",
        )
    return Caller(identity, runtime, request.app.state.slack)


CallerDep = Annotated[Caller, Depends(current_caller)]
