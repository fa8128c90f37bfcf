"""One row per mentored mentorship: what session frequency, satisfaction, the
effectiveness ranking and a manager's statuses are all summed from, and the one
statement that answers frequency and satisfaction together."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnElement

from bot.services.analytics import satisfaction, sessions
from bot.services.analytics.satisfaction import Satisfaction
from bot.services.analytics.sessions import SessionFrequency
from bot.services.analytics.shared import Scope, bound
from models import CADENCE_DAYS, MENTORED_STATUSES, Assignment, RampMilestone
from models.sql_dates import days_between


def per_mentorship(today: date | None, scope: Scope, final_key: str | None) -> sa.CTE:
    """One row per mentored mentorship in scope: sessions expected by cadence and
    logged, group seats, ratings, and the mentee's days to "fully ramped". `today` is
    the bind parameter "today" (None: given when the statement is run)."""
    in_scope = and_(Assignment.status.in_(MENTORED_STATUSES), scope.mentorships())
    span = days_between(
        func.coalesce(Assignment.actual_end_date, bound("today", today, sa.Date())),
        Assignment.start_date,
    )
    cadence_days = case(
        *[(Assignment.check_in_cadence == name, days) for name, days in CADENCE_DAYS.items()],
        else_=CADENCE_DAYS["weekly"],
    )
    expected = case((span > 0, span // cadence_days), else_=0)
    # The session tallies each mentorship keeps (bot/services/tallies.py), so the
    # report reads one row per mentorship, not every session.
    logged = Assignment.sessions_logged

    columns: list[Any] = [
        Assignment.id.label("assignment_id"),
        Assignment.mentor_id.label("mentor_id"),
        Assignment.mentee_rating.label("mentee_rating"),
        Assignment.mentor_rating.label("mentor_rating"),
        expected.label("expected"),
        logged.label("logged"),
        case((logged < expected, logged), else_=expected).label("completed"),
        case((span > 0, span), else_=0).label("active_days"),
        Assignment.group_seats.label("group_seats"),
        Assignment.group_seats_attended.label("group_attended"),
    ]
    query = select(*columns).select_from(Assignment)
    if final_key is None:
        query = query.add_columns(sa.null().label("final_days"))
    else:
        # The ramp facts' days of each mentee's counted final milestone.
        final = (
            select(
                RampMilestone.mentee_user_id.label("user_id"),
                RampMilestone.ramp_days.label("days"),
            )
            .where(
                RampMilestone.template_key == final_key,
                RampMilestone.ramp_counted,
                RampMilestone.ramp_days.is_not(None),
            )
            .subquery("final")
        )
        query = query.add_columns(final.c.days.label("final_days")).outerjoin(
            final, final.c.user_id == Assignment.mentee_user_id
        )
    return query.where(in_scope).cte("per_mentorship")


def partial_sums(per: sa.CTE) -> list[ColumnElement[Any]]:
    """Session and rating sums over a group of the mentorships of `per` (all of them,
    or one mentor's), which `totals` adds up across groups."""
    return [*sessions.partial_sums(per), *satisfaction.partial_sums(per)]


def totals(
    partials: sa.Subquery | sa.CTE, scope: Scope, *, group_sessions: bool = True
) -> list[ColumnElement[Any]]:
    """The `partial_sums` rows added up, labelled as `figures_from` reads them."""
    return [
        *sessions.totals(partials, scope, group_sessions=group_sessions),
        *satisfaction.totals(partials),
    ]


def figures_from(row: Mapping[str, Any]) -> tuple[SessionFrequency, Satisfaction]:
    """Session frequency and satisfaction from a row of `totals`."""
    return sessions.frequency_from(row), satisfaction.satisfaction_from(row)


def sessions_and_satisfaction(
    db: Session, today: date, scope: Scope, *, group_sessions: bool = True
) -> tuple[SessionFrequency, Satisfaction]:
    """Session frequency and satisfaction of the mentorships in scope, in one
    statement; `group_sessions=False` skips counting distinct group sessions (left at 0)."""
    statement = _scoped_figures(scope, group_sessions=group_sessions)
    row = db.execute(statement, {"today": today, **scope.values}).one()
    return figures_from(row._mapping)


def mentor_sessions_and_satisfaction(
    db: Session, today: date, mentor_id: uuid.UUID
) -> tuple[SessionFrequency, Satisfaction]:
    """`sessions_and_satisfaction` of one mentor's mentorships, by a statement built
    once: a mentor's App Home asks on the first open of each mentor, and building
    the statement costs several times what running it does."""
    return sessions_and_satisfaction(
        db, today, replace(_ONE_MENTOR, values={"mentor_id": mentor_id})
    )


def _figures(today: date | None, scope: Scope, *, group_sessions: bool) -> sa.Select[Any]:
    per = per_mentorship(today, scope, final_key=None)
    partials = select(*partial_sums(per)).subquery("partials")
    return select(*totals(partials, scope, group_sessions=group_sessions))


@functools.lru_cache(maxsize=16)
def _scoped_figures(scope: Scope, *, group_sessions: bool) -> sa.Select[Any]:
    """`_figures` of a scope as of "today", built once per scope: a manager's App Home
    asks after every change (their team is the scope's values, given when run)."""
    return _figures(None, scope, group_sessions=group_sessions)


#: One mentor's mentorships, their id given when run: a scope equal whatever its
#: values, so `_scoped_figures` builds its statement once for every mentor.
_ONE_MENTOR = Scope(mentor_id=sa.bindparam("mentor_id", required=True))
