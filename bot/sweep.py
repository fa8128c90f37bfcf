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
  3. Check with `users.info` the people it is about to remind whose account was not
     confirmed today (`check_accounts` in bot/listeners/departures.py; Slack delivers
     DMs to a deactivated account, so a sent DM proves nothing): a person who left is
     handled once, and what was claimed is claimed again without them.
  4. Send each claim and record the outcome in its own transaction: sent; failed
     (Slack busy or down: a later sweep retries); dead (the person left Slack).
     When Slack refuses OUR token, the sweep stops there: every claim not sent is
     given back untouched, nobody is marked, and /healthz reports it."""

from __future__ import annotations

import logging
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from slack_sdk import WebClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot import slack_health
from bot.blocks.reminders import RENDERERS
from bot.delivery import DeliveryReport, deliver, outcome_of, post_once
from bot.listeners.assignments import offer_next_suggestion
from bot.listeners.departures import check_accounts, handle_departure
from bot.listeners.matching import nudge_manager_about_coverage
from bot.runtime import Runtime
from bot.services import ledger, program, reminders, term
from bot.services.ledger import Outcome
from bot.services.reminders import Due
from bot.services.working_hours import next_working_start

log = logging.getLogger(__name__)

#: pg_advisory_lock key of the sweep ("MNTRSWEP" as an int64), the same in every process.
SWEEP_LOCK_KEY = 0x4D4E5452_53574550 & 0x7FFFFFFFFFFFFFFF

Deliverer = Callable[[WebClient, Runtime, Due, ledger.Claim], Outcome]

#: How often a sweep renews the lease of the claims it has not sent yet: well within
#: the ledger's one-minute lease, so only a dead sweep's claims run out.
HEARTBEAT_SECONDS = 15.0
#: How far back Slack's history is searched for a reminder in doubt: its send was
#: attempted under a claim whose lease (or retry backoff, at most an hour) has run out.
DOUBT_WINDOW = timedelta(days=1)

#: The most reminders one sweep claims. Slack lets an app post about one message a
#: second per conversation and a few hundred a minute per workspace, so a sweep every
#: few minutes cannot send many more than this; a claim beyond what it can send would
#: only sit in the ledger while the sweep works through the rest. What is left waits
#: for the next sweeps, in `reminders.PRIORITY` order.
CLAIMS_PER_SWEEP = 2_000

#: The most reminders one person gets from one sweep; the rest wait for the next sweeps,
#: minutes apart. Slack takes about one message a second per conversation with short
#: bursts: a mentor with twenty mentees due at once would get twenty DMs in a burst
#: that Slack throttles (429), and the sweep would wait out each Retry-After while
#: everyone behind them waits too. Two, so that even two sweeps racing (replicas
#: without the advisory lock) stay within a short burst.
PER_RECIPIENT_PER_SWEEP = 2


@dataclass(frozen=True)
class Delivery:
    """One reminder this sweep tried to send, and how it ended."""

    kind: str
    recipient_name: str
    recipient_slack_id: str
    period: str
    status: str  # sent | failed | dead | refused (our token: given back unsent)
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
    #: Slack's error when it refused our token and the sweep stopped there.
    stopped: str | None = None
    #: People the sweep found had left the workspace.
    departed: list[str] = field(default_factory=list)
    due: int = 0
    held: list[tuple[Due, datetime]] = field(default_factory=list)
    held_counts: Counter[str] = field(default_factory=Counter)
    already_handled: int = 0
    deferred: int = 0
    deliveries: list[Delivery] = field(default_factory=list)
    #: What the outbox's delivery worker did at the start of the sweep.
    outbox: DeliveryReport | None = None

    def count(self, status: str) -> int:
        return sum(1 for d in self.deliveries if d.status == status)

    def summary(self) -> str:
        if not self.ran:
            return "another sweep is running; this one did nothing"
        stopped = (
            f"stopped: Slack refused our token ({self.stopped}); nothing more is sent "
            "until it takes one again. "
            if self.stopped
            else ""
        )
        return stopped + (
            f"{self.count('sent')} sent, {self.count('failed')} failed (retried later), "
            f"{self.count('dead')} dropped, {self.held_counts.total()} held for working hours, "
            f"{self.already_handled} already sent or in progress"
            + (f", {self.deferred} left for the next sweep" if self.deferred else "")
            + (
                f"; outbox: {self.outbox.summary()}"
                if self.outbox and (self.outbox.sent or self.outbox.waiting)
                else ""
            )
        )


def claim_due(
    db: Session,
    *,
    now: datetime,
    list_held: bool = True,
    limit: int = CLAIMS_PER_SWEEP,
    kinds: tuple[str, ...] = (),
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
    for due in reminders.collect_due(context, kinds):
        batch.due += 1
        timezone = due.recipient.timezone
        if timezone not in resumes:
            resumes[timezone] = next_working_start(now, timezone, day)
        if due.any_hour or resumes[timezone] == now:
            sendable.setdefault(due.key, due)
        else:
            batch.held_counts[due.kind] += 1
            if list_held:
                batch.held.append((due, resumes[timezone]))
    ordered = list(sendable.values())  # found in the order to claim them in
    # What the ledger already settled is only known by trying (unless a finder left it
    # out), so claim in rounds until `limit` are won or nothing is left to try; each
    # round tries, per person, only as many as they may still get from this sweep.
    waiting, tried = ordered, 0
    claimed_for: Counter[str] = Counter()
    while len(batch.claimed) < limit and waiting:
        chunk: list[Due] = []
        later: list[Due] = []
        in_chunk: Counter[str] = Counter()
        wanted_now = limit - len(batch.claimed)
        for index, due in enumerate(waiting):
            if len(chunk) == wanted_now:
                later.extend(waiting[index:])
                break
            person = due.recipient.slack_user_id
            if claimed_for[person] + in_chunk[person] < PER_RECIPIENT_PER_SWEEP:
                in_chunk[person] += 1
                chunk.append(due)
            elif claimed_for[person] < PER_RECIPIENT_PER_SWEEP:
                later.append(due)  # a next round, if some of this one are settled
        if not chunk:
            break
        tried += len(chunk)
        wanted = [ledger.Wanted(due.key, due.recipient.user_id) for due in chunk]
        claims = ledger.claim_many(db, wanted, now=now)
        for claim in claims:
            batch.claimed.append((claim, sendable[claim.key]))
            claimed_for[sendable[claim.key].recipient.slack_user_id] += 1
        batch.already_handled += len(chunk) - len(claims)
        waiting = later
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
    kinds: tuple[str, ...] = (),
) -> SweepReport:
    """One sweep as if at `now` (default: the runtime's clock). Never raises for a
    single reminder's trouble: each outcome is recorded and the sweep goes on.
    `list_held=False` reports held reminders as counts per kind only; `limit` caps the
    claims (see `claim_due`); `kinds` limits it to those finders."""
    now = now or runtime.now()
    engine: Engine = runtime.session_factory.kw["bind"]
    watch = slack_health.watch(client, runtime)
    with sweep_lock(engine, enabled=use_lock) as acquired:
        if not acquired:
            return SweepReport(now, ran=False)
        # The outbox first (not in `send_now`'s sweeps of a few kinds): what changes
        # caused and Slack did not take yet.
        queued = deliver(runtime, client) if not kinds else None
        with runtime.db() as db:
            batch = claim_due(db, now=now, list_held=list_held, limit=limit, kinds=kinds)
        heartbeat = Heartbeat(runtime, now)
        departed, refused = check_accounts(
            runtime, client, (due.recipient.user_id for _, due in batch.claimed), now=now
        )
        heartbeat.renew([claim for claim, _ in batch.claimed])
        if departed and not refused:
            # What was claimed may be about them (their partner's check-in): claim again.
            with runtime.db() as db:
                ledger.release(db, [claim for claim, _ in batch.claimed], now=now)
                batch = claim_due(db, now=now, list_held=list_held, limit=limit, kinds=kinds)
        report = SweepReport(now, due=batch.due, held=batch.held, held_counts=batch.held_counts)
        report.outbox = queued
        report.already_handled = batch.already_handled
        report.deferred = batch.deferred
        report.departed = departed
        report.stopped = refused
        for index, (claim, due) in enumerate(batch.claimed):
            if heartbeat.due():
                heartbeat.renew([c for c, _ in batch.claimed[index:]])
            if report.stopped is None:
                delivery = _deliver(runtime, client, claim, due, now, watch)
                report.deliveries.append(delivery)
                if delivery.status == "refused":
                    report.stopped = delivery.error
            if report.stopped is not None:
                # Our token is dead: nothing can go out. Every claim from this one on is
                # given back untouched for the sweeps after Slack takes a token again.
                with runtime.db() as db:
                    ledger.release(db, [c for c, _ in batch.claimed[index:]], now=now)
                break
    return report


class Heartbeat:
    """Keeps a running sweep's claims its own: their lease is renewed every
    HEARTBEAT_SECONDS, on the sweep's clock (`now`, plus the time it has run)."""

    def __init__(
        self, runtime: Runtime, now: datetime, seconds: Callable[[], float] = time.monotonic
    ) -> None:
        self.runtime = runtime
        self.now = now
        self.seconds = seconds
        self.started = self.last = seconds()

    def due(self) -> bool:
        return self.seconds() - self.last >= HEARTBEAT_SECONDS

    def renew(self, claims: list[ledger.Claim]) -> None:
        self.last = self.seconds()
        if not claims:
            return
        until = self.now + timedelta(seconds=self.last - self.started) + ledger.CLAIM_LEASE
        with self.runtime.db() as db:
            ledger.renew(db, claims, until=until)


def send_now(runtime: Runtime, client: WebClient, *kinds: str) -> SweepReport:
    """Right after a change that causes DMs (a proposal, a question, an answer): a sweep
    of only these finders, so what the change made due goes out now to whoever is in
    their working hours, claimed in the ledger like any reminder (the scheduler's next
    sweep sends the rest, and anything this one could not). No sweep lock: the ledger's
    unique key keeps it from sending anything twice beside a running sweep."""
    return run_sweep(runtime, client, use_lock=False, list_held=False, kinds=kinds)


def _deliver(
    runtime: Runtime,
    client: WebClient,
    claim: ledger.Claim,
    due: Due,
    now: datetime,
    watch: slack_health.TokenWatch | None,
) -> Delivery:
    send = DELIVERERS.get(due.kind, post_reminder_dm)
    refusals = watch.refusals if watch else 0
    try:
        outcome = send(client, runtime, due, claim)
    except Exception as exc:
        outcome = outcome_of(exc)
        if outcome.status == "rejected":
            log.exception("reminder %s to %s failed", due.kind, due.recipient.slack_user_id)
    if watch and watch.refusals > refusals and outcome.status != "refused":
        # A deliverer that logs Slack's errors itself met a refused token on the way.
        outcome = Outcome("refused", watch.last_error)
    if outcome.status == "refused":
        slack_health.token_refused(runtime, client, outcome.error or "invalid_auth")
        return Delivery(
            due.kind,
            due.recipient.name,
            due.recipient.slack_user_id,
            due.period,
            "refused",
            outcome.error,
        )
    try:
        with runtime.db() as db:
            status = ledger.record(db, claim, outcome, now=now)
    except Exception:
        # The claim keeps its lease and a later sweep takes it over.
        log.exception("could not record the outcome of reminder %s", claim.id)
        status = "failed"
    if outcome.status == "gone":
        handle_departure(
            client, runtime, due.recipient.slack_user_id, reason=outcome.error or "gone", now=now
        )
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


def post_reminder_dm(client: WebClient, runtime: Runtime, due: Due, claim: ledger.Claim) -> Outcome:
    """The default delivery: the kind's message from bot/blocks/reminders.py, by DM,
    posted once (`post_once`, keyed by the claim: a claim in doubt is looked up in
    Slack first). Raises what the Slack client raises; the sweep turns it into an Outcome."""
    text_, blocks = RENDERERS[due.kind](due)
    post_once(
        client,
        channel=due.recipient.slack_user_id,
        text=text_,
        blocks=blocks,
        key=f"ledger:{claim.id}",
        in_doubt=claim.in_doubt,
        since=runtime.now() - DOUBT_WINDOW,
    )
    return ledger.SENT


def offer_fallback(client: WebClient, runtime: Runtime, due: Due, claim: ledger.Claim) -> Outcome:
    """A request unanswered at the fallback time: the manager gets the next suggestion
    (through the outbox, queued once per claim)."""
    sent = offer_next_suggestion(
        client, runtime, uuid.UUID(due.facts["assignment_id"]), key=f"ledger:{claim.id}"
    )
    return ledger.SENT if sent else NOT_DELIVERED


def nudge_about_coverage(
    client: WebClient, runtime: Runtime, due: Due, claim: ledger.Claim
) -> Outcome:
    """A new hire still without a mentor: their manager gets suggestions to assign
    (through the outbox, queued once per claim)."""
    sent = nudge_manager_about_coverage(
        client, runtime, uuid.UUID(due.facts["mentee_id"]), key=f"ledger:{claim.id}"
    )
    return ledger.SENT if sent else NOT_DELIVERED


def close_term(client: WebClient, runtime: Runtime, due: Due, claim: ledger.Claim) -> Outcome:
    """A mentorship nobody completed in time: it completes by itself (once, whichever
    side's reminder goes first, committed before any DM), then this side is offered the
    survey unless they have answered (or it was extended meanwhile)."""
    with runtime.db() as db:
        closed = term.close_without_feedback(
            db,
            assignment_id=uuid.UUID(due.facts["assignment_id"]),
            side=due.facts["role"],
            now=runtime.now(),
            after_days=program.load(db).auto_complete_after_days,
        )
    if not closed.owes_feedback:
        return ledger.SENT  # nothing left to ask
    return post_reminder_dm(client, runtime, due, claim)


#: Those deliveries queue their DMs in the outbox, which sends them; they say only
#: whether there was anyone to tell: a few more tries (the ledger's rejection limit),
#: and only while the finder still finds it due.
NOT_DELIVERED = Outcome("rejected", "no DM delivered")

#: Due.kind -> how it is delivered, for kinds that are not a plain reminder DM.
DELIVERERS: dict[str, Deliverer] = {
    "request_fallback": offer_fallback,
    "coverage": nudge_about_coverage,
    "term_closed": close_term,
}


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
