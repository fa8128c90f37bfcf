"""What does one sweep take this time? Everything due (steps 2 of `bot/sweep.py`):
what falls outside its recipient's working hours is held, the rest is claimed in the
ledger, at most CLAIMS_PER_SWEEP in all and PER_RECIPIENT_PER_SWEEP per person."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from bot.services import ledger, program, reminders
from bot.services.reminders import Due
from bot.services.working_hours import next_working_start

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


def plan_each_with_its_values(db: Session) -> None:
    """For the rest of the caller's transaction (PostgreSQL), plan each statement for
    the values it runs with. psycopg prepares a statement once it has run five times, and
    PostgreSQL may then keep one plan for any values: for a finder's test against the
    ledger that plan guesses a few dozen rows and compares every candidate with every
    ledger row (bench.sweep: the sixth sweep of a pooled connection took 5 s instead of
    1.2 s). Planning costs a few milliseconds beside a sweep's second; requests keep
    their prepared plans."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


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
    plan_each_with_its_values(db)
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
