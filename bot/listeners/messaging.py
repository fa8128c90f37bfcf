"""Sending DMs from listeners: the state is already saved, so a Slack failure is
logged and reported, never raised (and never rolls anything back)."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)


def send_dm(
    client: WebClient, slack_user_id: str, text: str, blocks: list[dict[str, Any]] | None = None
) -> dict[str, str] | None:
    """DM `slack_user_id`; returns {"channel", "ts"} of the message, or None if Slack
    refused (the reason is logged)."""
    return post_message(client, slack_user_id, text, blocks)


def post_message(
    client: WebClient, channel: str, text: str, blocks: list[dict[str, Any]] | None = None
) -> dict[str, str] | None:
    """Post to a channel (or a user id: their DM); {"channel", "ts"}, or None if Slack
    refused (the reason is logged)."""
    try:
        response = client.chat_postMessage(channel=channel, text=text, blocks=blocks)
    except Exception:
        log.warning("could not post to %s", channel, exc_info=True)
        return None
    return {"channel": str(response["channel"]), "ts": str(response["ts"])}


def replace_message(
    client: WebClient, channel: str, ts: str, text: str, blocks: list[dict[str, Any]] | None = None
) -> bool:
    """Replace a message the bot sent (e.g. buttons -> the outcome); False on failure."""
    try:
        client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks or [])
    except SlackApiError as exc:
        # Slack's refusal (the message was deleted, ...) says it all in one line.
        log.warning("could not update message %s in %s: %s", ts, channel, exc.response["error"])
        return False
    except Exception:
        log.warning("could not update message %s in %s", ts, channel, exc_info=True)
        return False
    return True
