"""Resolve who sent each Slack request, once, before any listener runs."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.runtime import Runtime
from bot.services import roster
from models import User

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Actor:
    """The person behind a request, as plain values safe to pass between threads."""

    id: uuid.UUID
    slack_user_id: str
    name: str
    is_admin: bool
    timezone: str | None

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(user.id, user.slack_user_id, user.name, user.is_admin, user.timezone)


def fetch_profile(client: WebClient, slack_user_id: str) -> dict[str, Any] | None:
    """`users.info` for this person, or None when Slack can't say (never raises)."""
    try:
        response = client.users_info(user=slack_user_id)
    except SlackApiError as exc:
        log.warning("users.info failed for %s: %s", slack_user_id, exc.response.get("error"))
        return None
    except Exception:  # network trouble must not block the request itself
        log.warning("users.info failed for %s", slack_user_id, exc_info=True)
        return None
    user = response.get("user")
    return user if isinstance(user, dict) else None


def make_middleware(runtime: Runtime):  # type: ignore[no-untyped-def]
    """Bolt middleware that puts `actor` and `runtime` into every listener's context."""

    def attach_actor(context: BoltContext, client: WebClient, next: Any) -> Any:
        context["runtime"] = runtime
        slack_user_id = context.user_id
        if slack_user_id:
            with runtime.db() as db:
                user = roster.ensure_user(
                    db,
                    slack_user_id=slack_user_id,
                    team_id=context.team_id or "",
                    admin_ids=runtime.settings.mentorbot_admins,
                    fetch_profile=lambda: fetch_profile(client, slack_user_id),
                )
                context["actor"] = Actor.of(user)
        return next()

    return attach_actor
