"""Who sent a Slack request (resolved once per request by bot/listeners/profiles.py),
and what Slack's directory says about a person."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

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


def lookup_profile(client: WebClient, slack_user_id: str) -> dict[str, Any]:
    """`users.info` for this person. A person Slack no longer knows (`user_not_found`)
    comes back as a deleted account; any other refusal raises SlackApiError."""
    try:
        response = client.users_info(user=slack_user_id)
    except SlackApiError as exc:
        if exc.response.get("error") == "user_not_found":
            return {"id": slack_user_id, "deleted": True}
        raise
    user = response.get("user")
    return user if isinstance(user, dict) else {"id": slack_user_id}


def fetch_profile(client: WebClient, slack_user_id: str) -> dict[str, Any] | None:
    """`lookup_profile`, or None when Slack can't say (never raises)."""
    try:
        return lookup_profile(client, slack_user_id)
    except SlackApiError as exc:
        log.warning("users.info failed for %s: %s", slack_user_id, exc.response.get("error"))
    except Exception:  # network trouble must not block the request itself
        log.warning("users.info failed for %s", slack_user_id, exc_info=True)
    return None
