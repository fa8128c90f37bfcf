"""Sending DMs from listeners.

A message a change causes is queued in the change's transaction (`enqueue_dm`) and
posted right after it commits (`deliver_queued`); what Slack does not take then, the
delivery worker posts later (bot/delivery.py), once. `send_dm` posts at once and only
logs a failure: for answers to the person acting, which are worth nothing later."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.delivery import deliver
from bot.runtime import Runtime
from bot.services import outbox

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Notice:
    """A DM a change causes, as plain values (built by a pure function of its result)."""

    to: str
    text: str
    blocks: list[dict[str, Any]] | None
    purpose: str


@dataclass(frozen=True)
class Queued:
    """A DM saved in the outbox, to `to` (a Slack user id)."""

    id: uuid.UUID
    to: str


def enqueue_dm(
    db: Session,
    slack_user_id: str,
    text: str,
    blocks: list[dict[str, Any]] | None = None,
    *,
    purpose: str,
    now: datetime,
    key: str | None = None,
) -> Queued:
    """Queue a DM in `db`'s transaction: it is posted once that transaction commits
    (call `deliver_queued` after the commit), or later if Slack is down. With `key`
    (e.g. a reminder's ledger claim) it is queued once per key and person: a sweep that
    died after queueing it and is taken over finds it queued."""
    message_id = outbox.enqueue(
        db,
        to=slack_user_id,
        text=text,
        blocks=blocks,
        purpose=purpose,
        now=now,
        dedupe_key=f"{key}/{slack_user_id}" if key else None,
    )
    return Queued(message_id, slack_user_id)


def enqueue_notices(db: Session, notices: Iterable[Notice], *, now: datetime) -> list[Queued]:
    """`enqueue_dm` for each of `notices`, in `db`'s transaction."""
    return [enqueue_dm(db, n.to, n.text, n.blocks, purpose=n.purpose, now=now) for n in notices]


def deliver_queued(client: WebClient, runtime: Runtime, queued: Iterable[Queued]) -> list[str]:
    """Post the DMs just queued and committed; returns the Slack ids of the people whose
    DM Slack did not take yet (the delivery worker will post it), each once."""
    waiting = list(queued)
    if not waiting:
        return []
    report = deliver(runtime, client, only=[q.id for q in waiting])
    not_sent = set(report.waiting) | set(report.dead)
    return list(dict.fromkeys(q.to for q in waiting if q.id in not_sent))


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
