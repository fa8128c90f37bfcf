"""How fast mentors respond, against the Mentor Role's response-time standards
(issue 17): a mentorship request answered, a milestone review done, a mentee's
question answered, a session proposal confirmed. For each standard and mentor: how
many came in (over the last `LOOKBACK`), the median time to respond, and the share
answered within the standard. Something still waiting counts once its wait passes
the standard (it has missed it), and is left out before (it may still make it).

The standards are the program settings the reminders escalate at:
`request_fallback_hours`, `review_escalation_hours`, `question_escalation_hours`,
`schedule_escalation_hours`. The SQL groups by mentor, standard and minute waited
and reads each mentor's count, met and median per standard from those rows
(`median_by_group`), with the mentor's name."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnElement

from bot.services.analytics.shared import bound, median_by_group
from bot.services.program import ProgramConfig
from models import (
    Assignment,
    Mentor,
    MentorQuestion,
    MilestoneSubmission,
    RampMilestone,
    ScheduledSession,
    User,
)
from models.sql_dates import minutes_between
from models.types import UTCDateTime

#: Responses over this window count: how a mentor responds now, not two years ago.
LOOKBACK = timedelta(days=90)

#: Standard key -> what people read.
STANDARDS = {
    "request": "Requests answered",
    "review": "Reviews done",
    "question": "Questions answered",
    "schedule": "Sessions confirmed",
}


@dataclass(frozen=True, slots=True)
class Standard:
    """One standard for one mentor (or the whole program)."""

    key: str
    name: str
    target_hours: int
    responses: int
    met: int
    median_hours: float | None

    @property
    def met_rate(self) -> float | None:
        return self.met / self.responses if self.responses else None


@dataclass(frozen=True, slots=True)
class MentorResponseTimes:
    mentor_user_id: uuid.UUID
    name: str
    standards: list[Standard]

    @property
    def met_rate(self) -> float | None:
        """The share of all their responses within standard: the ranking's factor."""
        total = sum(s.responses for s in self.standards)
        return sum(s.met for s in self.standards) / total if total else None


def targets(config: ProgramConfig) -> dict[str, int]:
    """Standard key -> its target in hours (the settings the escalations use)."""
    return {
        "request": config.request_fallback_hours,
        "review": config.review_escalation_hours,
        "question": config.question_escalation_hours,
        "schedule": config.schedule_escalation_hours,
    }


def per_mentor(
    db: Session, *, now: datetime, config: ProgramConfig, mentor_user_id: uuid.UUID | None = None
) -> list[MentorResponseTimes]:
    """Each mentor's figures (or only `mentor_user_id`'s), by name: one statement
    gives each mentor's count, met and median per standard with their name. One
    mentor's is a statement built once: their App Home asks on the first open of each
    mentor, and building it costs several times what running it does."""
    hours = targets(config)
    values = _values(now, hours)
    if mentor_user_id is None:
        statement, params = _per_mentor_statement(values, None), {}
    else:
        statement = _one_mentors_statement()
        params = {**values, "mentor_user_id": mentor_user_id}
    # Shared by every mentor without a response to that standard (they are frozen).
    nothing = {key: Standard(key, STANDARDS[key], hours[key], 0, 0, None) for key in STANDARDS}
    names: dict[uuid.UUID, str] = {}
    found: dict[uuid.UUID, dict[str, Standard]] = {}
    # Core rows and a dict per mentor: thousands of mentors times four standards, so
    # every object made per row shows in the report's time (allocations and the
    # garbage collector's passes over them).
    for mentor, name, key, responses, met, median in db.connection().execute(statement, params):
        hours_taken = None if median is None else round(median / 60, 1)
        if mentor not in found:
            names[mentor] = name or ""
            found[mentor] = {}
        found[mentor][key] = Standard(
            key, STANDARDS[key], hours[key], int(responses), int(met), hours_taken
        )
    result = [
        MentorResponseTimes(
            mentor, names[mentor], [by_key.get(key) or nothing[key] for key in STANDARDS]
        )
        for mentor, by_key in found.items()
    ]
    return sorted(result, key=lambda m: (m.name, str(m.mentor_user_id)))


def _per_mentor_statement(
    values: Mapping[str, Any] | None, mentor_user_id: ColumnElement[Any] | None
) -> sa.Select[Any]:
    """Per mentor, standard: responses, met, median minutes, with the mentor's name;
    `values` as `_values` gives them (None: given when run)."""
    waits = _waits(values, mentor_user_id)
    allowed = _allowed_minutes(waits, values)
    histogram = (
        select(
            waits.c.mentor,
            waits.c.standard,
            waits.c.minutes.label("days"),
            func.count().label("n"),
            func.count(case((waits.c.minutes <= allowed, 1))).label("met"),
        )
        .group_by(waits.c.mentor, waits.c.standard, waits.c.minutes)
        .subquery("histogram")
    )
    figures = median_by_group(histogram, ["mentor", "standard"], sums=["met"]).subquery()
    return select(
        figures.c.mentor,
        User.name,
        figures.c.standard,
        figures.c.reached,
        figures.c.met,
        figures.c.median_days,
    ).outerjoin(User, User.id == figures.c.mentor)


@functools.cache
def _one_mentors_statement() -> sa.Select[Any]:
    """`_per_mentor_statement` of the mentor "mentor_user_id", every value a bind
    parameter given when run."""
    return _per_mentor_statement(None, sa.bindparam("mentor_user_id"))


def program_wide(mentors: list[MentorResponseTimes], config: ProgramConfig) -> list[Standard]:
    """The standards over every mentor's responses (medians of all responses)."""
    hours = targets(config)
    return [
        Standard(
            key,
            STANDARDS[key],
            hours[key],
            sum(s.responses for m in mentors for s in m.standards if s.key == key),
            sum(s.met for m in mentors for s in m.standards if s.key == key),
            None,
        )
        for key in STANDARDS
    ]


def met_by_mentor(now: datetime, config: ProgramConfig) -> sa.Subquery:
    """Per mentor (user id, `mentor`): their `responses` and how many `met` the standard;
    the ranking's responsiveness factor."""
    values = _values(now, targets(config))
    waits = _waits(values, None)
    allowed = _allowed_minutes(waits, values)
    return (
        select(
            waits.c.mentor,
            func.count().label("responses"),
            func.sum(case((waits.c.minutes <= allowed, 1), else_=0)).label("met"),
        )
        .group_by(waits.c.mentor)
        .subquery("responsiveness")
    )


def _values(now: datetime, hours: dict[str, int]) -> dict[str, Any]:
    """The bind parameters of `_waits` and `_allowed_minutes` at `now`, under the
    standards' `hours`."""
    return {
        "rt_now": now,
        "rt_since": now - LOOKBACK,
        **{f"rt_late_{key}": now - timedelta(hours=limit) for key, limit in hours.items()},
        **{f"rt_allowed_{key}": limit * 60 for key, limit in hours.items()},
    }


def _param(name: str, values: Mapping[str, Any] | None, type_: Any) -> sa.BindParameter[Any]:
    return bound(name, None if values is None else values[name], type_)


def _allowed_minutes(waits: sa.Subquery, values: Mapping[str, Any] | None) -> Any:
    """The minutes a wait of `waits` may take and still meet its standard."""
    return case(
        *(
            (waits.c.standard == key, _param(f"rt_allowed_{key}", values, sa.Integer()))
            for key in STANDARDS
        )
    )


def _waits(
    values: Mapping[str, Any] | None, mentor_user_id: ColumnElement[Any] | None
) -> sa.Subquery:
    """Every response (or miss) of the lookback: mentor, standard, minutes waited;
    `values` as `_values` gives them (None: given when run)."""
    at = _param("rt_now", values, UTCDateTime())
    since = _param("rt_since", values, UTCDateTime())

    def waited(
        key: str, mentor: Any, start: Any, end: Any, answered: Any, counted: Any = None
    ) -> sa.Select[Any]:
        # An open one counts once its wait has passed the standard (it has missed it).
        late = start <= _param(f"rt_late_{key}", values, UTCDateTime())
        elapsed = minutes_between(func.coalesce(end, at), start)
        # An answer dated before its question (history imported from elsewhere) took no time.
        elapsed = case((elapsed < 0, 0), else_=elapsed)
        where = [start >= since, or_(answered, late)]
        if counted is not None:
            where.append(counted)
        if mentor_user_id is not None:
            where.append(mentor == mentor_user_id)
        return select(
            mentor.label("mentor"), literal(key).label("standard"), elapsed.label("minutes")
        ).where(*where)

    answered_request = func.coalesce(Assignment.mentor_accepted_at, Assignment.declined_at)
    requests = waited(
        "request",
        Mentor.user_id,
        Assignment.created_at,
        answered_request,
        answered_request.is_not(None),
        # Withdrawn before the mentor answered: nothing was asked of them any more.
        or_(answered_request.is_not(None), Assignment.status == "pending"),
    ).join_from(Assignment, Mentor, Mentor.id == Assignment.mentor_id)
    reviews = (
        waited(
            "review",
            Mentor.user_id,
            MilestoneSubmission.submitted_at,
            MilestoneSubmission.reviewed_at,
            MilestoneSubmission.reviewed_at.is_not(None),
        )
        .join_from(MilestoneSubmission, RampMilestone)
        .join(Assignment, Assignment.id == RampMilestone.assignment_id)
        .join(Mentor, Mentor.id == Assignment.mentor_id)
    )
    questions = waited(
        "question",
        MentorQuestion.mentor_user_id,
        MentorQuestion.asked_at,
        MentorQuestion.answered_at,
        MentorQuestion.answered_at.is_not(None),
    )
    proposals = (
        waited(
            "schedule",
            Mentor.user_id,
            ScheduledSession.proposed_at,
            ScheduledSession.answered_at,
            ScheduledSession.answered_at.is_not(None),
            # Withdrawn (cancelled) before an answer: nothing left to confirm.
            or_(ScheduledSession.answered_at.is_not(None), ScheduledSession.status == "proposed"),
        )
        .join_from(
            ScheduledSession,
            Assignment,
            and_(Assignment.id == ScheduledSession.assignment_id),
        )
        .join(Mentor, Mentor.id == Assignment.mentor_id)
    )
    return sa.union_all(requests, reviews, questions, proposals).subquery("waits")
