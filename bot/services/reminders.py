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
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, or_, select, text
from sqlalchemy import cast as sa_cast
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, aliased
from sqlalchemy.types import UserDefinedType

from bot.services import assignments, audit, coverage, ledger, program
from bot.services.errors import Conflict, NotAllowed, NotFound
from bot.services.program import ProgramConfig
from bot.services.working_hours import WorkingDay, is_working_time, local_date, zone_of
from models import (
    CADENCE_DAYS,
    Assignment,
    Mentor,
    MentorshipSession,
    MilestoneSubmission,
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
    """What every finder (or only `kinds`) yields in `context`, to reachable people."""
    chosen = list(kinds) or list(DUE_KINDS)
    if context.db.get_bind().dialect.name == "postgresql":
        # The planner overestimates the finders' date and JSON arithmetic and JIT-compiles
        # their queries, which costs seconds and saves nothing; off for this transaction.
        context.db.execute(text("SELECT set_config('jit', 'off', true)"))
    found: list[Due] = []
    for kind in chosen:
        # A broken finder must not keep every other reminder from going out. Finders
        # only read, so rolling back (PostgreSQL aborts the transaction on an error)
        # loses nothing; it is logged and the sweep goes on.
        settled_before = context.settled
        try:
            found_here = [due for due in DUE_KINDS[kind](context) if due.recipient.reachable]
        except Exception:
            log.exception("finding due reminders of kind %s failed; skipped this sweep", kind)
            context.db.rollback()
            context.settled = settled_before
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
    last_session = (
        select(
            MentorshipSession.assignment_id.label("assignment_id"),
            func.max(MentorshipSession.session_date).label("last_at"),
        )
        .where(MentorshipSession.attended.is_(True))
        .group_by(MentorshipSession.assignment_id)
        .subquery()
    )
    rows = ctx.db.execute(
        _with_pair(
            select(
                Assignment.id,
                Assignment.check_in_cadence,
                Assignment.start_date,
                Assignment.snoozed_until,
                last_session.c.last_at,
            )
        )
        .outerjoin(last_session, last_session.c.assignment_id == Assignment.id)
        .where(Assignment.status == "active")
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


def _recipient_zones(ctx: DueContext) -> dict[str, _Zone] | None:
    """Each distinct timezone people have, resolved as `working_hours` does, keyed by
    the column's value ("" for none). None if PostgreSQL lacks one of the zones, so the
    portable path (Python's tz database) is used instead of a failing query."""
    zones: dict[str, _Zone] = {}
    for value in ctx.db.scalars(select(func.coalesce(User.timezone, "")).distinct()):
        timezone = value or None
        zones[value] = _Zone(
            zone_of(timezone, ctx.day).key,
            local_date(ctx.now, timezone, ctx.day),
            is_working_time(ctx.now, timezone, ctx.day),
        )
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
#: for a sweep, not yet settled in the ledger) reaches Python. The first column counts
#: what was left out as settled; a row of NULLs follows it when nothing else is due.
_CHECKINS_DUE = text(
    """
    WITH zone AS (
        SELECT * FROM unnest(CAST(:tz_values AS text[]), CAST(:zone_names AS text[]),
                             CAST(:todays AS date[]), CAST(:working AS boolean[]))
            AS zone(tz_value, name, today, working)
    ),
    last_session AS (
        SELECT assignment_id, max(session_date) AS last_at
        FROM mentorship_sessions WHERE attended GROUP BY assignment_id
    ),
    recipient AS (
        SELECT a.id, a.check_in_cadence, a.start_date, a.snoozed_until, m.paused_until,
               ls.last_at, side.*
        FROM mentorship_assignments AS a
        JOIN mentors AS m ON m.id = a.mentor_id
        JOIN users AS mu ON mu.id = m.user_id
        JOIN users AS eu ON eu.id = a.mentee_user_id
        LEFT JOIN last_session AS ls ON ls.assignment_id = a.id
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
    SELECT total.settled_count, k.*
    FROM (SELECT count(*) AS settled_count FROM keyed WHERE settled) AS total
    LEFT JOIN LATERAL (SELECT * FROM keyed WHERE NOT settled) AS k ON true
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
        },
    )
    first = True
    for row in rows:
        if first:
            ctx.settled += row.settled_count  # the same on every row
            first = False
        if row.id is None:
            break
        recipient = Recipient(row.user_id, row.slack, row.name, row.timezone, True)
        yield _checkin(row, recipient, row.role, row.other_name, row.last_day, row.due_on)


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
            if not isinstance(item, dict) or item.get("done"):
                continue
            owner = item.get("owner")
            due_on = _parse_date(item.get("due"))
            if owner not in people or due_on is None:
                continue
            recipient = people[owner]
            today = ctx.today(recipient)
            if owner == "mentor" and _mentor_paused(row.paused_until, today):
                continue
            days_left = (due_on - today).days
            if days_left == 1:
                kind = "item_tomorrow"
            elif -OVERDUE_LOOKBACK_DAYS <= days_left < 0:
                kind = "item_overdue"
            else:
                continue
            item_id = str(item.get("id") or index)
            other = people["mentee" if owner == "mentor" else "mentor"]
            yield Due(
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


#: PostgreSQL: a session is read only if one of its items may be due around today: not
#: ticked off, and a due date that is not plainly a date outside the window. The loop in
#: `action_items` still applies the exact rules, so this only has to keep every candidate.
_ITEM_MAY_BE_DUE = (
    '$[*] ? (!(@.done == true) && !(@.due.type() == "string"'
    ' && @.due like_regex "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"'
    " && (@.due < $earliest || @.due > $latest)))"
)


class _JsonPath(UserDefinedType[str]):
    cache_ok = True

    def get_col_spec(self) -> str:
        return "jsonpath"


JSONPATH = _JsonPath()


def _may_have_items_due(ctx: DueContext) -> ColumnElement[bool]:
    """Sessions with action items worth reading at `ctx.now`, tested in the database."""
    if ctx.db.get_bind().dialect.name != "postgresql":
        return func.json_array_length(MentorshipSession.action_items) > 0
    # One day either side of UTC covers every timezone's "today".
    utc_today = ctx.now.date()
    window = {
        "earliest": (utc_today - timedelta(days=OVERDUE_LOOKBACK_DAYS + 1)).isoformat(),
        "latest": (utc_today + timedelta(days=2)).isoformat(),
    }
    return func.jsonb_path_exists(
        MentorshipSession.action_items,
        sa_cast(_ITEM_MAY_BE_DUE, JSONPATH),
        literal(window, postgresql.JSONB),
    )


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
    hours who have not had this week's digest are computed, so a sweep stays cheap."""
    managers = [
        _person(row, "manager")
        for row in ctx.db.execute(
            select(*_person_columns(manager, "manager"))
            .where(manager.id.in_(select(User.manager_id).where(User.manager_id.is_not(None))))
            .distinct()
        )
    ]
    admins = _admins(ctx.db)
    wanted = [
        (recipient, audience)
        for recipient, audience in [
            *((m, "manager") for m in managers),
            *((a, "admin") for a in admins),
        ]
        if recipient.reachable and ctx.working(recipient)
    ]
    keys = {
        (recipient, audience): Due(
            f"digest_{audience}", "week", week_of(ctx.today(recipient)), recipient
        ).key
        for recipient, audience in wanted
    }
    settled = ledger.statuses(ctx.db, keys.values())
    todo = [pair for pair in wanted if settled.get(keys[pair]) not in ("sent", "dead", "claimed")]
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


def _report_lines(
    ctx: DueContext, manager_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[dict[str, Any]]]:
    """Per manager: each direct report who is in the program or a new hire, with their
    mentorship's status, never its private content (no summaries, notes or items)."""
    if not manager_ids:
        return {}
    hire_cutoff = ctx.now.date() - timedelta(days=ctx.config.new_hire_window_days)
    week_ago = ctx.now - timedelta(days=7)
    open_assignment = and_(
        Assignment.mentee_user_id == User.id, Assignment.status.in_(("pending", "active"))
    )
    rows = ctx.db.execute(
        select(
            User.id,
            User.manager_id,
            User.name,
            User.hire_date,
            Assignment.id.label("assignment_id"),
            Assignment.status,
            Assignment.progress_flag,
            mentor_user.name.label("mentor_name"),
        )
        .outerjoin(Assignment, open_assignment)
        .outerjoin(Mentor, Mentor.id == Assignment.mentor_id)
        .outerjoin(mentor_user, mentor_user.id == Mentor.user_id)
        .where(
            User.manager_id.in_(manager_ids),
            User.deactivated_at.is_(None),
            or_(Assignment.id.is_not(None), User.hire_date >= hire_cutoff),
        )
        .order_by(User.name)
    ).all()
    assignment_ids = [r.assignment_id for r in rows if r.assignment_id is not None]
    sessions = _session_stats(ctx.db, assignment_ids, week_ago)
    milestones = _milestone_stats(ctx.db, [r.id for r in rows], ctx.now.date())
    by_manager: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        last_at, recent = sessions.get(row.assignment_id, (None, 0))
        achieved, total, overdue = milestones.get(row.id, (0, 0, 0))
        by_manager[row.manager_id].append(
            {
                "name": row.name,
                "status": row.status or "no mentor",
                "mentor_name": row.mentor_name,
                "hire_date": row.hire_date.isoformat() if row.hire_date else None,
                "sessions_this_week": recent,
                "last_session": last_at.isoformat() if last_at else None,
                "milestones_achieved": achieved,
                "milestones_total": total,
                "milestones_overdue": overdue,
                "progress_flag": row.progress_flag,
            }
        )
    return by_manager


def _session_stats(
    db: Session, assignment_ids: list[uuid.UUID], since: datetime
) -> dict[uuid.UUID, tuple[datetime | None, int]]:
    """assignment id -> (last session, sessions since `since`)."""
    stats: dict[uuid.UUID, tuple[datetime | None, int]] = {}
    for chunk in _chunks(assignment_ids):
        recent = func.sum(case((MentorshipSession.session_date >= since, 1), else_=0))
        for assignment_id, last_at, count in db.execute(
            select(
                MentorshipSession.assignment_id,
                func.max(MentorshipSession.session_date),
                func.coalesce(recent, 0),
            )
            .where(MentorshipSession.assignment_id.in_(chunk))
            .group_by(MentorshipSession.assignment_id)
        ):
            stats[assignment_id] = (_utc(last_at), int(count))
    return stats


def _milestone_stats(
    db: Session, user_ids: list[uuid.UUID], today: date
) -> dict[uuid.UUID, tuple[int, int, int]]:
    """user id -> (milestones achieved, milestones in all, overdue)."""
    stats: dict[uuid.UUID, tuple[int, int, int]] = {}
    achieved = func.count(RampMilestone.achieved_date)
    overdue = func.sum(
        case(
            (and_(RampMilestone.achieved_date.is_(None), RampMilestone.target_date < today), 1),
            else_=0,
        )
    )
    for chunk in _chunks(user_ids):
        for user_id, done, total, late in db.execute(
            select(RampMilestone.mentee_user_id, achieved, func.count(), func.coalesce(overdue, 0))
            .where(RampMilestone.mentee_user_id.in_(chunk))
            .group_by(RampMilestone.mentee_user_id)
        ):
            stats[user_id] = (int(done), int(total), int(late))
    return stats


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


def _chunks(ids: list[uuid.UUID], size: int = 1000) -> Iterator[list[uuid.UUID]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


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
