"""FR-4.5: how are a manager's reports doing? Each report's mentorship status and
counts (sessions, milestones), never private text."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from bot.services.analytics.coverage import hire_window, new_hires
from bot.services.analytics.mentorships import per_mentorship
from bot.services.analytics.shared import NAMES_SHOWN, Scope
from bot.services.program import ProgramConfig
from models import Assignment, Mentor, RampMilestone, User


@dataclass(frozen=True)
class ReportStatus:
    """A manager's report in the program: statuses and counts, never private text."""

    name: str
    hire_date: date | None
    mentor_name: str | None
    status: str | None
    sessions_logged: int
    sessions_expected: int
    milestones_achieved: int
    milestones_total: int
    progress_flag: str | None


def report_statuses(
    db: Session, config: ProgramConfig, today: date, scope: Scope
) -> list[ReportStatus]:
    """Each report in the program (a new hire, or with a mentorship or milestones)
    and their most relevant mentorship: active, then pending, then the latest."""
    values = {"today": today, **hire_window(config, today), **scope.values}
    return [
        ReportStatus(
            name=r.name,
            hire_date=r.hire_date,
            mentor_name=r.mentor_name,
            status=r.status,
            sessions_logged=r.logged,
            sessions_expected=r.expected,
            milestones_achieved=r.achieved,
            milestones_total=r.total,
            progress_flag=r.progress_flag,
        )
        for r in db.execute(_statement(scope), values)
    ]


@functools.lru_cache(maxsize=16)
def _statement(scope: Scope) -> sa.Select[Any]:
    """`report_statuses`' statement, built once per scope with every value a bind
    parameter ("today", "hired_since" and the scope's): a manager's App Home asks after
    every change."""
    status_order = case(
        (Assignment.status == "active", 0),
        (Assignment.status == "pending", 1),
        (Assignment.status == "completed", 2),
        else_=3,
    )
    per = per_mentorship(None, scope, final_key=None)
    latest = (
        select(
            Assignment.id,
            Assignment.mentee_user_id,
            Assignment.mentor_id,
            Assignment.status,
            Assignment.progress_flag,
            func.row_number()
            .over(
                partition_by=Assignment.mentee_user_id,
                order_by=(status_order, Assignment.start_date.desc(), Assignment.created_at.desc()),
            )
            .label("rn"),
        )
        .where(scope.mentorships())
        .subquery()
    )
    milestones = (
        select(
            RampMilestone.mentee_user_id.label("user_id"),
            func.count().label("total"),
            func.count(RampMilestone.achieved_date).label("achieved"),
        )
        .where(scope.people(RampMilestone.mentee_user_id))
        .group_by(RampMilestone.mentee_user_id)
        .subquery()
    )
    mentor_user = aliased(User)
    return (
        select(
            User.name,
            User.hire_date,
            mentor_user.name.label("mentor_name"),
            latest.c.status,
            latest.c.progress_flag,
            func.coalesce(milestones.c.achieved, 0).label("achieved"),
            func.coalesce(milestones.c.total, 0).label("total"),
            func.coalesce(per.c.logged, 0).label("logged"),
            func.coalesce(per.c.expected, 0).label("expected"),
        )
        .outerjoin(latest, and_(latest.c.mentee_user_id == User.id, latest.c.rn == 1))
        .outerjoin(per, per.c.assignment_id == latest.c.id)
        .outerjoin(Mentor, Mentor.id == latest.c.mentor_id)
        .outerjoin(mentor_user, mentor_user.id == Mentor.user_id)
        .outerjoin(milestones, milestones.c.user_id == User.id)
        .where(
            scope.people(User.id),
            or_(
                new_hires(scope),
                latest.c.id.is_not(None),
                milestones.c.total.is_not(None),
            ),
        )
        .order_by(User.hire_date.desc().nulls_last(), User.name)
        .limit(NAMES_SHOWN)
    )
