"""Program analytics (FR-5): `/api/mentorship/analytics`, `/api/mentorship/ramp-comparison`
and `/api/mentors/{id}/effectiveness`, the figures `/mentor analytics` shows, by the
same rights: admins (and service tokens with `analytics:read`) the whole program,
managers their reports, mentors themselves. Aggregates only, never private text."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from bot.api.auth import Caller, CallerDep
from bot.api.errors import ApiError
from bot.services import access, analytics, program, records
from bot.services.analytics.ramp import ramp_comparison
from bot.services.analytics.shared import Scope

router = APIRouter(tags=["analytics"])


class Report(BaseModel):
    """A report as JSON: dates ISO 8601, rates as fractions, ids as strings."""

    as_of: str = Field(description="The program day the figures are for (YYYY-MM-DD)")
    scope: str = Field(description="program, reports (a manager's) or mentor (one's own)")
    report: dict[str, Any]


def _program_wide(caller: Caller) -> bool:
    """True for an admin or a service token with analytics:read (403 without it)."""
    caller.require_scope("analytics:read")
    if caller.user_id is None:
        return True
    with caller.db() as db:
        return access.load_user(db, caller.user_id).is_admin


@router.get("/mentorship/analytics", response_model=Report)
def program_analytics(caller: CallerDep) -> Report:
    """Ramp comparison, workload, session frequency, satisfaction, effectiveness ranking
    and coverage: the program's for admins, a manager's reports', a mentor's own."""
    now = caller.now()
    if _program_wide(caller):
        with caller.db(aggregates=True) as db:
            report = analytics.program_report(db, now=now)
        return Report(
            as_of=report.as_of.isoformat(), scope="program", report=analytics.as_json(report)
        )
    assert caller.user_id is not None
    with caller.db(aggregates=True) as db:
        board = analytics.dashboard_for(db, user_id=caller.user_id, now=now)
    if board.manager is None and board.mentor is None:
        raise ApiError(
            403,
            "Analytics are for program admins, managers (their reports) and mentors "
            "(their own figures).",
        )
    scope = "reports" if board.manager is not None else "mentor"
    return Report(as_of=board.as_of.isoformat(), scope=scope, report=analytics.as_json(board))


@router.get("/mentorship/ramp-comparison", response_model=Report)
def program_ramp_comparison(caller: CallerDep) -> Report:
    """FR-5.1: days from hire to each ramp milestone, mentored against not, overall and
    by hire quarter: the program's for admins, a manager's reports' for a manager."""
    now = caller.now()
    if _program_wide(caller):
        with caller.db(aggregates=True) as db:
            config = program.load(db)
            ramp = ramp_comparison(db, config, Scope())
        today = analytics.program_today(now, config)
        return Report(as_of=today.isoformat(), scope="program", report=analytics.as_json(ramp))
    assert caller.user_id is not None
    with caller.db(aggregates=True) as db:
        if access.MANAGER not in access.roles_of(db, access.load_user(db, caller.user_id)):
            raise ApiError(403, "The ramp comparison is for program admins and managers.")
        mine = analytics.manager_report(db, manager_id=caller.user_id, now=now)
        today = program.todays_date(db, now)
    return Report(as_of=today.isoformat(), scope="reports", report=analytics.as_json(mine.ramp))


@router.get("/mentors/{mentor_id}/effectiveness", response_model=Report)
def mentor_effectiveness(mentor_id: uuid.UUID, caller: CallerDep) -> Report:
    """FR-5.5: one mentor's score and place in the effectiveness ranking, their session
    completion and ratings beside the program's: for the mentor, an admin, or a
    service token with `analytics:read`."""
    now = caller.now()
    with caller.db() as db:
        mentor, _user = records.mentor(db, mentor_id)
    if mentor.user_id != caller.user_id and not _program_wide(caller):
        raise ApiError(403, "A mentor's effectiveness is for that mentor and program admins.")
    with caller.db(aggregates=True) as db:
        report = analytics.mentor_report(db, user_id=mentor.user_id, now=now)
        today = program.todays_date(db, now)
    return Report(as_of=today.isoformat(), scope="mentor", report=analytics.as_json(report))
