"""The notification ledger: each reminder is claimed in the database before it is sent.

A reminder's key is (kind, target, period), unique in `notifications`. A claim is
an INSERT that only one sweep can win; the winner sends, then records the outcome:
  claimed -> sent
  claimed -> failed (retried by a later sweep once `next_attempt_at` has passed)
  claimed -> dead   (the recipient left Slack, or Slack keeps refusing the message)
A sweep renews its claims' lease while it works (`renew`), so a claim still `claimed`
after CLAIM_LEASE belongs to a sweep that died: a later sweep takes it over within a
minute, so a crash never drops a reminder. Since the dead sweep may have sent it
before recording it, the claim is then `in_doubt`, and the new sweep looks for it in
Slack before sending (bot/delivery.py), so a crash never repeats one either."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, select, text, tuple_, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from bot.services import audit
from models import Notification, User
from models.types import UTCDateTime

#: How long a claim lasts unless its sweep renews it (`renew`); after that the sweep is
#: presumed dead and the claim is retaken.
CLAIM_LEASE = timedelta(minutes=1)
#: Retry backoff after a failed send: 5 min, 10, 20, ... at most an hour.
FIRST_RETRY = timedelta(minutes=5)
LONGEST_RETRY = timedelta(hours=1)
#: A message Slack refuses this many times for a reason that is not "try later" is dropped.
MAX_REJECTIONS = 5
#: Keys per INSERT statement when claiming many reminders at once (PostgreSQL).
CLAIM_BATCH = 20_000


@dataclass(frozen=True)
class Key:
    kind: str
    target: str
    period: str


@dataclass(frozen=True)
class Claim:
    """A reminder this sweep now owns and must send."""

    id: uuid.UUID
    key: Key
    attempts: int
    #: An earlier send of it may have reached Slack: look for it before sending.
    in_doubt: bool = False


@dataclass(frozen=True)
class Wanted:
    """A reminder a sweep would like to send."""

    key: Key
    recipient_user_id: uuid.UUID | None


@dataclass(frozen=True)
class Outcome:
    """What happened when a claimed reminder was sent.

    `status`: "sent"; "retry" (Slack busy or down: try again later); "gone" (the
    recipient left: never again); "rejected" (Slack refused this message).
    `maybe_posted`: the send failed in a way that may still have posted it (a timeout, a
    5xx), so before sending again, Slack is asked whether it has it."""

    status: str
    error: str | None = None
    retry_after: float | None = None
    maybe_posted: bool = False


SENT = Outcome("sent")


def claim_many(db: Session, wanted: Sequence[Wanted], *, now: datetime) -> list[Claim]:
    """Claim every reminder in `wanted` that nobody has sent or is sending; returns the
    claims this caller won (commit before sending, so other sweeps see them).

    New keys are inserted with ON CONFLICT DO NOTHING, so of two sweeps racing for a key
    exactly one gets the row. Keys already in the ledger are retaken only when their
    retry time (failed) or lease (claimed) has passed, with a conditional UPDATE that,
    again, only one sweep can win."""
    if not wanted:
        return []
    unique = {w.key: w for w in wanted}
    existing = _existing(db, unique)
    fresh = [w for key, w in unique.items() if key not in existing]
    claims = _insert_new(db, fresh, now)
    due_again = {
        row_id: key
        for key, (row_id, status, next_attempt_at) in existing.items()
        if status in ("claimed", "failed")
        and next_attempt_at is not None
        and next_attempt_at <= now  # type: ignore[operator]
    }
    claims.extend(
        Claim(row_id, due_again[row_id], attempts, in_doubt)
        for row_id, attempts, in_doubt in _retake(db, list(due_again), now)
    )
    db.flush()
    if claims:
        # The system's: one row per batch (the ledger rows say the rest, one a reminder).
        audit.record(
            db,
            actor_id=None,
            action="notifications.claimed",
            entity_type="notifications",
            entity_id=None,
            now=now,
            claimed=len(claims),
        )
    return claims


def _existing(
    db: Session, wanted: dict[Key, Wanted]
) -> dict[Key, tuple[uuid.UUID, str, datetime | None]]:
    """Ledger rows for these keys. Queried by (kind, period), which is a handful of
    pairs, so the lookup stays one indexed query however many targets there are
    (PostgreSQL: by the exact keys, sent as arrays, so a big ledger is not read back)."""
    if db.get_bind().dialect.name == "postgresql":
        return _existing_by_key(db, list(wanted))
    pairs = {(k.kind, k.period) for k in wanted}
    found: dict[Key, tuple[uuid.UUID, str, datetime | None]] = {}
    pair_list = sorted(pairs)
    for start in range(0, len(pair_list), 500):
        chunk = pair_list[start : start + 500]
        rows = db.execute(
            select(
                Notification.id,
                Notification.kind,
                Notification.target,
                Notification.period,
                Notification.status,
                Notification.next_attempt_at,
            ).where(tuple_(Notification.kind, Notification.period).in_(chunk))
        )
        for row_id, kind, target, period, status, next_attempt_at in rows:
            key = Key(kind, target, period)
            if key in wanted:
                found[key] = (row_id, status, next_attempt_at)
    return found


#: One probe of the unique key per wanted key (the LIMIT keeps the planner from turning
#: it into a sort of the whole ledger, which it does when its statistics are stale).
_EXISTING_BY_KEY = text(
    """
    SELECT n.id, n.kind, n.target, n.period, n.status, n.next_attempt_at
    FROM unnest(CAST(:kinds AS text[]), CAST(:targets AS text[]), CAST(:periods AS text[]))
        AS wanted(k, t, p)
    CROSS JOIN LATERAL (
        SELECT * FROM notifications
        WHERE kind = wanted.k AND target = wanted.t AND period = wanted.p
        LIMIT 1
    ) AS n
    """
).columns(next_attempt_at=UTCDateTime())


def _existing_by_key(
    db: Session, keys: list[Key]
) -> dict[Key, tuple[uuid.UUID, str, datetime | None]]:
    found: dict[Key, tuple[uuid.UUID, str, datetime | None]] = {}
    for start in range(0, len(keys), CLAIM_BATCH):
        chunk = keys[start : start + CLAIM_BATCH]
        rows = db.execute(
            _EXISTING_BY_KEY,
            {
                "kinds": [k.kind for k in chunk],
                "targets": [k.target for k in chunk],
                "periods": [k.period for k in chunk],
            },
        )
        for row_id, kind, target, period, status, next_attempt_at in rows:
            found[Key(kind, target, period)] = (row_id, status, next_attempt_at)
    return found


def _insert_new(db: Session, fresh: list[Wanted], now: datetime) -> list[Claim]:
    if not fresh:
        return []
    if db.get_bind().dialect.name == "postgresql":
        return _insert_new_unnest(db, fresh, now)
    statement = (
        sqlite.insert(Notification)
        .on_conflict_do_nothing(index_elements=["kind", "target", "period"])
        .returning(Notification.id, Notification.kind, Notification.target, Notification.period)
    )
    rows = [
        {
            "id": uuid.uuid4(),
            "kind": w.key.kind,
            "target": w.key.target,
            "period": w.key.period,
            "recipient_user_id": w.recipient_user_id,
            "status": "claimed",
            "attempts": 1,
            "claimed_at": now,
            "next_attempt_at": now + CLAIM_LEASE,
        }
        for w in fresh
    ]
    result = db.connection().execute(statement, rows)
    return [Claim(row_id, Key(kind, target, period), 1) for row_id, kind, target, period in result]


#: PostgreSQL: the keys travel as four arrays in one statement, however many there are.
_UNNEST_CLAIM = text(
    """
    INSERT INTO notifications
        (kind, target, period, recipient_user_id, status, attempts, claimed_at, next_attempt_at)
    SELECT k, t, p, r, 'claimed', 1, :now, :lease_end
    FROM unnest(CAST(:kinds AS text[]), CAST(:targets AS text[]), CAST(:periods AS text[]),
                CAST(:recipients AS uuid[])) AS wanted(k, t, p, r)
    ON CONFLICT (kind, target, period) DO NOTHING
    RETURNING id, kind, target, period
    """
)


def _insert_new_unnest(db: Session, fresh: list[Wanted], now: datetime) -> list[Claim]:
    claims: list[Claim] = []
    for start in range(0, len(fresh), CLAIM_BATCH):
        chunk = fresh[start : start + CLAIM_BATCH]
        result = db.execute(
            _UNNEST_CLAIM,
            {
                "now": now,
                "lease_end": now + CLAIM_LEASE,
                "kinds": [w.key.kind for w in chunk],
                "targets": [w.key.target for w in chunk],
                "periods": [w.key.period for w in chunk],
                "recipients": [w.recipient_user_id for w in chunk],
            },
        )
        claims.extend(Claim(row_id, Key(k, t, p), 1) for row_id, k, t, p in result)
    return claims


def _retake(
    db: Session, row_ids: list[uuid.UUID], now: datetime
) -> list[tuple[uuid.UUID, int, bool]]:
    """Take over failed (or abandoned) claims, one UPDATE per batch: (id, attempts, in
    doubt) of each row won; an abandoned claim (still `claimed`) is in doubt. A row
    another sweep took first no longer matches (it is sent, or claimed with a lease
    that ends after `now`), so it is left out."""
    won: list[tuple[uuid.UUID, int, bool]] = []
    for start in range(0, len(row_ids), CLAIM_BATCH):
        won.extend(_retake_batch(db, row_ids[start : start + CLAIM_BATCH], now))
    return won


def _retake_batch(
    db: Session, row_ids: list[uuid.UUID], now: datetime
) -> list[tuple[uuid.UUID, int, bool]]:
    if not row_ids:
        return []
    result = db.execute(
        update(Notification)
        .where(
            Notification.id.in_(row_ids),
            Notification.status.in_(("claimed", "failed")),
            Notification.next_attempt_at <= now,
        )
        .values(
            status="claimed",
            attempts=Notification.attempts + 1,
            claimed_at=now,
            next_attempt_at=now + CLAIM_LEASE,
            in_doubt=or_(Notification.in_doubt, Notification.status == "claimed"),
        )
        .returning(Notification.id, Notification.attempts, Notification.in_doubt)
        .execution_options(synchronize_session=False)
    )
    return [(row_id, int(attempts), bool(in_doubt)) for row_id, attempts, in_doubt in result]


def record(db: Session, claim: Claim, outcome: Outcome, *, now: datetime) -> str:
    """Record how the send of `claim` went; returns the ledger status it ends in."""
    values: dict[str, object] = {"in_doubt": False}
    if outcome.status == "sent":
        values |= {"status": "sent", "sent_at": now, "next_attempt_at": None, "last_error": None}
    elif outcome.status == "gone" or (
        outcome.status == "rejected" and claim.attempts >= MAX_REJECTIONS
    ):
        values |= {"status": "dead", "next_attempt_at": None, "last_error": outcome.error}
    else:
        values |= {
            "status": "failed",
            "next_attempt_at": retry_time(claim.attempts, now, outcome.retry_after),
            "last_error": outcome.error,
            # Still in doubt if it was and Slack could not be asked (the lookup failed).
            "in_doubt": outcome.maybe_posted or claim.in_doubt,
        }
    db.execute(
        update(Notification)
        .where(Notification.id == claim.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return str(values["status"])


def retry_time(
    attempts: int,
    now: datetime,
    retry_after: float | None = None,
    *,
    first: timedelta = FIRST_RETRY,
    longest: timedelta = LONGEST_RETRY,
) -> datetime:
    """When a failed send is tried again: doubling backoff from `first` up to `longest`,
    never before Slack's Retry-After."""
    backoff = min(first * (2 ** max(attempts - 1, 0)), longest)
    if retry_after is not None:
        backoff = max(backoff, timedelta(seconds=retry_after))
    return now + backoff


def renew(db: Session, claims: Sequence[Claim], *, until: datetime) -> None:
    """The sweep's heartbeat: its claims not yet recorded stay its own until `until`."""
    ids = [claim.id for claim in claims]
    for start in range(0, len(ids), 1000):
        db.execute(
            update(Notification)
            .where(Notification.id.in_(ids[start : start + 1000]), Notification.status == "claimed")
            .values(next_attempt_at=until)
            .execution_options(synchronize_session=False)
        )


def settled_clause(now: datetime) -> ColumnElement[bool]:
    """A ledger row that settles its reminder at `now`: sent, dead, or claimed or
    failed and not yet due to be taken again (a claim whose sweep died is not)."""
    return or_(
        Notification.status.in_(("sent", "dead")),
        and_(
            Notification.status.in_(("claimed", "failed")),
            Notification.next_attempt_at > now,
        ),
    )


def settled(db: Session, keys: Iterable[Key], *, now: datetime) -> set[Key]:
    """Of `keys`, those whose reminder the ledger settles at `now` (`settled_clause`)."""
    wanted = {k: Wanted(k, None) for k in keys}
    return {
        key
        for key, (_, status, next_attempt_at) in _existing(db, wanted).items()
        if status in ("sent", "dead") or (next_attempt_at is not None and next_attempt_at > now)
    }


def release(db: Session, claims: Sequence[Claim], *, now: datetime) -> None:
    """Give claims back unsent, as if never taken: the next sweep may take them at once
    (the sweep stopped: our token is dead, or someone it was about to remind left).
    A claim whose recipient has left since is dead instead."""
    ids = [claim.id for claim in claims]
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        departed = select(User.id).where(User.deactivated_at.is_not(None))
        db.execute(
            update(Notification)
            .where(
                Notification.id.in_(chunk),
                Notification.status == "claimed",
                Notification.recipient_user_id.in_(departed),
            )
            .values(status="dead", next_attempt_at=None, last_error="the recipient left")
            .execution_options(synchronize_session=False)
        )
        db.execute(
            update(Notification)
            .where(Notification.id.in_(chunk), Notification.status == "claimed")
            .values(status="failed", next_attempt_at=now, attempts=Notification.attempts - 1)
            .execution_options(synchronize_session=False)
        )


def statuses(db: Session, keys: Iterable[Key]) -> dict[Key, str]:
    """The ledger status of each key that has a row (for reports and tests)."""
    wanted = {k: Wanted(k, None) for k in keys}
    return {key: status for key, (_, status, _) in _existing(db, wanted).items()}
