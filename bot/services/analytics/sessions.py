"""FR-5.3 and the session completion metric: are mentorships meeting as often as
their cadence asks?

*Expected sessions* of a mentorship are its days active (start to end, or to today)
divided by its cadence; *completion* is sessions attended over expected, each
mentorship capped at its expected count so one busy pair can't hide another's missed
check-ins. The per-mentorship rows come from `mentorships.per_mentorship`."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnElement

from bot.services.analytics.shared import DAYS_PER_MONTH, Scope, summed
from models import ASSIGNMENT_STATUSES, MENTORED_STATUSES, Assignment, MentorshipSession

#: How many calendar months the monthly series covers, the current one last.
MONTHS_SHOWN = 12

#: The sums `partial_sums` gives per group, which `totals` adds up under the same name.
_SUMMED = ("expected", "completed", "logged", "active_days", "group_seats", "group_attended")


@dataclass(frozen=True)
class SessionFrequency:
    """FR-5.3: sessions against what each mentorship's cadence expects."""

    mentorships: int
    expected: int
    completed: int
    logged: int
    active_days: int
    group_sessions: int
    group_seats: int
    group_attended: int

    @property
    def completion_rate(self) -> float | None:
        return self.completed / self.expected if self.expected else None

    @property
    def per_mentorship_month(self) -> float | None:
        return self.logged / (self.active_days / DAYS_PER_MONTH) if self.active_days else None

    @property
    def attendance_rate(self) -> float | None:
        return self.group_attended / self.group_seats if self.group_seats else None


@dataclass(frozen=True)
class MonthSessions:
    """Sessions attended in one calendar month (UTC), e.g. month "2026-11"."""

    month: str
    sessions: int


def month_starts(today: date, months: int = MONTHS_SHOWN) -> list[datetime]:
    """The first instants (UTC) of the `months` calendar months ending with today's,
    and of the month after: the edges of the monthly series."""
    index = today.year * 12 + today.month - 1 - (months - 1)
    return [
        datetime((index + i) // 12, (index + i) % 12 + 1, 1, tzinfo=UTC) for i in range(months + 1)
    ]


def sessions_by_month(db: Session, today: date) -> list[MonthSessions]:
    """Sessions attended per calendar month by the mentored mentorships, over the
    last `MONTHS_SHOWN` months: one row, the same SQL on both databases.

    Each month is one range of the attended-sessions-by-date index, counted without
    reading a row (working out every session's month costs more than the count);
    the sessions of the few mentorships that are not mentored are then taken off,
    found through their mentorship."""
    edges = month_starts(today)
    when = MentorshipSession.session_date
    attended = and_(MentorshipSession.attended, MentorshipSession.assignment_id.is_not(None))
    months = list(itertools.pairwise(edges))
    not_mentored = (
        select(
            *[
                func.count(case((and_(when >= start, when < end), 1))).label(f"m{i}")
                for i, (start, end) in enumerate(months)
            ]
        )
        .join(Assignment, Assignment.id == MentorshipSession.assignment_id)
        .where(attended, when >= edges[0], when < edges[-1], Assignment.id.in_(_not_mentored()))
        .subquery("not_mentored")
    )
    row = db.execute(
        select(
            *[
                select(func.count()).where(attended, when >= start, when < end).scalar_subquery()
                - not_mentored.c[f"m{i}"]
                for i, (start, end) in enumerate(months)
            ]
        )
    ).one()
    return [
        MonthSessions(start.strftime("%Y-%m"), int(row[i] or 0))
        for i, start in enumerate(edges[:-1])
    ]


def _not_mentored() -> sa.Select:
    """Mentorships that are not mentored (pending, declined, cancelled): few, found by
    the status index, so leaving them out is cheaper than joining every session."""
    return select(Assignment.id).where(
        Assignment.status.in_([s for s in ASSIGNMENT_STATUSES if s not in MENTORED_STATUSES])
    )


def partial_sums(per: sa.CTE) -> list[ColumnElement[Any]]:
    """Session sums over a group of the mentorships of `per` (all of them, or one
    mentor's), which `totals` adds up across groups."""
    return [
        # Mentorships with sessions expected so far: their completion can be judged.
        func.count(case((per.c.expected > 0, 1))).label("paced"),
        *[func.coalesce(func.sum(per.c[name]), 0).label(name) for name in _SUMMED],
    ]


def totals(
    partials: sa.Subquery | sa.CTE, scope: Scope, *, group_sessions: bool = True
) -> list[ColumnElement[Any]]:
    """The `partial_sums` rows added up, labelled as `frequency_from` reads them;
    `group_sessions=False` skips counting distinct group sessions (left at 0)."""
    distinct_groups = _group_sessions(scope) if group_sessions else literal(0)
    return [
        summed(partials, "paced").label("mentorships"),
        *[summed(partials, name).label(name) for name in _SUMMED],
        distinct_groups.label("group_sessions"),
    ]


def frequency_from(row: Mapping[str, Any]) -> SessionFrequency:
    """The figures of a row of `totals`."""
    return SessionFrequency(
        mentorships=int(row["mentorships"]),
        expected=int(row["expected"]),
        completed=int(row["completed"]),
        logged=int(row["logged"]),
        active_days=int(row["active_days"]),
        group_sessions=int(row["group_sessions"] or 0),
        group_seats=int(row["group_seats"]),
        group_attended=int(row["group_attended"]),
    )


def _group_sessions(scope: Scope) -> ColumnElement[int]:
    """How many distinct group sessions the mentored mentorships in scope held."""
    seats = select(MentorshipSession.group_session_id).where(
        MentorshipSession.group_session_id.is_not(None)
    )
    if scope.everyone:
        # The whole program: rather than join every group seat to its mentorship, leave
        # out the few mentorships that are not mentored, and read the distinct ids in
        # the order of the group-seat index.
        seats = seats.where(
            MentorshipSession.assignment_id.is_not(None),
            MentorshipSession.assignment_id.not_in(_not_mentored()),
        )
    else:
        seats = seats.join(Assignment, Assignment.id == MentorshipSession.assignment_id).where(
            Assignment.status.in_(MENTORED_STATUSES), scope.mentorships()
        )
    groups = seats.distinct().subquery("group_sessions")
    return select(func.count()).select_from(groups).scalar_subquery()
