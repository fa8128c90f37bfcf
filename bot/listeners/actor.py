"""Resolve who sent each Slack request, once, before any listener runs."""

from __future__ import annotations

import logging
import uuid
from concurrent.futures import Executor
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


#: Events about a person rather than from them: that person is not the actor, and
#: a profile change anywhere in the workspace must not add them to the roster.
SUBJECT_EVENTS = frozenset({"team_join", "user_change"})


def refresh_profile(client: WebClient, runtime: Runtime, slack_user_id: str) -> bool:
    """Fetch the person's Slack profile and copy it into the roster; False when Slack
    couldn't say. Call it after the ack and after any `views.open`, never on the way
    to them: `users.info` may be rate limited, and the client then waits out Slack's
    Retry-After."""
    profile = fetch_profile(client, slack_user_id)
    if profile is None:
        return False
    with runtime.db() as db:
        roster.refresh_from_slack(db, slack_user_id, profile)
    return True


def make_middleware(runtime: Runtime, background: Executor):  # type: ignore[no-untyped-def]
    """Bolt middleware that puts `actor` and `runtime` into every listener's context.

    A first-contact person is created from the request alone, so the ack never waits
    for Slack; their profile (name, timezone) is fetched on `background` meanwhile."""

    def attach_actor(
        context: BoltContext, body: dict[str, Any], client: WebClient, next: Any
    ) -> Any:
        context["runtime"] = runtime
        slack_user_id = context.user_id
        event = body.get("event")
        event_type = event.get("type") if isinstance(event, dict) else None
        if slack_user_id and event_type not in SUBJECT_EVENTS:
            with runtime.db() as db:
                user = roster.ensure_user(
                    db,
                    slack_user_id=slack_user_id,
                    team_id=context.team_id or "",
                    admin_ids=runtime.settings.mentorbot_admins,
                )
                context["actor"] = Actor.of(user)
                profile_wanted = roster.needs_profile(user)
            if profile_wanted:
                background.submit(refresh_profile, client, runtime, slack_user_id)
        return next()

    return attach_actor
