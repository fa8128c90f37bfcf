"""What is due: every reminder a sweep should send at `now`, as plain values.

Each kind of reminder is one finder registered with `@due_kind("name")`: it reads
the models with set-based queries (one or two per kind, however many mentorships
there are) and yields `Due` items. A `Due` names its recipient and its ledger key
(kind, target, period); the period is what makes it "once": one check-in nudge per
cadence period, one reminder per pending request, one digest per ISO week...

Whether the recipient is in their working hours, and whether the reminder was
already sent, is decided by the sweep (`bot/sweep.py`) with `working_hours` and
the `ledger`; finders only say what is due."""

from __future__ import annotations

import logging
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
)
from sqlalchemy import cast as sa_cast
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, aliased
from sqlalchemy.types import Boolean, Date, Text

from bot.services import assignments, audit, coverage, ledger, program
from bot.services.errors import Conflict, NotAllowed, NotFound
from bot.services.program import ProgramConfig
from bot.services.working_hours import WorkingDay, is_working_time, local_date, zone_of
from models import (
    CADENCE_DAYS,
    OPEN_STATUSES,
    Assignment,
    Mentor,
    MentorshipSession,
    MilestoneSubmission,
    Notification,
    RampMilestone,
    User,
)

log = logging.getLogger(__name__)

#: Milestones and action items further past due than this are history, not news:
#: a first deployment must not flood people with reminders about last year.
OVERDUE_LOOKBACK_DAYS = 30
#: A milestone's target date is announced this many days ahead.
MILESTONE_NOTICE_DAYS = 3
SNOOZE = timedelta(weeks=1)


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
    #: How many of `limit` the finders so far have returned (see `_take`).
    taken: int = 0
    day: WorkingDay = field(init=False)

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
#: finder here plus, for a DM, one renderer per `Due.kind` it yields in
#: bot/blocks/reminders.py (or a deliverer in bot/sweep.py for anything that is not a DM).
DUE_KINDS: dict[str, Finder] = {}


#: The order finders run in, which is the order a sweep claims in when more is due than
#: it claims at once: the Mentor Role's response-time standards first, then the nudges
#: people act on, the weekly digest last.
PRIORITY = (
    "session_reminder",
    "request_fallback",
    "review_waiting",
    "request_pending",
    "coverage",
    "schedule",
    "questions",
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
    if context.db.get_bind().dialect.name == "postgresql":
        # The planner overestimates the finders' date and JSON arithmetic and JIT-compiles
        # their queries, which costs seconds and saves nothing; off for this transaction.
        context.db.execute(text("SELECT set_config('jit', 'off', true)"))
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


# -- people in queries ---------------------------------------------------------------------
# Built once: fresh aliases per sweep would cost more than the queries themselves and
# defeat SQLAlchemy's statement cache.
mentor_user = aliased(User, name="mentor_user")
mentee_user = aliased(User, name="mentee_user")
manager = aliased(User, name="manager_user")
admin = aliased(User, name="admin_user")


def _with_pair(statement: Select[Any]) -> Select[Any]:
    """`statement` (which reaches Assignment) joined to the mentor and both people, with
    their columns (prefixes "mentor" and "mentee") and the mentor's pause."""
    return (
        statement.add_columns(
            Mentor.paused_until,
            *_person_columns(mentor_user, "mentor"),
            *_person_columns(mentee_user, "mentee"),
        )
        .join(Mentor, Mentor.id == Assignment.mentor_id)
        .join(mentor_user, mentor_user.id == Mentor.user_id)
        .join(mentee_user, mentee_user.id == Assignment.mentee_user_id)
    )


@cache
def _person_columns(person: Any, prefix: str) -> tuple[ColumnElement[Any], ...]:
    return (
        person.id.label(f"{prefix}_id"),
        person.slack_user_id.label(f"{prefix}_slack"),
        person.name.label(f"{prefix}_name"),
        person.timezone.label(f"{prefix}_tz"),
        person.deactivated_at.label(f"{prefix}_gone"),
        person.is_bot.label(f"{prefix}_bot"),
    )


def _person(row: Any, prefix: str) -> Recipient:
    mapping = row._mapping
    return Recipient(
        user_id=mapping[f"{prefix}_id"],
        slack_user_id=mapping[f"{prefix}_slack"],
        name=mapping[f"{prefix}_name"] or mapping[f"{prefix}_slack"],
        timezone=mapping[f"{prefix}_tz"],
        reachable=mapping[f"{prefix}_gone"] is None and not mapping[f"{prefix}_bot"],
    )


def _mentor_paused(paused_until: date | None, today: date) -> bool:
    """`/mentor pause` holds mentoring nudges through `paused_until` (inclusive)."""
    return paused_until is not None and today <= paused_until


# -- cadence check-ins (PRD FR-3.1) --------------------------------------------------------
def cadence_step(cadence: str) -> int:
    """Days between check-ins (models.CADENCE_DAYS; an unknown cadence counts as weekly,
    as the next check-in people are shown does)."""
    return CADENCE_DAYS.get(cadence, CADENCE_DAYS["weekly"])


def latest_cycle_date(cadence: str, anchor: date, today: date) -> date | None:
    """The most recent check-in date on or before `today` of a cadence counted from
    `anchor` (anchor + 1, 2, ... periods); None while the first period runs."""
    step = cadence_step(cadence)
    periods = (today - anchor).days // step
    return anchor + timedelta(days=periods * step) if periods >= 1 else None


def checkin_due_date(
    cadence: str, anchor: date, today: date, snoozed_until: date | None
) -> date | None:
    """The check-in this person is due for today, identified by its date, or None.

    The anchor is the last logged session (else the start). The latest of the cadence
    dates and the end of a snooze (if nothing was logged since) wins, so a snoozed pair
    gets one nudge when the snooze ends, and a pair that logs nothing is nudged once
    per cadence period rather than every sweep."""
    candidates = [latest_cycle_date(cadence, anchor, today)]
    if snoozed_until is not None and anchor < snoozed_until <= today:
        candidates.append(snoozed_until)
    chosen = [c for c in candidates if c is not None]
    return max(chosen) if chosen else None


@due_kind("checkin")
def checkin_nudges(ctx: DueContext) -> Iterable[Due]:
    """Mentor and mentee of each active mentorship, once per cadence period."""
    if ctx.db.get_bind().dialect.name == "postgresql":
        zones = _recipient_zones(ctx)
        if zones is not None:
            return _checkins_in_sql(ctx, zones)
    return _checkins_in_python(ctx)


def _checkin(
    row: Any,
    recipient: Recipient,
    role: str,
    other_name: str,
    last_day: date | None,
    due_on: date,
) -> Due:
    return Due(
        "checkin",
        str(row.id),
        due_on.isoformat(),
        recipient,
        {
            "assignment_id": str(row.id),
            "role": role,
            "other_name": other_name,
            "cadence": row.check_in_cadence,
            "last_session": last_day.isoformat() if last_day else None,
            "start_date": row.start_date.isoformat(),
        },
    )


def _checkins_in_python(ctx: DueContext) -> Iterator[Due]:
    """The portable way: every active mentorship read, each date worked out here."""
    rows = ctx.db.execute(
        _with_pair(
            select(
                Assignment.id,
                Assignment.check_in_cadence,
                Assignment.start_date,
                Assignment.snoozed_until,
                Assignment.last_session_at.label("last_at"),
            )
        ).where(Assignment.status == "active")
    )
    for row in rows:
        if row.snoozed_until is not None and ctx.now < row.snoozed_until:
            continue
        mentor, mentee = _person(row, "mentor"), _person(row, "mentee")
        for recipient, role, other in ((mentor, "mentor", mentee), (mentee, "mentee", mentor)):
            today = ctx.today(recipient)
            if _mentor_paused(row.paused_until, today):
                continue
            last_day = ctx.local_day_of(row.last_at, recipient) if row.last_at else None
            anchor = max(row.start_date, last_day) if last_day else row.start_date
            snooze_day = (
                ctx.local_day_of(row.snoozed_until, recipient) if row.snoozed_until else None
            )
            due_on = checkin_due_date(row.check_in_cadence, anchor, today, snooze_day)
            if due_on is None:
                continue
            yield _checkin(row, recipient, role, other.name, last_day, due_on)


@dataclass(frozen=True)
class _Zone:
    """What a `users.timezone` value means at `now`, worked out once per value."""

    name: str  # the IANA zone it resolves to (unknown and missing: the program default)
    today: date
    working: bool


#: Zone name -> whether this PostgreSQL server knows it (its tz database may be older).
_POSTGRES_ZONES: dict[str, bool] = {}


def _zone_table(ctx: DueContext) -> dict[str, _Zone]:
    """Each distinct timezone people have, resolved as `working_hours` does, keyed by
    the column's value ("" for none)."""
    zones: dict[str, _Zone] = {}
    for value in ctx.db.scalars(select(func.coalesce(User.timezone, "")).distinct()):
        timezone = value or None
        zones[value] = _Zone(
            zone_of(timezone, ctx.day).key,
            local_date(ctx.now, timezone, ctx.day),
            is_working_time(ctx.now, timezone, ctx.day),
        )
    return zones


def _recipient_zones(ctx: DueContext) -> dict[str, _Zone] | None:
    """`_zone_table`, or None if PostgreSQL lacks one of the zones, so the portable
    path (Python's tz database) is used instead of a failing query."""
    zones = _zone_table(ctx)
    for name in {zone.name for zone in zones.values()} - _POSTGRES_ZONES.keys():
        try:
            with ctx.db.begin_nested():
                ctx.db.execute(text("SELECT now() AT TIME ZONE :zone"), {"zone": name})
            _POSTGRES_ZONES[name] = True
        except DBAPIError:
            log.warning("PostgreSQL does not know the timezone %s; check-ins found in Python", name)
            _POSTGRES_ZONES[name] = False
    if not all(_POSTGRES_ZONES[zone.name] for zone in zones.values()):
        return None
    return zones


#: PostgreSQL: each active mentorship's check-in worked out per recipient in one query,
#: the same rules as `_checkins_in_python` (anchor = the later of the start and the last
#: attended session in the recipient's calendar; the latest cadence date or the end of a
#: snooze; the mentor's pause through the recipient's today), so only what is due (and,
#: for a sweep, not yet settled in the ledger nor held for working hours) reaches Python.
#: The first columns count what was left out as settled and as held; a row of NULLs
#: follows them when nothing else is due.
_CHECKINS_DUE = text(
    """
    WITH zone AS (
        SELECT * FROM unnest(CAST(:tz_values AS text[]), CAST(:zone_names AS text[]),
                             CAST(:todays AS date[]), CAST(:working AS boolean[]))
            AS zone(tz_value, name, today, working)
    ),
    recipient AS (
        SELECT a.id, a.check_in_cadence, a.start_date, a.snoozed_until, m.paused_until,
               a.last_session_at AS last_at, side.*
        FROM mentorship_assignments AS a
        JOIN mentors AS m ON m.id = a.mentor_id
        JOIN users AS mu ON mu.id = m.user_id
        JOIN users AS eu ON eu.id = a.mentee_user_id
        CROSS JOIN LATERAL (VALUES
            ('mentor', mu.id, mu.slack_user_id, coalesce(nullif(mu.name, ''), mu.slack_user_id),
             mu.timezone, mu.deactivated_at IS NULL AND NOT mu.is_bot,
             coalesce(nullif(eu.name, ''), eu.slack_user_id)),
            ('mentee', eu.id, eu.slack_user_id, coalesce(nullif(eu.name, ''), eu.slack_user_id),
             eu.timezone, eu.deactivated_at IS NULL AND NOT eu.is_bot,
             coalesce(nullif(mu.name, ''), mu.slack_user_id))
        ) AS side(role, user_id, slack, name, timezone, reachable, other_name)
        WHERE a.status = 'active'
          AND (a.snoozed_until IS NULL OR a.snoozed_until <= :now)
          AND side.reachable
          -- Cheap and safe: no recipient's today is later than :latest_today, nor their
          -- calendar day of the last session earlier than its UTC day minus one, so a
          -- mentorship that fails this (and is not snoozed) has nothing due for anyone.
          AND (a.snoozed_until IS NOT NULL OR (
              :latest_today - a.start_date >= CASE a.check_in_cadence {steps}
                                                   ELSE {default_step} END
              AND (a.last_session_at IS NULL
                   OR :latest_today - ((a.last_session_at AT TIME ZONE 'UTC')::date - 1)
                      >= CASE a.check_in_cadence {steps} ELSE {default_step} END)))
    ),
    anchored AS MATERIALIZED (
        SELECT r.*, zone.today, zone.working, last_day, snooze_day,
               greatest(r.start_date, last_day) AS anchor,
               CASE r.check_in_cadence {steps} ELSE {default_step} END AS step
        FROM recipient AS r
        JOIN zone ON zone.tz_value = coalesce(r.timezone, '')
        CROSS JOIN LATERAL (
            SELECT (r.last_at AT TIME ZONE zone.name)::date AS last_day,
                   (r.snoozed_until AT TIME ZONE zone.name)::date AS snooze_day
        ) AS local_days
        WHERE r.paused_until IS NULL OR zone.today > r.paused_until
    ),
    due AS (
        SELECT d.*, to_char(d.due_on, 'YYYY-MM-DD') AS period
        FROM (
            SELECT anchored.*, greatest(
                CASE WHEN today - anchor >= step
                     THEN anchor + ((today - anchor) / step) * step END,
                CASE WHEN snooze_day > anchor AND snooze_day <= today THEN snooze_day END
            ) AS due_on
            FROM anchored
        ) AS d
        WHERE d.due_on IS NOT NULL
    ),
    keyed AS (
        SELECT due.*, :skip_settled AND due.working AND EXISTS (
            SELECT 1 FROM notifications AS n
            WHERE n.kind = 'checkin' AND n.target = due.id::text || '/' || due.slack
              AND n.period = due.period
              AND NOT (n.status IN ('claimed', 'failed')
                       AND coalesce(n.next_attempt_at <= :now, false))
        ) AS settled
        FROM due
    )
    SELECT total.settled_count, total.held_count, total.sendable_count, k.*
    FROM (
        SELECT count(*) FILTER (WHERE settled) AS settled_count,
               count(*) FILTER (WHERE :count_held AND NOT working) AS held_count,
               count(*) FILTER (WHERE NOT settled AND working) AS sendable_count
        FROM keyed
    ) AS total
    LEFT JOIN LATERAL (
        SELECT * FROM keyed WHERE NOT settled AND (working OR NOT :count_held)
        ORDER BY due_on, id
        LIMIT :row_limit
    ) AS k ON true
    """.format(
        steps=" ".join(f"WHEN '{name}' THEN {days}" for name, days in CADENCE_DAYS.items()),
        default_step=CADENCE_DAYS["weekly"],
    )
)


def _checkins_in_sql(ctx: DueContext, zones: dict[str, _Zone]) -> Iterator[Due]:
    values = list(zones)
    rows = ctx.db.execute(
        _CHECKINS_DUE,
        {
            "now": ctx.now,
            "tz_values": values,
            "zone_names": [zones[v].name for v in values],
            "todays": [zones[v].today for v in values],
            "working": [zones[v].working for v in values],
            "skip_settled": ctx.skip_settled,
            "count_held": ctx.count_held,
            "latest_today": max((z.today for z in zones.values()), default=ctx.now.date()),
            "row_limit": _row_limit(ctx),
        },
    )
    first = True
    for row in rows:
        if first:
            ctx.settled += row.settled_count  # the same on every row
            if row.held_count:
                ctx.held["checkin"] += row.held_count
            _take(ctx, "checkin", row.sendable_count)
            first = False
        if row.id is None:
            break
        recipient = Recipient(row.user_id, row.slack, row.name, row.timezone, True)
        yield _checkin(row, recipient, row.role, row.other_name, row.last_day, row.due_on)


def _row_limit(ctx: DueContext, *, always: bool = False) -> int | None:
    """How many sendable reminders a finder may still return (None: all): what is left
    of the sweep's limit after the finders before it. Only for a finder that leaves out
    held reminders (`count_held`), unless it never finds any held (`always`)."""
    if ctx.limit is None or not (ctx.count_held or always):
        return None
    return max(ctx.limit - ctx.taken, 0)


def _take(ctx: DueContext, kind: str, sendable: int, *, always: bool = False) -> int | None:
    """Of `sendable` reminders of `kind` a finder found, count what `_row_limit` lets it
    return as taken and the rest as deferred; returns that limit."""
    limit = _row_limit(ctx, always=always)
    if limit is not None:
        ctx.taken += min(sendable, limit)
        ctx.deferred[kind] += max(sendable - limit, 0)
    return limit


# -- a request waiting for the mentor's answer (Mentor Role: confirmed within 48 h) ----------
@due_kind("request_pending")
def pending_requests(ctx: DueContext) -> Iterator[Due]:
    """The mentor, once, when a request has waited `request_reminder_hours`."""
    waited_since = ctx.now - timedelta(hours=ctx.config.request_reminder_hours)
    rows = ctx.db.execute(
        _with_pair(
            select(
                Assignment.id,
                Assignment.created_at,
                Assignment.start_date,
                Assignment.check_in_cadence,
                manager.name.label("manager_name"),
            )
        )
        .outerjoin(manager, manager.id == Assignment.assigned_by_user_id)
        .where(Assignment.status == "pending", Assignment.created_at <= waited_since)
    )
    for row in rows:
        mentor, mentee = _person(row, "mentor"), _person(row, "mentee")
        if _mentor_paused(row.paused_until, ctx.today(mentor)):
            continue
        yield Due(
            "request_pending",
            str(row.id),
            "reminder",
            mentor,
            {
                "assignment_id": str(row.id),
                "mentee_name": mentee.name,
                "manager_name": row.manager_name,
                "requested_at": row.created_at.isoformat(),
                "hours_waiting": _hours(ctx.now - row.created_at),
                "cadence": row.check_in_cadence,
                "start_date": row.start_date.isoformat(),
            },
        )


# -- a request still unanswered at the fallback time (Mentor Role: confirmed within 48 h) -----
@due_kind("request_fallback")
def request_fallbacks(ctx: DueContext) -> Iterator[Due]:
    """Whoever asked (else the mentee's roster manager), once per request, when it has
    waited `request_fallback_hours`: delivered by bot/sweep.py as the next suggestion."""
    waiting = assignments.unanswered_requests(
        ctx.db, now=ctx.now, older_than_hours=ctx.config.request_fallback_hours
    )
    if not waiting:
        return
    rows = ctx.db.execute(
        select(
            Assignment.id,
            Assignment.created_at,
            mentee_user.name.label("mentee_name"),
            *_person_columns(manager, "manager"),
        )
        .join(mentee_user, mentee_user.id == Assignment.mentee_user_id)
        .join(
            manager,
            manager.id == func.coalesce(Assignment.assigned_by_user_id, mentee_user.manager_id),
        )
        .where(Assignment.id.in_(waiting))
    )
    for row in rows:
        yield Due(
            "request_fallback",
            str(row.id),
            "fallback",
            _person(row, "manager"),
            {
                "assignment_id": str(row.id),
                "mentee_name": row.mentee_name,
                "hours_waiting": _hours(ctx.now - row.created_at),
            },
        )


# -- new hires still without a mentor (PRD: 100 % of new CSMs mentored) ----------------------
@due_kind("coverage")
def coverage_nudges(ctx: DueContext) -> Iterator[Due]:
    """Each uncovered new hire's manager, once per ISO week (theirs) while the hire has
    no mentor; a hire without a reachable manager goes to the first program admin, and
    the delivery (bot/sweep.py) tells every admin."""
    hires = coverage.uncovered_new_hires(ctx.db, ctx.now)
    if not hires:
        return
    manager_ids = {hire.manager_id for hire in hires if hire.manager_id is not None}
    managers = {
        person.user_id: person
        for person in (
            _person(row, "manager")
            for row in ctx.db.execute(
                select(*_person_columns(manager, "manager")).where(manager.id.in_(manager_ids))
            )
        )
    }
    admins = [a for a in _admins(ctx.db) if a.reachable]
    fallback = min(admins, key=lambda a: a.name) if admins else None
    for hire in hires:
        recipient = managers.get(hire.manager_id) if hire.manager_id else None
        if recipient is None or not recipient.reachable:
            recipient = fallback
        if recipient is None:
            continue
        yield Due(
            "coverage",
            str(hire.user_id),
            week_of(ctx.today(recipient)),
            recipient,
            {
                "mentee_id": str(hire.user_id),
                "mentee_name": hire.name,
                "days_since_hire": hire.days_since_hire,
            },
        )


# -- milestone submissions waiting for review (Mentor Role: reviews within 24-48 h) ----------
@due_kind("review_waiting")
def reviews_waiting(ctx: DueContext) -> Iterator[Due]:
    """The mentor after `review_reminder_hours`; every admin after `review_escalation_hours`."""
    earliest = ctx.now - timedelta(
        hours=min(ctx.config.review_reminder_hours, ctx.config.review_escalation_hours)
    )
    rows = list(
        ctx.db.execute(
            _with_pair(
                select(
                    MilestoneSubmission.id,
                    MilestoneSubmission.submitted_at,
                    MilestoneSubmission.evidence,
                    RampMilestone.milestone_name,
                )
                .join(RampMilestone, RampMilestone.id == MilestoneSubmission.milestone_id)
                .join(Assignment, Assignment.id == RampMilestone.assignment_id)
            ).where(
                MilestoneSubmission.decision.is_(None),
                MilestoneSubmission.submitted_at <= earliest,
            )
        )
    )
    admins = _admins(ctx.db) if rows else []
    for row in rows:
        waited = ctx.now - row.submitted_at
        mentor, mentee = _person(row, "mentor"), _person(row, "mentee")
        facts = {
            "submission_id": str(row.id),
            "milestone_name": row.milestone_name,
            "mentee_name": mentee.name,
            "mentor_name": mentor.name,
            "submitted_at": row.submitted_at.isoformat(),
            "hours_waiting": _hours(waited),
        }
        if waited >= timedelta(hours=ctx.config.review_reminder_hours) and not _mentor_paused(
            row.paused_until, ctx.today(mentor)
        ):
            # The evidence is the mentee's work for their mentor's eyes; admins don't get it.
            yield Due(
                "review_waiting",
                str(row.id),
                "reminder",
                mentor,
                {**facts, "evidence": row.evidence},
            )
        if waited >= timedelta(hours=ctx.config.review_escalation_hours):
            for admin in admins:
                yield Due("review_escalation", str(row.id), "escalation", admin, facts)


def _admins(db: Session) -> list[Recipient]:
    rows = db.execute(select(*_person_columns(admin, "admin")).where(admin.is_admin.is_(True)))
    return [_person(row, "admin") for row in rows]


# -- milestone target dates (PRD FR-4.1) ---------------------------------------------------
@due_kind("milestone_date")
def milestone_dates(ctx: DueContext) -> Iterator[Due]:
    """The hire (and their active mentor) when a milestone is due within 3 days, and
    once when it is overdue; each target date is announced once."""
    utc_today = ctx.now.date()
    rows = ctx.db.execute(
        select(
            RampMilestone.id,
            RampMilestone.milestone_name,
            RampMilestone.target_date,
            Assignment.status.label("assignment_status"),
            Mentor.paused_until,
            *_person_columns(mentee_user, "mentee"),
            *_person_columns(mentor_user, "mentor"),
        )
        .join(mentee_user, mentee_user.id == RampMilestone.mentee_user_id)
        .outerjoin(Assignment, Assignment.id == RampMilestone.assignment_id)
        .outerjoin(Mentor, Mentor.id == Assignment.mentor_id)
        .outerjoin(mentor_user, mentor_user.id == Mentor.user_id)
        .where(
            RampMilestone.achieved_date.is_(None),
            RampMilestone.status.not_in(("submitted", "achieved")),
            RampMilestone.target_date.is_not(None),
            # One day either side of UTC covers every timezone's "today".
            RampMilestone.target_date <= utc_today + timedelta(days=MILESTONE_NOTICE_DAYS + 1),
            RampMilestone.target_date >= utc_today - timedelta(days=OVERDUE_LOOKBACK_DAYS + 1),
        )
    )
    for row in rows:
        mentee = _person(row, "mentee")
        recipients = [(mentee, "mentee")]
        if row.assignment_status == "active" and row.mentor_id is not None:
            recipients.append((_person(row, "mentor"), "mentor"))
        for recipient, role in recipients:
            today = ctx.today(recipient)
            if role == "mentor" and _mentor_paused(row.paused_until, today):
                continue
            days_left = (row.target_date - today).days
            if 0 <= days_left <= MILESTONE_NOTICE_DAYS:
                kind = "milestone_soon"
            elif -OVERDUE_LOOKBACK_DAYS <= days_left < 0:
                kind = "milestone_overdue"
            else:
                continue
            yield Due(
                kind,
                str(row.id),
                row.target_date.isoformat(),
                recipient,
                {
                    "milestone_id": str(row.id),
                    "milestone_name": row.milestone_name,
                    "target_date": row.target_date.isoformat(),
                    "days_left": days_left,
                    "role": role,
                    "mentee_name": mentee.name,
                },
            )


# -- action items from sessions (PRD FR-3.4) -----------------------------------------------
@due_kind("action_item")
def action_items(ctx: DueContext) -> Iterator[Due]:
    """The owner of an open action item the day before it is due, and once when overdue."""
    if _items_in_postgresql(ctx):
        first = True
        for row in ctx.db.execute(_items_in_sql(ctx)):
            if first:  # the counts are the same on every row
                ctx.settled += row.settled_count
                if row.held_count:
                    ctx.held["action_item"] += row.held_count
                _take(ctx, "action_item", row.sendable_count)
                first = False
            if row.id is None:
                break
            people = {"mentor": _person(row, "mentor"), "mentee": _person(row, "mentee")}
            due = _item_due(ctx, row, people, row.position, row.item)
            if due is not None:
                yield due
        return
    rows = ctx.db.execute(
        _with_pair(
            select(
                MentorshipSession.id,
                MentorshipSession.assignment_id,
                MentorshipSession.action_items,
            ).join(Assignment, Assignment.id == MentorshipSession.assignment_id)
        ).where(Assignment.status == "active", _may_have_items_due(ctx))
    )
    for row in rows:
        people = {"mentor": _person(row, "mentor"), "mentee": _person(row, "mentee")}
        for index, item in enumerate(row.action_items or []):
            due = _item_due(ctx, row, people, index, item)
            if due is not None:
                yield due


def _item_due(
    ctx: DueContext, row: Any, people: dict[str, Recipient], index: int, item: Any
) -> Due | None:
    """The reminder action item number `index` of session `row` calls for now, if any."""
    if not isinstance(item, dict) or item.get("done"):
        return None
    owner = item.get("owner")
    due_on = _parse_date(item.get("due"))
    if owner not in people or due_on is None:
        return None
    recipient = people[owner]
    today = ctx.today(recipient)
    if owner == "mentor" and _mentor_paused(row.paused_until, today):
        return None
    days_left = (due_on - today).days
    if days_left == 1:
        kind = "item_tomorrow"
    elif -OVERDUE_LOOKBACK_DAYS <= days_left < 0:
        kind = "item_overdue"
    else:
        return None
    item_id = str(item.get("id") or index)
    other = people["mentee" if owner == "mentor" else "mentor"]
    return Due(
        kind,
        f"{row.id}:{item_id}",
        due_on.isoformat(),
        recipient,
        {
            "session_id": str(row.id),
            "item_id": item_id,
            "assignment_id": str(row.assignment_id),
            "item": str(item.get("item") or ""),
            "due": due_on.isoformat(),
            "other_name": other.name,
        },
    )


#: A date written as YYYY-MM-DD: the only form the SQL filters compare as text.
_ISO_DATE = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def _item_window(ctx: DueContext) -> dict[str, str]:
    # One day either side of UTC covers every timezone's "today".
    utc_today = ctx.now.date()
    return {
        "earliest": (utc_today - timedelta(days=OVERDUE_LOOKBACK_DAYS + 1)).isoformat(),
        "latest": (utc_today + timedelta(days=2)).isoformat(),
    }


def _items_in_sql(ctx: DueContext) -> Select[Any]:
    """PostgreSQL: the active mentorships' action items one per row, only those that may
    be due around now (an object, not ticked off, owned by the mentor or the mentee, and
    a due date that is not plainly a date outside the window), so Python reads only
    those; `_item_due` still applies the exact rules per recipient.

    An item with a YYYY-MM-DD due date (all the app writes) is judged here in full, in
    its owner's calendar: left out when it is not due or its mentor owner is paused, and
    (for a sweep) counted and left out when it is settled in the ledger or held for its
    owner's working hours. The first two columns are those counts; a row of NULLs
    follows them when nothing else is due."""
    window = _item_window(ctx)
    zones = _zone_table(ctx)
    element = (
        func.jsonb_array_elements(
            case(
                (
                    func.jsonb_typeof(MentorshipSession.action_items) == "array",
                    MentorshipSession.action_items,
                ),
                else_=literal_column("'[]'::jsonb"),
            )
        )
        .table_valued("value", with_ordinality="position")
        .render_derived(name="element", with_types=False)
        .lateral()
    )
    value = element.c.value
    due = value.op("->>")("due")
    is_iso = and_(func.jsonb_typeof(value.op("->")("due")) == "string", due.op("~")(_ISO_DATE))
    plainly_outside = and_(is_iso, or_(due < window["earliest"], due > window["latest"]))
    owner = value.op("->>")("owner")
    # Python reads any falsy "done" as open; SQL judges only the plain cases.
    plainly_open = or_(
        value.op("->")("done").is_(None),
        func.jsonb_typeof(value.op("->")("done")).in_(("null", "boolean")),
    )
    by_owner = _owner_columns(owner, zones)
    item_id = value.op("->")("id")
    # str(item.get("id") or index): a non-empty string as it is, nothing (or "") the index;
    # any other id is left to Python.
    key_id = case(
        (
            and_(func.jsonb_typeof(item_id) == "string", value.op("->>")("id") != ""),
            value.op("->>")("id"),
        ),
        (
            or_(
                item_id.is_(None),
                func.jsonb_typeof(item_id) == "null",
                value.op("->>")("id") == "",
            ),
            sa_cast(element.c.position - 1, Text),
        ),
    )
    candidates = (
        _with_pair(
            select(
                MentorshipSession.id,
                MentorshipSession.assignment_id,
                value.label("item"),
                (element.c.position - 1).label("position"),
                and_(is_iso, by_owner["known"], plainly_open).label("judged"),
                case(
                    (due == by_owner["tomorrow"], "item_tomorrow"),
                    (and_(due >= by_owner["earliest"], due < by_owner["today"]), "item_overdue"),
                ).label("due_kind"),
                and_(
                    owner == "mentor",
                    Mentor.paused_until.is_not(None),
                    by_owner["today_date"] <= Mentor.paused_until,
                ).label("paused"),
                by_owner["working"].label("working"),
                by_owner["reachable"].label("reachable"),
                (
                    sa_cast(MentorshipSession.id, Text) + ":" + key_id + "/" + by_owner["slack"]
                ).label("ledger_target"),
                due.label("due_text"),
            )
            .select_from(MentorshipSession)
            .join(element, literal(True))
            .join(Assignment, Assignment.id == MentorshipSession.assignment_id)
        )
        .where(
            Assignment.status == "active",
            func.jsonb_typeof(value) == "object",
            func.coalesce(value.op("->")("done"), literal_column("'false'::jsonb"))
            != literal_column("'true'::jsonb"),
            owner.in_(("mentor", "mentee")),
            ~plainly_outside,
        )
        .cte("item_candidates")
    )
    c = candidates.c
    # What Python would drop anyway: not due in the owner's calendar, paused, unreachable.
    dropped = and_(c.judged, or_(c.due_kind.is_(None), c.paused, ~c.reachable))
    wanted = and_(~dropped)
    settled = and_(
        literal(ctx.skip_settled),
        c.judged,
        c.working,
        c.ledger_target.is_not(None),
        select(Notification.id)
        .where(
            Notification.kind == c.due_kind,
            Notification.target == c.ledger_target,
            Notification.period == c.due_text,
            ~and_(
                Notification.status.in_(("claimed", "failed")),
                func.coalesce(Notification.next_attempt_at <= ctx.now, False),
            ),
        )
        .exists(),
    )
    held = and_(literal(ctx.count_held), c.judged, ~c.working)
    flagged = (
        select(candidates, settled.label("settled"), held.label("held"))
        .where(wanted)
        .cte("item_flagged")
    )
    f = flagged.c
    totals = select(
        func.count().filter(f.settled).label("settled_count"),
        func.count().filter(f.held).label("held_count"),
        func.count().filter(~f.settled, ~f.held).label("sendable_count"),
    ).subquery("totals")
    rest = (
        select(*[f[column.key] for column in candidates.c])
        .where(~f.settled, ~f.held)
        .order_by(f.due_text, f.id)
        .limit(_row_limit(ctx))
        .lateral("rest")
    )
    return select(totals, rest).select_from(totals.outerjoin(rest, literal(True)))


def _owner_columns(owner: ColumnElement[Any], zones: dict[str, _Zone]) -> dict[str, Any]:
    """The item owner's Slack id, reachability, and (by their timezone value, through
    `zones`) their today, tomorrow, lookback start and working hours, as SQL."""

    def side(column: str) -> Any:
        return case(
            (owner == "mentor", getattr(mentor_user, column)), else_=getattr(mentee_user, column)
        )

    timezone = func.coalesce(side("timezone"), "")

    def per_zone(values: dict[str, Any], type_: Any) -> Any:
        return case({k: literal(v, type_) for k, v in values.items()}, value=timezone)

    return {
        "slack": side("slack_user_id"),
        "reachable": and_(side("deactivated_at").is_(None), side("is_bot").is_(False)),
        "known": timezone.in_(list(zones)),
        "today_date": per_zone({k: z.today for k, z in zones.items()}, Date()),
        "today": per_zone({k: z.today.isoformat() for k, z in zones.items()}, Text()),
        "tomorrow": per_zone(
            {k: (z.today + timedelta(days=1)).isoformat() for k, z in zones.items()}, Text()
        ),
        "earliest": per_zone(
            {
                k: (z.today - timedelta(days=OVERDUE_LOOKBACK_DAYS)).isoformat()
                for k, z in zones.items()
            },
            Text(),
        ),
        "working": per_zone({k: z.working for k, z in zones.items()}, Boolean()),
    }


def _items_in_postgresql(ctx: DueContext) -> bool:
    return ctx.db.get_bind().dialect.name == "postgresql"


def _may_have_items_due(ctx: DueContext) -> ColumnElement[bool]:
    """The portable path's filter: sessions with any action items at all."""
    if ctx.db.get_bind().dialect.name == "postgresql":
        return func.jsonb_typeof(MentorshipSession.action_items) == "array"
    return func.json_array_length(MentorshipSession.action_items) > 0


def _parse_date(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


# -- the weekly digest (PRD FR-4.5 manager visibility, FR-5 program figures) ---------------
def week_of(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@due_kind("digest")
def weekly_digests(ctx: DueContext) -> Iterator[Due]:
    """Once per ISO week (the recipient's week): managers get their direct reports'
    mentorship status, admins the program figures. Only recipients in their working
    hours who have not had this week's digest are computed, so a sweep stays cheap:
    while nobody is in working hours, or everyone has had theirs, it costs one or two
    small queries."""
    zones = {value: zone for value, zone in _zone_table(ctx).items() if zone.working}
    if not zones:
        return
    managers = [
        _person(row, "manager")
        for row in ctx.db.execute(
            select(*_person_columns(manager, "manager"))
            .where(
                # Only managers with someone to report on, so none is left waiting.
                manager.id.in_(select(User.manager_id).where(_in_digest(ctx))),
                manager.deactivated_at.is_(None),
                manager.is_bot.is_(False),
                func.coalesce(manager.timezone, "").in_(list(zones)),
                ~_digest_settled(manager, "digest_manager", zones),
            )
            .order_by(manager.slack_user_id)
        )
    ]
    admins = _admins(ctx.db)
    wanted = [
        *((a, "admin") for a in admins if a.reachable and ctx.working(a)),
        *((m, "manager") for m in managers),
    ]
    keys = {
        (recipient, audience): Due(
            f"digest_{audience}", "week", week_of(ctx.today(recipient)), recipient
        ).key
        for recipient, audience in wanted
    }
    settled = ledger.statuses(
        ctx.db, [keys[(a, "admin")] for a, audience in wanted if audience == "admin"]
    )
    todo = [pair for pair in wanted if settled.get(keys[pair]) not in _DIGEST_SETTLED]
    # Admins come first; the managers past the limit are the next sweeps' (a digest is
    # computed only when it is about to be sent).
    limit = _take(ctx, "digest", len(todo), always=True)
    todo = todo[:limit]
    if not todo:
        return
    report_lines = _report_lines(ctx, [r.user_id for r, a in todo if a == "manager"])
    figures = (
        program_figures(ctx.db, ctx.now, ctx.config) if any(a == "admin" for _, a in todo) else {}
    )
    for recipient, audience in todo:
        week = week_of(ctx.today(recipient))
        if audience == "manager":
            reports = report_lines.get(recipient.user_id, [])
            if not reports:
                continue
            yield Due("digest_manager", "week", week, recipient, {"week": week, "reports": reports})
        else:
            yield Due("digest_admin", "week", week, recipient, {"week": week, **figures})


#: Ledger statuses after which this week's digest is not computed again.
_DIGEST_SETTLED = ("sent", "dead", "claimed")


def _digest_settled(person: Any, kind: str, zones: dict[str, _Zone]) -> ColumnElement[bool]:
    """`person` has had (or is being sent) this week's digest: the week is theirs,
    looked up by their timezone value among `zones`."""
    timezone = func.coalesce(person.timezone, "")
    week = case({value: week_of(zone.today) for value, zone in zones.items()}, value=timezone)
    return (
        select(Notification.id)
        .where(
            Notification.kind == kind,
            Notification.target == literal("week/") + person.slack_user_id,
            Notification.period == week,
            Notification.status.in_(_DIGEST_SETTLED),
        )
        .exists()
    )


def _in_digest(ctx: DueContext) -> ColumnElement[bool]:
    """A `User` their manager's digest lists: still here, and in a pending or active
    mentorship or a new hire."""
    hire_cutoff = ctx.now.date() - timedelta(days=ctx.config.new_hire_window_days)
    return and_(
        User.deactivated_at.is_(None),
        or_(coverage.has_open_mentorship_sql(User.id), User.hire_date >= hire_cutoff),
    )


def _report_lines(
    ctx: DueContext, manager_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[dict[str, Any]]]:
    """Per manager: each direct report who is in the program or a new hire, with their
    mentorship's status, never its private content (no summaries, notes or items).
    One query, with each mentorship's sessions and each hire's milestones grouped in it."""
    if not manager_ids:
        return {}
    today = ctx.now.date()
    week_ago = ctx.now - timedelta(days=7)
    open_assignment = and_(
        Assignment.mentee_user_id == User.id, Assignment.status.in_(OPEN_STATUSES)
    )
    sessions = (
        select(
            MentorshipSession.assignment_id,
            func.max(MentorshipSession.session_date).label("last_at"),
            func.sum(case((MentorshipSession.session_date >= week_ago, 1), else_=0)).label(
                "recent"
            ),
        )
        .group_by(MentorshipSession.assignment_id)
        .subquery("session_stats")
    )
    milestones = (
        select(
            RampMilestone.mentee_user_id,
            func.count(RampMilestone.achieved_date).label("achieved"),
            func.count().label("total"),
            func.sum(
                case(
                    (
                        and_(
                            RampMilestone.achieved_date.is_(None),
                            RampMilestone.target_date < today,
                        ),
                        1,
                    ),
                    else_=0,
                )
            ).label("overdue"),
        )
        .group_by(RampMilestone.mentee_user_id)
        .subquery("milestone_stats")
    )
    rows = ctx.db.execute(
        select(
            User.id,
            User.manager_id,
            User.name,
            User.hire_date,
            Assignment.status,
            Assignment.progress_flag,
            mentor_user.name.label("mentor_name"),
            sessions.c.last_at,
            sessions.c.recent,
            milestones.c.achieved,
            milestones.c.total,
            milestones.c.overdue,
        )
        .outerjoin(Assignment, open_assignment)
        .outerjoin(Mentor, Mentor.id == Assignment.mentor_id)
        .outerjoin(mentor_user, mentor_user.id == Mentor.user_id)
        .outerjoin(sessions, sessions.c.assignment_id == Assignment.id)
        .outerjoin(milestones, milestones.c.mentee_user_id == User.id)
        .where(User.manager_id.in_(manager_ids), _in_digest(ctx))
        .order_by(User.name)
    ).all()
    by_manager: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        last_at = _utc(row.last_at)
        by_manager[row.manager_id].append(
            {
                "name": row.name,
                "status": row.status or "no mentor",
                "mentor_name": row.mentor_name,
                "hire_date": row.hire_date.isoformat() if row.hire_date else None,
                "sessions_this_week": int(row.recent or 0),
                "last_session": last_at.isoformat() if last_at else None,
                "milestones_achieved": int(row.achieved or 0),
                "milestones_total": int(row.total or 0),
                "milestones_overdue": int(row.overdue or 0),
                "progress_flag": row.progress_flag,
            }
        )
    return by_manager


def program_figures(db: Session, now: datetime, config: ProgramConfig) -> dict[str, int]:
    """The admins' weekly figures: counts only."""
    week_ago = now - timedelta(days=7)
    hire_cutoff = now.date() - timedelta(days=config.new_hire_window_days)

    def count(*where: Any, of: Any = Assignment.id) -> int:
        return int(db.scalar(select(func.count(of)).where(*where)) or 0)

    covered = select(Assignment.mentee_user_id).where(Assignment.status.in_(("pending", "active")))
    return {
        "active_mentorships": count(Assignment.status == "active"),
        "pending_requests": count(Assignment.status == "pending"),
        "active_mentors": count(Mentor.is_active.is_(True), of=Mentor.id),
        "mentors_with_room": count(
            Mentor.is_active.is_(True),
            Mentor.current_mentee_count < Mentor.max_mentees,
            of=Mentor.id,
        ),
        "sessions_this_week": count(
            MentorshipSession.session_date >= week_ago, of=MentorshipSession.id
        ),
        "new_hires_without_mentor": count(
            User.hire_date >= hire_cutoff,
            User.deactivated_at.is_(None),
            User.is_bot.is_(False),
            User.id.not_in(covered),
            of=User.id,
        ),
        "reviews_waiting": count(MilestoneSubmission.decision.is_(None), of=MilestoneSubmission.id),
        "milestones_overdue": count(
            RampMilestone.achieved_date.is_(None),
            RampMilestone.target_date < now.date(),
            of=RampMilestone.id,
        ),
    }


def _utc(value: datetime | None) -> datetime | None:
    # Aggregates bypass the UTCDateTime column type; SQLite hands back a naive UTC value.
    from datetime import UTC

    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _hours(delta: timedelta) -> int:
    return int(delta.total_seconds() // 3600)


# -- "Snooze a week" -----------------------------------------------------------------------
@dataclass(frozen=True)
class Snoozed:
    assignment_id: uuid.UUID
    until: datetime
    until_day: date  # in the actor's timezone
    other_name: str


def snooze_week(
    db: Session, *, assignment_id: uuid.UUID, actor_id: uuid.UUID, now: datetime
) -> Snoozed:
    """Hold this mentorship's check-in nudges (to both people) for a week from `now`.
    Only the mentor or the mentee may; pressing it again just restarts the week."""
    assignment = db.get(Assignment, assignment_id)
    if assignment is None:
        raise NotFound("I can't find that mentorship any more.")
    mentor_user_id = db.scalar(select(Mentor.user_id).where(Mentor.id == assignment.mentor_id))
    if actor_id not in (mentor_user_id, assignment.mentee_user_id):
        raise NotAllowed("Only the mentor or the mentee of this mentorship can snooze its nudges.")
    if assignment.status != "active":
        raise Conflict(f"This mentorship is {assignment.status}, so there is nothing to snooze.")
    other_id = assignment.mentee_user_id if actor_id == mentor_user_id else mentor_user_id
    other_name = db.scalar(select(User.name).where(User.id == other_id)) or ""
    assignment.snoozed_until = now + SNOOZE
    audit.record(
        db,
        actor_id=actor_id,
        action="assignment.snoozed",
        entity_type="assignment",
        entity_id=assignment.id,
        now=now,
        until=assignment.snoozed_until,
    )
    db.flush()
    actor_timezone = db.scalar(select(User.timezone).where(User.id == actor_id))
    until_day = local_date(
        assignment.snoozed_until, actor_timezone, WorkingDay.of(program.load(db))
    )
    return Snoozed(assignment.id, assignment.snoozed_until, until_day, other_name)


# The kinds that live in their own modules register themselves on import.
from bot.services import reminders_questions, reminders_scheduling  # noqa: E402, F401
