"""The reminder sweep: find what is due, claim it, send it, record what happened.

`mentorbot reminders run`, `mentorbot scheduler` and the scheduler inside
`mentorbot serve` all run `run_sweep`. The database holds what is due and what was
sent (the `notifications` ledger), so any number of sweeps, restarts or crashes
send each reminder once:
  1. PostgreSQL: only one sweep at a time (`pg_try_advisory_lock`); a second one
     finds the lock taken and does nothing. The ledger's unique key stays the backstop.
  2. Select everything due (bot/services/reminders/), keep what falls in each
     recipient's working hours (the rest is held to their next working morning),
     claim it in the ledger and commit, so no other sweep can take it.
  3. Send each claim and record the outcome in its own transaction: sent; failed
     (Slack busy or down: a later sweep retries); dead (the person left Slack)."""

from __future__ import annotations

import logging
import urllib.error
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.blocks.reminders import RENDERERS
from bot.listeners.assignments import offer_next_suggestion
from bot.listeners.matching import nudge_manager_about_coverage
from bot.runtime import Runtime
from bot.services import ledger, program, reminders
from bot.services.ledger import Outcome
from bot.services.reminders import Due
from bot.services.working_hours import next_working_start

log = logging.getLogger(__name__)

#: pg_advisory_lock key of the sweep ("MNTRSWEP" as an int64), the same in every process.
SWEEP_LOCK_KEY = 0x4D4E5452_53574550 & 0x7FFFFFFFFFFFFFFF
#: Slack errors that mean the person is gone for good.
RECIPIENT_GONE = frozenset({"user_not_found", "account_inactive"})
#: Slack errors that mean "try again later".
TRANSIENT_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)

Deliverer = Callable[[WebClient, Runtime, Due], Outcome]

#: The most reminders one sweep claims. Slack lets an app post about one message a
#: second per conversation and a few hundred a minute per workspace, so a sweep every
#: few minutes cannot send many more than this; a claim beyond what it can send would
#: only sit in the ledger while the sweep works through the rest. What is left waits
#: for the next sweeps, in `reminders.PRIORITY` order.
CLAIMS_PER_SWEEP = 2_000


@dataclass(frozen=True)
class Delivery:
    """One reminder this sweep tried to send, and how it ended."""

    kind: str
    recipient_name: str
    recipient_slack_id: str
    period: str
    status: str  # sent | failed | dead
    error: str | None = None


@dataclass
class ClaimedBatch:
    """What one sweep found and took."""

    due: int = 0
    #: Each held reminder with when it goes out; only when the caller asked to list them.
    held: list[tuple[Due, datetime]] = field(default_factory=list)
    #: Kind -> how many reminders are held for their recipient's working hours.
    held_counts: Counter[str] = field(default_factory=Counter)
    claimed: list[tuple[ledger.Claim, Due]] = field(default_factory=list)
    already_handled: int = 0
    #: Due and sendable, but over this sweep's claim limit: the next sweeps take them.
    deferred: int = 0


@dataclass
class SweepReport:
    now: datetime
    ran: bool = True  # False when another sweep held the lock
    due: int = 0
    held: list[tuple[Due, datetime]] = field(default_factory=list)
    held_counts: Counter[str] = field(default_factory=Counter)
    already_handled: int = 0
    deferred: int = 0
    deliveries: list[Delivery] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for d in self.deliveries if d.status == status)

    def summary(self) -> str:
        if not self.ran:
            return "another sweep is running; this one did nothing"
        return (
            f"{self.count('sent')} sent, {self.count('failed')} failed (retried later), "
            f"{self.count('dead')} dropped, {self.held_counts.total()} held for working hours, "
            f"{self.already_handled} already sent or in progress"
            + (f", {self.deferred} left for the next sweep" if self.deferred else "")
        )


def claim_due(
    db: Session, *, now: datetime, list_held: bool = True, limit: int = CLAIMS_PER_SWEEP
) -> ClaimedBatch:
    """Steps 2 of the sweep, in the caller's transaction: select what is due, hold what
    falls outside its recipient's working hours, claim the rest, at most `limit` of
    them (in `reminders.PRIORITY` order; the others are counted as deferred). Held
    reminders are counted per kind, and listed one by one only if `list_held` (a
    person reading the sweep's output wants names; the scheduler only logs the counts,
    and at tens of thousands of held check-ins, listing them would cost most of the
    sweep)."""
    context = reminders.DueContext(
        db, program.load(db), now, skip_settled=True, count_held=not list_held, limit=limit
    )
    day = context.day
    batch = ClaimedBatch()
    sendable: dict[ledger.Key, Due] = {}
    # Per timezone, not per reminder: a sweep can find a hundred thousand of them.
    resumes: dict[str | None, datetime] = {}
    for due in reminders.collect_due(context):
        batch.due += 1
        timezone = due.recipient.timezone
        if timezone not in resumes:
            resumes[timezone] = next_working_start(now, timezone, day)
        if resumes[timezone] == now:
            sendable.setdefault(due.key, due)
        else:
            batch.held_counts[due.kind] += 1
            if list_held:
                batch.held.append((due, resumes[timezone]))
    ordered = list(sendable.values())  # found in the order to claim them in
    # What the ledger already settled is only known by trying (unless a finder left it
    # out), so claim in rounds until `limit` are won or nothing is left to try.
    tried = 0
    while len(batch.claimed) < limit and tried < len(ordered):
        chunk = ordered[tried : tried + limit - len(batch.claimed)]
        tried += len(chunk)
        wanted = [ledger.Wanted(due.key, due.recipient.user_id) for due in chunk]
        claims = ledger.claim_many(db, wanted, now=now)
        batch.claimed.extend((claim, sendable[claim.key]) for claim in claims)
        batch.already_handled += len(chunk) - len(claims)
    batch.already_handled += context.settled
    batch.deferred = len(ordered) - tried + context.deferred.total()
    batch.due += context.settled + context.held.total() + context.deferred.total()
    batch.held_counts.update(context.held)
    return batch


def run_sweep(
    runtime: Runtime,
    client: WebClient,
    *,
    now: datetime | None = None,
    use_lock: bool = True,
    list_held: bool = True,
    limit: int = CLAIMS_PER_SWEEP,
) -> SweepReport:
    """One sweep as if at `now` (default: the runtime's clock). Never raises for a
    single reminder's trouble: each outcome is recorded and the sweep goes on.
    `list_held=False` reports held reminders as counts per kind only; `limit` caps the
    claims (see `claim_due`)."""
    now = now or runtime.now()
    engine: Engine = runtime.session_factory.kw["bind"]
    with sweep_lock(engine, enabled=use_lock) as acquired:
        if not acquired:
            return SweepReport(now, ran=False)
        with runtime.db() as db:
            batch = claim_due(db, now=now, list_held=list_held, limit=limit)
        report = SweepReport(now, due=batch.due, held=batch.held, held_counts=batch.held_counts)
        report.already_handled = batch.already_handled
        report.deferred = batch.deferred
        for claim, due in batch.claimed:
            report.deliveries.append(_deliver(runtime, client, claim, due, now))
    return report


def _deliver(
    runtime: Runtime, client: WebClient, claim: ledger.Claim, due: Due, now: datetime
) -> Delivery:
    deliver = DELIVERERS.get(due.kind, post_reminder_dm)
    try:
        outcome = deliver(client, runtime, due)
    except Exception as exc:
        outcome = outcome_of(exc)
        if outcome.status == "rejected":
            log.exception("reminder %s to %s failed", due.kind, due.recipient.slack_user_id)
    try:
        with runtime.db() as db:
            status = ledger.record(db, claim, outcome, now=now)
    except Exception:
        # The claim keeps its lease and a later sweep takes it over.
        log.exception("could not record the outcome of reminder %s", claim.id)
        status = "failed"
    if status != "sent":
        log.warning(
            "reminder %s to %s: %s (%s)",
            due.kind,
            due.recipient.slack_user_id,
            status,
            outcome.error,
        )
    return Delivery(
        due.kind,
        due.recipient.name,
        due.recipient.slack_user_id,
        due.period,
        status,
        outcome.error,
    )


def post_reminder_dm(client: WebClient, runtime: Runtime, due: Due) -> Outcome:
    """The default delivery: the kind's message from bot/blocks/reminders.py, by DM.
    Raises what the Slack client raises; the sweep turns it into an Outcome."""
    text_, blocks = RENDERERS[due.kind](due)
    client.chat_postMessage(channel=due.recipient.slack_user_id, text=text_, blocks=blocks)
    return ledger.SENT


def offer_fallback(client: WebClient, runtime: Runtime, due: Due) -> Outcome:
    """A request unanswered at the fallback time: the manager gets the next suggestion."""
    sent = offer_next_suggestion(client, runtime, uuid.UUID(due.facts["assignment_id"]))
    return ledger.SENT if sent else NOT_DELIVERED


def nudge_about_coverage(client: WebClient, runtime: Runtime, due: Due) -> Outcome:
    """A new hire still without a mentor: their manager gets suggestions to assign."""
    sent = nudge_manager_about_coverage(client, runtime, uuid.UUID(due.facts["mentee_id"]))
    return ledger.SENT if sent else NOT_DELIVERED


#: Those deliveries log Slack's errors and say only whether a DM went out: a few more
#: tries (the ledger's rejection limit), and only while the finder still finds it due.
NOT_DELIVERED = Outcome("rejected", "no DM delivered")

#: Due.kind -> how it is delivered, for kinds that are not a plain reminder DM.
DELIVERERS: dict[str, Deliverer] = {
    "request_fallback": offer_fallback,
    "coverage": nudge_about_coverage,
}


def outcome_of(exc: BaseException) -> Outcome:
    """Classify a failed send: retry later, the person is gone, or Slack refused it."""
    if isinstance(exc, SlackApiError):
        response = exc.response
        error = str(response.get("error") or "") if response is not None else ""
        status = response.status_code if response is not None else 0
        if error in RECIPIENT_GONE:
            return Outcome("gone", error)
        if status == 429 or status >= 500 or error in TRANSIENT_ERRORS:
            return Outcome("retry", error or f"HTTP {status}", _retry_after(response))
        return Outcome("rejected", error or f"HTTP {status}")
    if isinstance(exc, urllib.error.URLError | TimeoutError | ConnectionError):
        return Outcome("retry", f"network: {exc}")
    return Outcome("rejected", f"{type(exc).__name__}: {exc}")


def _retry_after(response: object) -> float | None:
    headers = getattr(response, "headers", None) or {}
    for name, value in dict(headers).items():
        if str(name).lower() == "retry-after":
            try:
                return float(value[0] if isinstance(value, list) else value)
            except (TypeError, ValueError):
                return None
    return None


@contextmanager
def sweep_lock(engine: Engine, *, enabled: bool = True) -> Iterator[bool]:
    """On PostgreSQL, hold the sweep's advisory lock for the block (yields False when
    another sweep has it). On SQLite there is one process and the ledger's key suffices."""
    if not enabled or engine.dialect.name != "postgresql":
        yield True
        return
    with engine.connect() as connection:
        acquired = bool(
            connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": SWEEP_LOCK_KEY}
            ).scalar()
        )
        connection.commit()
        try:
            yield acquired
        finally:
            if acquired:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": SWEEP_LOCK_KEY})
                connection.commit()
