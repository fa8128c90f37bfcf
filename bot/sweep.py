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
     given back untouched, nobody is marked, and /healthz reports it.

Step 2 is `bot/sweep_claims.py`, step 4's deliveries `bot/sweep_delivery.py`; this
module runs the steps in order under the lock and keeps the claims' leases alive."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from slack_sdk import WebClient
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot import slack_health
from bot.delivery import DeliveryReport, deliver
from bot.listeners.departures import check_accounts
from bot.runtime import Runtime
from bot.services import ledger
from bot.services.reminders import Due
from bot.sweep_claims import CLAIMS_PER_SWEEP, claim_due
from bot.sweep_delivery import Delivery, deliver_claim

log = logging.getLogger(__name__)

#: pg_advisory_lock key of the sweep ("MNTRSWEP" as an int64), the same in every process.
SWEEP_LOCK_KEY = 0x4D4E5452_53574550 & 0x7FFFFFFFFFFFFFFF


#: How often a sweep renews the lease of the claims it has not sent yet: well within
#: the ledger's one-minute lease, so only a dead sweep's claims run out.
HEARTBEAT_SECONDS = 15.0


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
                delivery = deliver_claim(runtime, client, claim, due, now, watch)
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
