"""The outbox: a Slack message a change causes is saved in the change's transaction
(`enqueue`), then claimed, posted and recorded by the delivery worker (bot/delivery.py).

A row's life: pending -> sending (claimed under a short lease) -> sent, or back to
pending with a later `next_attempt_at` when Slack was busy or down, or dead when Slack
refuses the message itself. A claim whose lease ran out belongs to a sender that died;
the next worker takes it over, and since that sender may have posted before dying, the
row is then `in_doubt`: the worker looks for it in Slack before posting again."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from bot.services import ledger
from models import OutboxMessage

#: How long a sender may hold a message: one post (10 s timeout, one reconnect) fits
#: well within it, and a dead sender's message is taken over within a minute.
LEASE = timedelta(seconds=60)
#: Retry backoff after a failed post: 10 s, 20 s, 40 s, ... at most 10 minutes, so a
#: Slack outage of a minute delays a notification by about a minute, not by hours.
FIRST_RETRY = timedelta(seconds=10)
LONGEST_RETRY = timedelta(minutes=10)


@dataclass(frozen=True)
class Claimed:
    """A message this worker now holds and must post (or find already posted)."""

    id: uuid.UUID
    channel: str
    text: str
    blocks: list[dict[str, Any]] | None
    attempts: int
    in_doubt: bool
    created_at: datetime


def enqueue(
    db: Session,
    *,
    to: str,
    text: str,
    blocks: list[dict[str, Any]] | None = None,
    purpose: str,
    now: datetime,
    dedupe_key: str | None = None,
) -> uuid.UUID:
    """Save a message to `to` (a Slack user id: their DM) in the caller's transaction;
    it is sent once that transaction commits. Returns its id. With `dedupe_key`, a
    message already enqueued under that key is not enqueued again: its id is returned."""
    if dedupe_key is not None:
        exists = db.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key))
        if exists is not None:
            return exists
    message = OutboxMessage(
        id=uuid.uuid4(),
        purpose=purpose,
        dedupe_key=dedupe_key,
        channel=to,
        text=text,
        blocks=blocks or None,
        status="pending",
        attempts=0,
        in_doubt=False,
        created_at=now,
        next_attempt_at=now,
    )
    db.add(message)
    db.flush()
    return message.id


def due_ids(
    db: Session, *, now: datetime, only: Sequence[uuid.UUID] | None = None, limit: int = 500
) -> list[uuid.UUID]:
    """Messages a worker may claim now, oldest first: pending and due, or held by a
    sender whose lease ended (`only`: among these)."""
    query = (
        select(OutboxMessage.id)
        .where(_claimable(now))
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
        .limit(limit)
    )
    if only is not None:
        query = query.where(OutboxMessage.id.in_(list(only)))
    return list(db.scalars(query))


def _claimable(now: datetime) -> Any:
    return and_(
        OutboxMessage.status.in_(("pending", "sending")), OutboxMessage.next_attempt_at <= now
    )


def claim(db: Session, message_id: uuid.UUID, *, now: datetime) -> Claimed | None:
    """Take `message_id` for `LEASE` if nobody holds it (commit before posting); None
    when another worker has it or it is settled. One conditional UPDATE, which only
    one of two racing workers can win. Taking over an expired `sending` claim marks the
    message in doubt: its sender may have posted it before it died."""
    row = db.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, _claimable(now))
        .values(
            status="sending",
            attempts=OutboxMessage.attempts + 1,
            in_doubt=or_(OutboxMessage.in_doubt, OutboxMessage.status == "sending"),
            next_attempt_at=now + LEASE,
        )
        .returning(
            OutboxMessage.id,
            OutboxMessage.channel,
            OutboxMessage.text,
            OutboxMessage.blocks,
            OutboxMessage.attempts,
            OutboxMessage.in_doubt,
            OutboxMessage.created_at,
        )
        .execution_options(synchronize_session=False)
    ).one_or_none()
    return None if row is None else Claimed(*row)


def record_sent(db: Session, claimed: Claimed, *, channel: str, ts: str, now: datetime) -> None:
    """The message is in Slack at (`channel`, `ts`)."""
    _finish(
        db,
        claimed,
        status="sent",
        sent_at=now,
        sent_channel=channel,
        sent_ts=ts,
        next_attempt_at=None,
        in_doubt=False,
        last_error=None,
    )


def record_failure(
    db: Session,
    claimed: Claimed,
    *,
    error: str,
    now: datetime,
    retry: bool,
    maybe_posted: bool = False,
    retry_after: float | None = None,
) -> str:
    """A post that failed: tried again later (`retry`: Slack busy or down; doubling
    backoff, never before Retry-After), or, refused `ledger.MAX_REJECTIONS` times, dropped.
    `maybe_posted`: the post may have reached Slack (a timeout, a 5xx), so the next
    try looks for it first. Returns the status it ends in."""
    if not retry and claimed.attempts >= ledger.MAX_REJECTIONS:
        _finish(db, claimed, status="dead", next_attempt_at=None, last_error=error)
        return "dead"
    _finish(
        db,
        claimed,
        status="pending",
        next_attempt_at=ledger.retry_time(
            claimed.attempts, now, retry_after, first=FIRST_RETRY, longest=LONGEST_RETRY
        ),
        in_doubt=maybe_posted,
        last_error=error,
    )
    return "pending"


def record_dead(db: Session, claimed: Claimed, *, error: str) -> None:
    """Never to be sent: the recipient left Slack."""
    _finish(db, claimed, status="dead", next_attempt_at=None, last_error=error)


def give_back(db: Session, claimed: Claimed, *, now: datetime, error: str) -> None:
    """Unsent and not its fault (our token is refused): pending again, the attempt not
    counted, due at once for the first worker after Slack takes a token again."""
    _finish(
        db,
        claimed,
        status="pending",
        attempts=max(claimed.attempts - 1, 0),
        next_attempt_at=now,
        last_error=error,
    )


def _finish(db: Session, claimed: Claimed, **values: Any) -> None:
    # Only while this worker still holds it (status and attempts unchanged): a worker
    # that outlived its lease must not overwrite the outcome of the one that took over.
    db.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == claimed.id,
            OutboxMessage.status == "sending",
            OutboxMessage.attempts == claimed.attempts,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def statuses(db: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The status of each of these messages (what a listener tells the person)."""
    rows = db.execute(
        select(OutboxMessage.id, OutboxMessage.status).where(OutboxMessage.id.in_(list(ids)))
    )
    return {row_id: status for row_id, status in rows}
