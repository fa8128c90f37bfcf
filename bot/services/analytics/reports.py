"""The reports people read, put together from the questions' answers: the whole
program (admins, the CLI), the admin's App Home headlines, a manager's reports and a
mentor's own figures, and what one person may see (`dashboard_for`)."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session

from bot.services import access, program, reverse
from bot.services.analytics import response_times, scheduled_completion
from bot.services.analytics.circles import CircleFigures, circle_figures
from bot.services.analytics.coverage import Coverage, new_hire_coverage
from bot.services.analytics.effectiveness import Effectiveness, MentorScore, program_figures
from bot.services.analytics.mentorships import (
    mentor_sessions_and_satisfaction,
    sessions_and_satisfaction,
)
from bot.services.analytics.metrics import Metric, success_metrics
from bot.services.analytics.ramp import RampComparison, ramp_comparison
from bot.services.analytics.satisfaction import Satisfaction
from bot.services.analytics.sessions import MonthSessions, SessionFrequency, sessions_by_month
from bot.services.analytics.shared import Scope, team_of, tune
from bot.services.analytics.statuses import ReportStatus, report_statuses
from bot.services.analytics.workload import Workload, mentor_workload
from bot.services.program import program_today
from models import Assignment, Mentor


@dataclass(frozen=True)
class ProgramHeadlines:
    """The success metrics at a glance and the counts beside them: the top of the
    program report, and all of the admin's App Home section."""

    as_of: date
    metrics: list[Metric]
    hires: int
    mentors: int
    sessions_logged: int


@dataclass(frozen=True)
class ProgramReport:
    as_of: date
    metrics: list[Metric]
    ramp: RampComparison
    workload: Workload
    sessions: SessionFrequency
    satisfaction: Satisfaction
    effectiveness: Effectiveness
    coverage: Coverage
    #: Each mentor against the Mentor Role's response-time standards.
    response_times: list[response_times.MentorResponseTimes] = field(default_factory=list)
    #: Sessions attended per calendar month, the current month last.
    sessions_by_month: list[MonthSessions] = field(default_factory=list)
    #: Reverse mentorships (a newer hire teaches a veteran) that ran or run: counted
    #: apart, as they are out of the ramp comparison and the coverage.
    reverse_mentorships: int = 0
    #: Topic circles, their sessions and attendance: apart from the 1:1 figures above.
    circles: CircleFigures = field(default_factory=CircleFigures)

    @property
    def headlines(self) -> ProgramHeadlines:
        return ProgramHeadlines(
            self.as_of, self.metrics, self.ramp.hires, self.workload.mentors, self.sessions.logged
        )


@dataclass(frozen=True)
class ManagerReport:
    reports: int
    coverage: Coverage
    ramp: RampComparison
    sessions: SessionFrequency
    satisfaction: Satisfaction
    statuses: list[ReportStatus] = field(default_factory=list)


@dataclass(frozen=True)
class MentorReport:
    name: str
    active: int
    capacity: int
    sessions: SessionFrequency
    satisfaction: Satisfaction
    score: MentorScore | None
    ranked: int
    program_completion: float | None
    program_mentee_average: float | None
    response_times: response_times.MentorResponseTimes | None = None
    #: The circles this mentor hosts: shown beside the 1:1 figures, not in them.
    circles: CircleFigures = field(default_factory=CircleFigures)


@dataclass(frozen=True)
class Dashboard:
    """What one person may see: the whole program (admins), their reports
    (managers) and their own figures (mentors); None where the role doesn't apply."""

    as_of: date
    program: ProgramReport | None = None
    manager: ManagerReport | None = None
    mentor: MentorReport | None = None
    #: The program's session completion target, which the charts draw beside a rate.
    session_target: float = 0.9

    @property
    def empty(self) -> bool:
        return self.program is None and self.manager is None and self.mentor is None


def program_report(db: Session, *, now: datetime, ranking_limit: int | None = 10) -> ProgramReport:
    """The whole program's analytics (admins, the CLI). `ranking_limit` caps the
    effectiveness list (None: every mentor)."""
    tune(db)
    config = program.load(db)
    today = program_today(now, config)
    everyone = Scope()
    ramp = ramp_comparison(db, config, everyone)
    sessions, satisfaction, effectiveness = program_figures(
        db, config, today, ramp, limit=ranking_limit, now=now
    )
    coverage = new_hire_coverage(db, config, today, everyone)
    return ProgramReport(
        as_of=today,
        metrics=scheduled_completion.beside_cadence(
            success_metrics(config, coverage, ramp, sessions, satisfaction), db, config, now
        ),
        ramp=ramp,
        workload=mentor_workload(db),
        sessions=sessions,
        satisfaction=satisfaction,
        effectiveness=effectiveness,
        coverage=coverage,
        response_times=response_times.per_mentor(db, now=now, config=config),
        sessions_by_month=sessions_by_month(db, today),
        reverse_mentorships=reverse.count(db),
        circles=circle_figures(db, today),
    )


def program_headlines(db: Session, *, now: datetime) -> ProgramHeadlines:
    """The same headlines as `program_report(...).headlines`, for the admin's App Home
    on every open: it skips what only the full report shows (the other milestones,
    the mentor ranking, the group-session count), so it costs a fraction of it."""
    tune(db)
    config = program.load(db)
    today = program_today(now, config)
    everyone = Scope()
    ramp = ramp_comparison(db, config, everyone, final_only=True)
    sessions, satisfaction = sessions_and_satisfaction(db, today, everyone, group_sessions=False)
    coverage = new_hire_coverage(db, config, today, everyone)
    return ProgramHeadlines(
        as_of=today,
        metrics=scheduled_completion.beside_cadence(
            success_metrics(config, coverage, ramp, sessions, satisfaction), db, config, now
        ),
        hires=ramp.hires,
        mentors=mentor_workload(db, busiest=0).mentors,
        sessions_logged=sessions.logged,
    )


def program_ramp(db: Session, *, now: datetime) -> RampComparison:
    """The whole program's ramp comparison alone (every milestone and quarter): what
    the admin's App Home draws beside its headlines."""
    tune(db)
    return ramp_comparison(db, program.load(db), Scope())


def manager_report(db: Session, *, manager_id: uuid.UUID, now: datetime) -> ManagerReport:
    """Aggregates over a manager's reports (at any depth) and each report's
    mentorship status; statuses and counts only, never session or feedback text."""
    tune(db)
    config = program.load(db)
    today = program_today(now, config)
    scope = team_of(db, manager_id)
    sessions, satisfaction = sessions_and_satisfaction(db, today, scope)
    return ManagerReport(
        reports=db.scalar(_team_size(scope), scope.values) or 0,
        coverage=new_hire_coverage(db, config, today, scope),
        ramp=ramp_comparison(db, config, scope),
        sessions=sessions,
        satisfaction=satisfaction,
        statuses=report_statuses(db, config, today, scope),
    )


@functools.lru_cache(maxsize=4)
def _team_size(scope: Scope) -> Select[tuple[int]]:
    """How many people a team's scope holds (built once: see `team_of`)."""
    assert scope.mentees is not None
    return select(func.count()).select_from(scope.mentees)


@dataclass(frozen=True)
class MentorStanding:
    """A mentor's place among all mentors and the program's figures they compare
    with: computed live by `mentor_standing`, or read from the stored summary
    (bot/services/analytics/summary.py) by App Home."""

    score: MentorScore | None
    ranked: int
    program_completion: float | None
    program_mentee_average: float | None


def mentor_standing(db: Session, *, mentor_id: uuid.UUID, now: datetime) -> MentorStanding:
    """Rank every mentor in the program to place this one (the costly part of a
    mentor's report: App Home reads it from the summary instead)."""
    tune(db)
    config = program.load(db)
    everyone_sessions, everyone_satisfaction, ranking = program_figures(
        # The final milestone alone gives the baseline the ranking compares with.
        db,
        config,
        program_today(now, config),
        ramp_comparison(db, config, Scope(), final_only=True),
        only_mentor=mentor_id,
        limit=None,
        now=now,
    )
    return MentorStanding(
        score=ranking.mentors[0] if ranking.mentors else None,
        ranked=ranking.ranked,
        program_completion=everyone_sessions.completion_rate,
        program_mentee_average=everyone_satisfaction.mentee_average,
    )


# Built once (see roster._BY_SLACK_ID), as are the other statements of a mentor's own
# figures: a mentor's App Home asks on their first open of a morning.
_MENTOR_OF = select(
    Mentor,
    select(func.count())
    .select_from(Assignment)
    .where(Assignment.mentor_id == Mentor.id, Assignment.status == "active")
    .scalar_subquery(),
).where(Mentor.user_id == bindparam("user_id"))


def mentor_report(
    db: Session,
    *,
    user_id: uuid.UUID,
    now: datetime,
    standing: Callable[[uuid.UUID], MentorStanding] | None = None,
) -> MentorReport | None:
    """A mentor's own figures, their place in the ranking and the program's averages
    to compare with; None when the person is not a mentor. `standing` answers the
    place for a mentor id (default: `mentor_standing`, computed now)."""
    found = db.execute(_MENTOR_OF, {"user_id": user_id}).first()
    if found is None:
        return None
    mentor, active = found
    tune(db)
    config = program.load(db)
    today = program_today(now, config)
    mine, mine_satisfaction = mentor_sessions_and_satisfaction(db, today, mentor.id)
    place = (
        standing(mentor.id)
        if standing is not None
        else mentor_standing(db, mentor_id=mentor.id, now=now)
    )
    return MentorReport(
        name=mentor.user.name,
        active=active or 0,
        capacity=mentor.max_mentees,
        sessions=mine,
        satisfaction=mine_satisfaction,
        score=place.score,
        ranked=place.ranked,
        program_completion=place.program_completion,
        program_mentee_average=place.program_mentee_average,
        response_times=next(
            iter(response_times.per_mentor(db, now=now, config=config, mentor_user_id=user_id)),
            None,
        ),
        circles=circle_figures(db, today, host_mentor_id=mentor.id),
    )


def dashboard_for(db: Session, *, user_id: uuid.UUID, now: datetime) -> Dashboard:
    """The analytics this person may see, by role: admins the whole program,
    managers their reports, mentors themselves (a person may be several)."""
    user = access.load_user(db, user_id)
    roles = access.roles_of(db, user)
    config = program.load(db)
    today = program_today(now, config)
    target = config.metric_targets.session_completion
    if access.ADMIN in roles:
        return Dashboard(today, program=program_report(db, now=now), session_target=target)
    return Dashboard(
        today,
        session_target=target,
        manager=manager_report(db, manager_id=user.id, now=now)
        if access.MANAGER in roles
        else None,
        mentor=mentor_report(db, user_id=user.id, now=now) if access.MENTOR in roles else None,
    )
