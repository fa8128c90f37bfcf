"""The machinery every reminder kind shares: what a due reminder is (`Due`, `Recipient`),
what a finder is given (`DueContext`), the registry of kinds (`due_kind`, `DUE_KINDS`,
`PRIORITY`) and running them (`find_due`, `collect_due`), and the sweep's limit
(`row_limit`, `take`)."""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.services import ledger, program
from bot.services.program import ProgramConfig
from bot.services.working_hours import WorkingDay, is_working_time, local_date

log = logging.getLogger(__name__)

#: Milestones and action items further past due than this are history, not news:
#: a first deployment must not flood people with reminders about last year.
OVERDUE_LOOKBACK_DAYS = 30


@dataclass(frozen=True)
class Recipient:
    user_id: uuid.UUID
    slack_user_id: str
    name: str
    timezone: str | None
    reachable: bool  # not deactivated, not a bot


@dataclass(frozen=True)
class Due:
    """One reminder to one person. `facts` holds the plain values its message shows
    (names, dates as ISO strings in the recipient's timezone, counts, ids)."""

    kind: str
    subject: str  # what it is about: an assignment, submission, milestone, item, week
    period: str
    recipient: Recipient
    facts: dict[str, Any] = field(default_factory=dict, compare=False)
    #: Sent when due whatever the recipient's working hours (a session about to start).
    any_hour: bool = field(default=False, compare=False)

    @property
    def key(self) -> ledger.Key:
        return ledger.Key(self.kind, f"{self.subject}/{self.recipient.slack_user_id}", self.period)


@dataclass
class DueContext:
    """What every finder needs: the settings, the instant, and each person's day."""

    db: Session
    config: ProgramConfig
    now: datetime
    #: The sweep sets this: a finder that can test the ledger in its own query may leave
    #: out what is settled there (sent, dead, or claimed and not yet due for a retry) for
    #: recipients in their working hours, adding how many it left out to `settled`.
    #: Such reminders would only be counted as "already handled" by the sweep.
    skip_settled: bool = False
    settled: int = 0
    #: The sweep sets this when nobody reads the held reminders one by one (the scheduler):
    #: a finder that can test working hours in its own query may leave out what is due to
    #: people outside theirs, adding how many per kind to `held`. The sweep would only
    #: have counted them as held.
    count_held: bool = False
    held: Counter[str] = field(default_factory=Counter)
    #: The sweep sets this: it claims at most `limit` reminders. A finder that judges
    #: working hours and the ledger in its own query may return only what is left of
    #: it after the finders before it (PRIORITY), the longest due first, adding per
    #: kind how many more it found to `deferred`; the next sweeps find them again.
    limit: int | None = None
    deferred: Counter[str] = field(default_factory=Counter)
    #: How many of `limit` the finders so far have returned (see `take`).
    taken: int = 0
    day: WorkingDay = field(init=False)
    #: `zones.zone_table`, worked out by the first finder that asks (each distinct
    #: timezone people have, read once per sweep rather than once per finder).
    zones: dict[str, Any] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.day = WorkingDay.of(self.config)

    def today(self, recipient: Recipient) -> date:
        return local_date(self.now, recipient.timezone, self.day)

    def local_day_of(self, instant: datetime, recipient: Recipient) -> date:
        return local_date(instant, recipient.timezone, self.day)

    def working(self, recipient: Recipient) -> bool:
        return is_working_time(self.now, recipient.timezone, self.day)


Finder = Callable[[DueContext], Iterable[Due]]

#: finder name -> finder. The sweep asks every registered finder; adding a reminder is one
#: module in this package whose finder is registered with `@due_kind`, imported in the
#: package's `__init__` (its `KINDS`), plus, for a DM, one renderer per `Due.kind` it yields
#: in bot/blocks/reminders.py (or a deliverer in bot/sweep_delivery.py for anything that
#: is not a DM).
DUE_KINDS: dict[str, Finder] = {}


#: The order finders run in, which is the order a sweep claims in when more is due than
#: it claims at once (or than one person may get from one sweep): the Mentor Role's
#: response-time standards first, then the end of a term (dated, and it replaces the
#: check-in that would otherwise ask for a session after the end), then the nudges
#: people act on, the weekly digest last.
PRIORITY = (
    "session_reminder",
    "request_fallback",
    "review_waiting",
    "request_pending",
    "coverage",
    "schedule",
    "questions",
    "term_closed",
    "end_of_term",
    "checkin",
    "session_followup",
    "milestone_date",
    "action_item",
    "digest",
)


def _priority(finder: str) -> int:
    return PRIORITY.index(finder) if finder in PRIORITY else len(PRIORITY)  # new ones last


def due_kind(name: str) -> Callable[[Finder], Finder]:
    """Register a finder of due reminders of kind `name`."""

    def register(finder: Finder) -> Finder:
        DUE_KINDS[name] = finder
        return finder

    return register


def find_due(
    db: Session, *, now: datetime, config: ProgramConfig | None = None, kinds: Iterable[str] = ()
) -> list[Due]:
    """Every reminder due at `now` to a reachable person (all kinds, or only `kinds`).
    Working hours and the ledger are not applied here."""
    return collect_due(DueContext(db, config or program.load(db), now), kinds)


def collect_due(context: DueContext, kinds: Iterable[str] = ()) -> list[Due]:
    """What every finder (or only `kinds`) yields in `context`, to reachable people:
    finder by finder in PRIORITY order, each one's the longest due first."""
    chosen = sorted(kinds or DUE_KINDS, key=_priority)
    found: list[Due] = []
    for kind in chosen:
        # A broken finder must not keep every other reminder from going out. Finders
        # only read, so rolling back (PostgreSQL aborts the transaction on an error)
        # loses nothing; it is logged and the sweep goes on.
        settled_before, held_before = context.settled, context.held.copy()
        try:
            found_here = [due for due in DUE_KINDS[kind](context) if due.recipient.reachable]
            found_here.sort(key=lambda due: due.period)
        except Exception:
            log.exception("finding due reminders of kind %s failed; skipped this sweep", kind)
            context.db.rollback()
            context.settled, context.held = settled_before, held_before
            continue
        found.extend(found_here)
    return found


def row_limit(ctx: DueContext, *, always: bool = False) -> int | None:
    """How many sendable reminders a finder may still return (None: all): what is left
    of the sweep's limit after the finders before it. Only for a finder that leaves out
    held reminders (`count_held`), unless it never finds any held (`always`)."""
    if ctx.limit is None or not (ctx.count_held or always):
        return None
    return max(ctx.limit - ctx.taken, 0)


def take(ctx: DueContext, kind: str, sendable: int, *, always: bool = False) -> int | None:
    """Of `sendable` reminders of `kind` a finder found, count what `row_limit` lets it
    return as taken and the rest as deferred; returns that limit."""
    limit = row_limit(ctx, always=always)
    if limit is not None:
        ctx.taken += min(sendable, limit)
        ctx.deferred[kind] += max(sendable - limit, 0)
    return limit


def whole_hours(delta: timedelta) -> int:
    return int(delta.total_seconds() // 3600)


def judged_rows(ctx: DueContext, kind: str, rows: Iterable[Any]) -> Iterator[Any]:
    """The rows of a finder query that judged the ledger and working hours itself: the
    counts its first columns carry (the same on every row) of what it left out as
    settled, held and over the limit are added to `ctx`, then each due row is yielded,
    up to the row of NULLs that follows the counts when nothing else is due."""
    first = True
    for row in rows:
        if first:
            ctx.settled += row.settled_count
            if row.held_count:
                ctx.held[kind] += row.held_count
            take(ctx, kind, row.sendable_count)
            first = False
        if row.id is None:
            return
        yield row


def week_of(day: date) -> str:
    """The ISO week `day` is in, as a ledger period (2026-W49): once-a-week reminders."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"
