"""Program analytics (PRD FR-5 and its success metrics), computed in the database.

Every figure is a SQL aggregate over the whole table, so the cost is a few
statements whatever the size of the program; Python only shapes the handful of
aggregate rows that come back. What the rows keep for it is read rather than
recomputed: each mentorship's session tallies (bot/services/tallies.py) and each
ramp milestone's ramp facts (models/ramp_facts.py). The same statements run on
PostgreSQL and SQLite; where the dialects differ (days between two dates, a
date's quarter) models/sql_dates.py compiles them per dialect, and the median is
worked out from cumulative counts, which both can do.

Definitions (shown to people in the dashboards too):
- a *hire* is anyone with ramp milestones from the program's templates; *mentored*
  means they had an active or completed mentorship;
- *ramp* is days from hire date to a milestone's achieved date; hires who have not
  reached it yet are counted as "not yet", never dropped;
- *expected sessions* of a mentorship are its days active (start to end, or to
  today) divided by its cadence; *completion* is sessions attended over expected,
  each mentorship capped at its expected count so one busy pair can't hide another's
  missed check-ins;
- the *effectiveness* score shrinks each mentor's averages toward the program's
  with `effectiveness_prior_mentorships` pseudo-mentorships (empirical Bayes)."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.expression import ColumnElement

from bot.services import access, program, response_times, session_completion
from bot.services.coverage import has_open_mentorship_sql
from bot.services.program import ProgramConfig
from models import (
    ASSIGNMENT_STATUSES,
    CADENCE_DAYS,
    MENTORED_STATUSES,
    Assignment,
    Mentor,
    MentorshipSession,
    MilestoneTemplate,
    RampMilestone,
    User,
)
from models.sql_dates import days_between

DAYS_PER_MONTH = 30.4375
#: How many names a dashboard lists before saying "and N more".
NAMES_SHOWN = 25


def _median_by_group(histogram: sa.Subquery, groups: list[str]) -> sa.Select:
    """Per group of a histogram (`groups`..., `days`, `n` rows with that value): how
    many values, their mean and their exact median, from cumulative counts. Window
    functions over a few thousand histogram rows instead of sorting every value; the
    same SQL on PostgreSQL and SQLite."""
    keys = [histogram.c[g] for g in groups]
    cumulative = (
        select(
            *keys,
            histogram.c.days,
            histogram.c.n,
            # sum() of counts is NUMERIC on PostgreSQL; integers keep `//` a whole division.
            sa.cast(
                func.sum(histogram.c.n).over(
                    partition_by=keys, order_by=histogram.c.days, rows=(None, 0)
                ),
                sa.BigInteger,
            ).label("cum"),
            sa.cast(func.sum(histogram.c.n).over(partition_by=keys), sa.BigInteger).label("total"),
        )
    ).subquery()
    c = cumulative.c
    # The median is the mean of the values at positions (total+1)//2 and (total+2)//2.
    lower = func.min(case((c.cum >= (c.total + 1) // 2, c.days)))
    upper = func.min(case((c.cum >= (c.total + 2) // 2, c.days)))
    return select(
        *[c[g] for g in groups],
        func.sum(c.n).label("reached"),
        _ratio(func.sum(c.days * c.n), func.sum(c.n)).label("mean_days"),
        _ratio(lower + upper, 2).label("median_days"),
    ).group_by(*[c[g] for g in groups])


# -- results -------------------------------------------------------------------------------
@dataclass(frozen=True)
class GroupStats:
    """Days to a milestone for one group of hires."""

    hires: int
    reached: int
    median_days: float | None
    mean_days: float | None

    @property
    def not_yet(self) -> int:
        return self.hires - self.reached


NO_HIRES = GroupStats(0, 0, None, None)


@dataclass(frozen=True)
class RampRow:
    milestone_key: str
    milestone_name: str
    is_final: bool
    #: "all" or a hire quarter such as "2026 Q3".
    cohort: str
    mentored: GroupStats
    not_mentored: GroupStats
    #: Median days, mentored against not, in percent (negative: mentored are faster);
    #: None while either group has fewer than `min_sample` hires who reached it.
    difference_pct: float | None


@dataclass(frozen=True)
class RampComparison:
    """FR-5.1: days from hire to each ramp milestone, mentored vs not."""

    hires: int
    missing_hire_date: int
    min_sample: int
    milestones: list[RampRow] = field(default_factory=list)
    by_cohort: list[RampRow] = field(default_factory=list)

    @property
    def fully_ramped(self) -> RampRow | None:
        """The overall row of the program's final milestone ("fully ramped")."""
        return next((r for r in self.milestones if r.is_final), None)

    @property
    def reduction(self) -> float | None:
        """How much sooner mentored hires are fully ramped, as a fraction (0.2 = 20 %)."""
        row = self.fully_ramped
        if row is None or row.difference_pct is None:
            return None
        return -row.difference_pct / 100


@dataclass(frozen=True)
class MentorLoad:
    name: str
    active: int
    capacity: int


@dataclass(frozen=True)
class Workload:
    """FR-5.2: active mentees per mentor against capacity."""

    mentors: int
    active_mentees: int
    capacity: int
    full: int
    idle: int
    over_80: int
    busiest: list[MentorLoad] = field(default_factory=list)

    @property
    def utilisation(self) -> float | None:
        return self.active_mentees / self.capacity if self.capacity else None


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
class Satisfaction:
    """FR-5.4: mentee ratings and mentor satisfaction, 1-5, with their counts."""

    mentee_average: float | None
    mentee_ratings: int
    mentor_average: float | None
    mentor_ratings: int


@dataclass(frozen=True)
class MentorScore:
    rank: int
    mentor_id: uuid.UUID
    name: str
    score: float
    #: Sample sizes: mentorships (active or completed), ratings, mentees fully ramped.
    mentorships: int
    ratings: int
    ramped: int
    average_rating: float | None
    completion: float | None
    #: Mean fraction by which their mentees ramped faster than the non-mentored median.
    ramp_gain: float | None


@dataclass(frozen=True)
class Effectiveness:
    """FR-5.5: mentors ranked by a score shrunk toward the program average."""

    ranked: int
    prior_mentorships: int
    baseline_days: float | None
    mentors: list[MentorScore] = field(default_factory=list)


@dataclass(frozen=True)
class HireWithoutMentor:
    name: str
    slack_user_id: str
    hire_date: date
    manager_name: str | None


@dataclass(frozen=True)
class Coverage:
    """Share of new hires (hired within the window) with an active or pending mentorship."""

    window_days: int
    new_hires: int
    covered: int
    without_mentor: list[HireWithoutMentor] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        return self.covered / self.new_hires if self.new_hires else None


@dataclass(frozen=True)
class Metric:
    """One PRD success metric against its target; `value` None means not enough data."""

    key: str
    name: str
    value: float | None
    target: float
    unit: str  # "share" (0-1) or "rating" (1-5)
    sample: str

    @property
    def met(self) -> bool | None:
        return None if self.value is None else self.value >= self.target - 1e-9


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

    @property
    def headlines(self) -> ProgramHeadlines:
        return ProgramHeadlines(
            self.as_of, self.metrics, self.ramp.hires, self.workload.mentors, self.sessions.logged
        )


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


@dataclass(frozen=True)
class Dashboard:
    """What one person may see: the whole program (admins), their reports
    (managers) and their own figures (mentors); None where the role doesn't apply."""

    as_of: date
    program: ProgramReport | None = None
    manager: ManagerReport | None = None
    mentor: MentorReport | None = None

    @property
    def empty(self) -> bool:
        return self.program is None and self.manager is None and self.mentor is None


# -- public API ----------------------------------------------------------------------------
def program_report(db: Session, *, now: datetime, ranking_limit: int | None = 10) -> ProgramReport:
    """The whole program's analytics (admins, the CLI). `ranking_limit` caps the
    effectiveness list (None: every mentor)."""
    _tune(db)
    config = program.load(db)
    today = program_today(now, config)
    everyone = _Scope()
    ramp = _ramp(db, config, everyone)
    sessions, satisfaction, effectiveness = _program_figures(
        db, config, today, ramp, limit=ranking_limit
    )
    coverage = _coverage(db, config, today, everyone)
    return ProgramReport(
        as_of=today,
        metrics=session_completion.beside_cadence(
            success_metrics(config, coverage, ramp, sessions, satisfaction), db, config, now
        ),
        ramp=ramp,
        workload=_workload(db),
        sessions=sessions,
        satisfaction=satisfaction,
        effectiveness=effectiveness,
        coverage=coverage,
        response_times=response_times.per_mentor(db, now=now, config=config),
    )


def program_headlines(db: Session, *, now: datetime) -> ProgramHeadlines:
    """The same headlines as `program_report(...).headlines`, for the admin's App Home
    on every open: it skips what only the full report shows (the other milestones,
    the mentor ranking, the group-session count), so it costs a fraction of it."""
    _tune(db)
    config = program.load(db)
    today = program_today(now, config)
    everyone = _Scope()
    ramp = _ramp(db, config, everyone, final_only=True)
    sessions, satisfaction = _sessions(db, today, everyone, group_sessions=False)
    coverage = _coverage(db, config, today, everyone)
    return ProgramHeadlines(
        as_of=today,
        metrics=session_completion.beside_cadence(
            success_metrics(config, coverage, ramp, sessions, satisfaction), db, config, now
        ),
        hires=ramp.hires,
        mentors=_workload(db, busiest=0).mentors,
        sessions_logged=sessions.logged,
    )


def manager_report(db: Session, *, manager_id: uuid.UUID, now: datetime) -> ManagerReport:
    """Aggregates over a manager's reports (at any depth) and each report's
    mentorship status; statuses and counts only, never session or feedback text."""
    _tune(db)
    config = program.load(db)
    today = program_today(now, config)
    scope = _Scope(mentees=_reports_of(manager_id))
    sessions, satisfaction = _sessions(db, today, scope)
    return ManagerReport(
        reports=db.scalar(select(func.count()).select_from(scope.mentees)) or 0,  # type: ignore[arg-type]
        coverage=_coverage(db, config, today, scope),
        ramp=_ramp(db, config, scope),
        sessions=sessions,
        satisfaction=satisfaction,
        statuses=_statuses(db, config, today, scope),
    )


def mentor_report(db: Session, *, user_id: uuid.UUID, now: datetime) -> MentorReport | None:
    """A mentor's own figures, their place in the ranking and the program's averages
    to compare with; None when the person is not a mentor."""
    mentor = db.scalar(select(Mentor).where(Mentor.user_id == user_id))
    if mentor is None:
        return None
    _tune(db)
    config = program.load(db)
    today = program_today(now, config)
    mine, mine_satisfaction = _sessions(db, today, _Scope(mentor_id=mentor.id))
    everyone_sessions, everyone_satisfaction, ranking = _program_figures(
        # The final milestone alone gives the baseline the ranking compares with.
        db,
        config,
        today,
        _ramp(db, config, _Scope(), final_only=True),
        only_mentor=mentor.id,
        limit=None,
    )
    active = db.scalar(
        select(func.count())
        .select_from(Assignment)
        .where(Assignment.mentor_id == mentor.id, Assignment.status == "active")
    )
    return MentorReport(
        name=mentor.user.name,
        active=active or 0,
        capacity=mentor.max_mentees,
        sessions=mine,
        satisfaction=mine_satisfaction,
        score=ranking.mentors[0] if ranking.mentors else None,
        ranked=ranking.ranked,
        program_completion=everyone_sessions.completion_rate,
        program_mentee_average=everyone_satisfaction.mentee_average,
        response_times=next(
            iter(response_times.per_mentor(db, now=now, config=config, mentor_user_id=user_id)),
            None,
        ),
    )


def dashboard_for(db: Session, *, user_id: uuid.UUID, now: datetime) -> Dashboard:
    """The analytics this person may see, by role: admins the whole program,
    managers their reports, mentors themselves (a person may be several)."""
    user = access.load_user(db, user_id)
    roles = access.roles_of(db, user)
    today = program_today(now, program.load(db))
    if access.ADMIN in roles:
        return Dashboard(today, program=program_report(db, now=now))
    return Dashboard(
        today,
        manager=manager_report(db, manager_id=user.id, now=now)
        if access.MANAGER in roles
        else None,
        mentor=mentor_report(db, user_id=user.id, now=now) if access.MENTOR in roles else None,
    )


def program_today(now: datetime, config: ProgramConfig) -> date:
    """Today's date where the program runs (its default timezone)."""
    try:
        zone = ZoneInfo(config.default_timezone)
    except (KeyError, ValueError):
        return now.date()
    return now.astimezone(zone).date()


def as_json(report: Any) -> dict[str, Any]:
    """A report as JSON-ready values (dates ISO, ids as strings, rates included)."""
    return _jsonable(report)


# -- queries -------------------------------------------------------------------------------
def _tune(db: Session) -> None:
    """On PostgreSQL, for this transaction only: no JIT (compiling these one-off
    aggregates costs more than they take to run), enough memory to sort and
    hash a large program without spilling to disk, and index pages priced as
    the cached pages they are, so the planner walks the covering indexes in
    order (no hashing) instead of scanning the tables."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(sa.text("SET LOCAL jit = off"))
        db.execute(sa.text("SET LOCAL work_mem = '64MB'"))
        db.execute(sa.text("SET LOCAL random_page_cost = 1.1"))


@dataclass(frozen=True)
class _Scope:
    """Whose data a query covers: everyone, the people in `mentees` (a select of
    user ids), or one mentor's mentorships."""

    mentees: sa.CTE | None = None
    mentor_id: uuid.UUID | None = None

    @property
    def everyone(self) -> bool:
        return self.mentees is None and self.mentor_id is None

    def people(self, user_id: ColumnElement[Any]) -> ColumnElement[bool]:
        if self.mentees is None:
            return sa.true()
        return user_id.in_(select(self.mentees.c.id))

    def mentorships(self) -> ColumnElement[bool]:
        condition = self.people(Assignment.mentee_user_id)
        if self.mentor_id is not None:
            condition = and_(condition, Assignment.mentor_id == self.mentor_id)
        return condition


def _reports_of(manager_id: uuid.UUID) -> sa.CTE:
    """Everyone below the manager in the roster, at any depth (a recursive CTE)."""
    reports = select(User.id).where(User.manager_id == manager_id).cte("reports", recursive=True)
    below = aliased(User)
    return reports.union(select(below.id).where(below.manager_id == reports.c.id))


def _templates(db: Session) -> list[tuple[str, str, bool]]:
    return [
        (row.key, row.name, row.is_final)
        for row in db.execute(
            select(MilestoneTemplate.key, MilestoneTemplate.name, MilestoneTemplate.is_final)
            .where(MilestoneTemplate.is_active)
            .order_by(MilestoneTemplate.position, MilestoneTemplate.days_from_hire)
        )
    ]


def _final_key(templates: list[tuple[str, str, bool]]) -> str | None:
    finals = [key for key, _name, is_final in templates if is_final]
    return finals[-1] if finals else (templates[-1][0] if templates else None)


def _ramp(
    db: Session, config: ProgramConfig, scope: _Scope, *, final_only: bool = False
) -> RampComparison:
    """Hires in the ramp program (anyone with template milestones) per hire quarter
    and mentored or not, and a histogram of days to each milestone per group; the
    hires of a group who have no achieved date are its "not yet".

    One statement over the ramp facts each template milestone carries
    (models/ramp_facts.py): the counted rows, read in group order from their index,
    and one row per hire for the hire counts. `final_only`: just the final milestone
    ("fully ramped")."""
    templates = _templates(db)
    if final_only:
        templates = [t for t in templates if t[0] == _final_key(templates)]
    min_sample = config.analytics_min_sample
    keys = [key for key, _name, _final in templates]
    m = RampMilestone
    in_scope = scope.people(m.mentee_user_id)
    # Rows with no key are hire counts per group (cohort None: no hire date);
    # the others are each milestone's reached count, mean and median per group.
    hire_counts = (
        select(
            sa.cast(sa.null(), sa.String).label("key"),
            m.ramp_cohort.label("cohort"),
            m.ramp_mentored.label("mentored"),
            func.count().label("reached"),
            sa.cast(sa.null(), sa.Float).label("mean_days"),
            sa.cast(sa.null(), sa.Float).label("median_days"),
        )
        .where(m.ramp_hire_row, in_scope)
        .group_by(m.ramp_cohort, m.ramp_mentored)
    )
    query: sa.Select | sa.CompoundSelect = hire_counts
    if keys:
        histogram = (
            select(
                m.template_key.label("key"),
                m.ramp_cohort.label("cohort"),
                m.ramp_mentored.label("mentored"),
                m.ramp_days.label("days"),
                func.count().label("n"),
            )
            .where(m.ramp_counted, m.template_key.in_(keys), m.ramp_days.is_not(None), in_scope)
            .group_by(m.template_key, m.ramp_cohort, m.ramp_mentored, m.ramp_days)
            .cte("histogram")
        )
        h = histogram.c
        # Cohort 0 stands for "all cohorts", so both groupings come back together.
        both = sa.union_all(
            select(h.key, h.cohort, h.mentored, h.days, h.n),
            select(
                h.key, literal(0).label("cohort"), h.mentored, h.days, func.sum(h.n).label("n")
            ).group_by(h.key, h.mentored, h.days),
        ).subquery()
        query = sa.union_all(_median_by_group(both, ["key", "cohort", "mentored"]), hire_counts)

    hires_by_group: dict[tuple[int, int], int] = {}
    missing = 0
    reached: dict[tuple[str, int, int], tuple[int, float | None, float | None]] = {}
    for row in db.execute(query):
        if row.key is not None:
            reached[(row.key, row.cohort, int(row.mentored))] = (
                int(row.reached),
                _float(row.median_days),
                _float(row.mean_days),
            )
        elif row.cohort is None:
            missing += int(row.reached)
        else:
            hires_by_group[(row.cohort, int(row.mentored))] = int(row.reached)
    hires = sum(hires_by_group.values())
    if not templates or not hires:
        return RampComparison(hires, missing, min_sample)

    def group(key: str, cohort_code: int, is_mentored: int) -> GroupStats:
        if cohort_code == 0:
            total = sum(n for (_c, m), n in hires_by_group.items() if m == is_mentored)
        else:
            total = hires_by_group.get((cohort_code, is_mentored), 0)
        count, median, mean = reached.get((key, cohort_code, is_mentored), (0, None, None))
        return GroupStats(hires=total, reached=count, median_days=median, mean_days=mean)

    def ramp_row(key: str, name: str, is_final: bool, cohort_code: int) -> RampRow:
        mentored_stats, others = group(key, cohort_code, 1), group(key, cohort_code, 0)
        return RampRow(
            key,
            name,
            is_final,
            _cohort_label(cohort_code),
            mentored_stats,
            others,
            _difference_pct(mentored_stats, others, min_sample),
        )

    cohorts = sorted({c for (c, _m) in hires_by_group})
    final = _final_key(templates)
    return RampComparison(
        hires,
        missing,
        min_sample,
        milestones=[ramp_row(k, n, k == final, 0) for k, n, _f in templates],
        by_cohort=[ramp_row(k, n, k == final, c) for c in cohorts for k, n, _f in templates],
    )


def _difference_pct(
    mentored: GroupStats, not_mentored: GroupStats, min_sample: int
) -> float | None:
    if min(mentored.reached, not_mentored.reached) < min_sample:
        return None
    if mentored.median_days is None or not not_mentored.median_days:
        return None
    return (mentored.median_days - not_mentored.median_days) / not_mentored.median_days * 100


def _cohort_label(code: int) -> str:
    return "all" if code == 0 else f"{code // 10} Q{code % 10}"


def _per_mentorship(db: Session, today: date, scope: _Scope, final_key: str | None) -> sa.CTE:
    """One row per mentored mentorship in scope: sessions expected by cadence and
    logged, group seats, ratings, and the mentee's days to "fully ramped"."""
    in_scope = and_(Assignment.status.in_(MENTORED_STATUSES), scope.mentorships())
    span = days_between(
        func.coalesce(Assignment.actual_end_date, sa.bindparam("today", today, sa.Date)),
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


def _sessions(
    db: Session, today: date, scope: _Scope, *, group_sessions: bool = True
) -> tuple[SessionFrequency, Satisfaction]:
    """`group_sessions=False` skips counting distinct group sessions (left at 0)."""
    per = _per_mentorship(db, today, scope, final_key=None)
    partials = select(*_partial_sums(per)).subquery("partials")
    totals = _session_totals(partials, scope, group_sessions=group_sessions)
    return _session_figures(db.execute(select(*totals)).one()._mapping)


def _partial_sums(per: sa.CTE) -> list[ColumnElement[Any]]:
    """Sums over a group of the mentorships of `per` (all of them, or one mentor's),
    which `_session_totals` adds up across groups."""
    return [
        # Mentorships with sessions expected so far: their completion can be judged.
        func.count(case((per.c.expected > 0, 1))).label("paced"),
        func.coalesce(func.sum(per.c.expected), 0).label("expected"),
        func.coalesce(func.sum(per.c.completed), 0).label("completed"),
        func.coalesce(func.sum(per.c.logged), 0).label("logged"),
        func.coalesce(func.sum(per.c.active_days), 0).label("active_days"),
        func.coalesce(func.sum(per.c.group_seats), 0).label("group_seats"),
        func.coalesce(func.sum(per.c.group_attended), 0).label("group_attended"),
        func.coalesce(func.sum(per.c.mentee_rating), 0).label("mentee_rating_sum"),
        func.count(per.c.mentee_rating).label("mentee_ratings"),
        func.coalesce(func.sum(per.c.mentor_rating), 0).label("mentor_rating_sum"),
        func.count(per.c.mentor_rating).label("mentor_ratings"),
    ]


def _session_totals(
    partials: sa.Subquery | sa.CTE, scope: _Scope, *, group_sessions: bool = True
) -> list[ColumnElement[Any]]:
    """The `_partial_sums` rows added up, labelled as `_session_figures` reads them."""
    p = partials.c

    def total(name: str) -> ColumnElement[Any]:
        return func.coalesce(func.sum(p[name]), 0)

    distinct_groups = _group_sessions(scope) if group_sessions else literal(0)
    return [
        total("paced").label("mentorships"),
        *[
            total(name).label(name)
            for name in (
                "expected",
                "completed",
                "logged",
                "active_days",
                "group_seats",
                "group_attended",
                "mentee_ratings",
                "mentor_ratings",
            )
        ],
        distinct_groups.label("group_sessions"),
        _ratio(total("mentee_rating_sum"), func.nullif(total("mentee_ratings"), 0)).label(
            "mentee_average"
        ),
        _ratio(total("mentor_rating_sum"), func.nullif(total("mentor_ratings"), 0)).label(
            "mentor_average"
        ),
    ]


def _group_sessions(scope: _Scope) -> ColumnElement[int]:
    """How many distinct group sessions the mentored mentorships in scope held."""
    seats = select(MentorshipSession.group_session_id).where(
        MentorshipSession.group_session_id.is_not(None)
    )
    if scope.everyone:
        # The whole program: rather than join every group seat to its mentorship, leave
        # out the few mentorships that are not mentored (found by the status index),
        # and read the distinct ids in the order of the group-seat index.
        not_mentored = select(Assignment.id).where(
            Assignment.status.in_([s for s in ASSIGNMENT_STATUSES if s not in MENTORED_STATUSES])
        )
        seats = seats.where(
            MentorshipSession.assignment_id.is_not(None),
            MentorshipSession.assignment_id.not_in(not_mentored),
        )
    else:
        seats = seats.join(Assignment, Assignment.id == MentorshipSession.assignment_id).where(
            Assignment.status.in_(MENTORED_STATUSES), scope.mentorships()
        )
    groups = seats.distinct().subquery("group_sessions")
    return select(func.count()).select_from(groups).scalar_subquery()


def _session_figures(row: Mapping[str, Any]) -> tuple[SessionFrequency, Satisfaction]:
    frequency = SessionFrequency(
        mentorships=int(row["mentorships"]),
        expected=int(row["expected"]),
        completed=int(row["completed"]),
        logged=int(row["logged"]),
        active_days=int(row["active_days"]),
        group_sessions=int(row["group_sessions"] or 0),
        group_seats=int(row["group_seats"]),
        group_attended=int(row["group_attended"]),
    )
    satisfaction = Satisfaction(
        mentee_average=_float(row["mentee_average"]),
        mentee_ratings=int(row["mentee_ratings"]),
        mentor_average=_float(row["mentor_average"]),
        mentor_ratings=int(row["mentor_ratings"]),
    )
    return frequency, satisfaction


def _workload(db: Session, busiest: int = 10) -> Workload:
    active = (
        select(Assignment.mentor_id, func.count().label("active"))
        .where(Assignment.status == "active")
        .group_by(Assignment.mentor_id)
        .subquery()
    )
    active_count = func.coalesce(active.c.active, 0)
    loads = (
        select(
            Mentor.user_id.label("user_id"),
            Mentor.max_mentees.label("capacity"),
            active_count.label("active"),
        )
        .outerjoin(active, active.c.mentor_id == Mentor.id)
        # An opted-out mentor still carries the mentees they had.
        .where(or_(Mentor.is_active, active_count > 0))
        .cte("loads")
    )
    totals = select(
        func.count().label("mentors"),
        func.coalesce(func.sum(loads.c.active), 0).label("active_mentees"),
        func.coalesce(func.sum(loads.c.capacity), 0).label("capacity"),
        func.count(case((loads.c.active >= loads.c.capacity, 1))).label("full"),
        func.count(case((loads.c.active == 0, 1))).label("idle"),
        func.count(case((loads.c.active * 5 > loads.c.capacity * 4, 1))).label("over_80"),
    ).subquery("totals")
    name = _name_of(loads.c.user_id)
    place = func.row_number().over(
        order_by=(
            (sa.cast(loads.c.active, sa.Float) / loads.c.capacity).desc(),
            loads.c.active.desc(),
            name,
        )
    )
    top = (
        select(
            name.label("name"),
            loads.c.active.label("busy"),
            loads.c.capacity.label("seats"),
            place.label("place"),
        )
        .where(loads.c.active > 0)
        .order_by(place)
        .limit(busiest)
        .subquery("top")
    )
    rows = db.execute(_beside_totals(totals, top).order_by(top.c.place)).all()
    first = rows[0]
    return Workload(
        mentors=first.mentors,
        active_mentees=int(first.active_mentees),
        capacity=int(first.capacity),
        full=first.full,
        idle=first.idle,
        over_80=first.over_80,
        busiest=[MentorLoad(r.name, r.busy, r.seats) for r in rows if r.name is not None],
    )


def _program_figures(
    db: Session,
    config: ProgramConfig,
    today: date,
    ramp: RampComparison,
    *,
    only_mentor: uuid.UUID | None = None,
    limit: int | None,
) -> tuple[SessionFrequency, Satisfaction, Effectiveness]:
    """Everyone's session frequency, satisfaction and mentor ranking in one statement:
    the mentorships are summed per mentor once, and both each mentor's score and the
    program's totals (the per-mentor sums added up) are read from those rows."""
    k = config.effectiveness_prior_mentorships
    weights = config.effectiveness_weights
    total_weight = weights.rating + weights.completion + weights.ramp
    w_rating, w_completion, w_ramp = (
        (weights.rating, weights.completion, weights.ramp) if total_weight else (1.0, 1.0, 1.0)
    )
    fully = ramp.fully_ramped
    baseline = fully.not_mentored.median_days if fully is not None else None
    if fully is not None and fully.not_mentored.reached < ramp.min_sample:
        baseline = None  # too few non-mentored hires to compare anyone against
    per = _per_mentorship(db, today, _Scope(), final_key=fully.milestone_key if fully else None)

    # Each signal per mentorship, on a 0..1 scale.
    rating_n = _ratio(per.c.mentee_rating - 1, 4)
    completion_n = case((per.c.expected > 0, _ratio(per.c.completed, per.c.expected)))
    if baseline:
        gain = _ratio(literal(baseline, sa.Float) - per.c.final_days, baseline)
        gain_n = case(
            (per.c.final_days.is_(None), None),
            (gain > 0.5, 1.0),
            (gain < -0.5, 0.0),
            else_=gain + 0.5,
        )
        gain_raw: ColumnElement[Any] = gain
    else:
        gain_n = gain_raw = sa.cast(sa.null(), sa.Float)

    by_mentor = (
        select(
            per.c.mentor_id,
            func.count().label("mentorships"),
            *_partial_sums(per),
            func.coalesce(func.sum(rating_n), 0.0).label("rating_sum"),
            func.coalesce(func.sum(completion_n), 0.0).label("completion_sum"),
            func.count(gain_n).label("ramped"),
            func.coalesce(func.sum(gain_n), 0.0).label("gain_sum"),
            func.avg(gain_raw).label("ramp_gain"),
        )
        .group_by(per.c.mentor_id)
        .cte("by_mentor")
    )

    def shrunk(total: str, count: str) -> ColumnElement[float]:
        """(own sum + k * program mean) / (own count + k), neutral when nobody has data."""
        program_mean = _ratio(
            func.sum(by_mentor.c[total]).over(), func.nullif(func.sum(by_mentor.c[count]).over(), 0)
        )
        own = _ratio(by_mentor.c[total] + k * program_mean, func.nullif(by_mentor.c[count] + k, 0))
        return func.coalesce(own, program_mean, 0.5)

    score = (
        100
        * (
            w_rating * shrunk("rating_sum", "mentee_ratings")
            + w_completion * shrunk("completion_sum", "paced")
            + w_ramp * shrunk("gain_sum", "ramped")
        )
        / (w_rating + w_completion + w_ramp)
    )
    scored = select(by_mentor, score.label("score")).subquery()
    ranked = (
        select(
            scored,
            func.rank()
            .over(order_by=(scored.c.score.desc(), scored.c.mentorships.desc()))
            .label("rank"),
        )
    ).subquery()
    name = _name_of(Mentor.user_id).label("name")
    top = (
        select(
            ranked.c.rank,
            ranked.c.mentor_id,
            name,
            ranked.c.score,
            ranked.c.mentorships,
            ranked.c.mentee_ratings,
            ranked.c.mentee_rating_sum,
            ranked.c.paced,
            ranked.c.completion_sum,
            ranked.c.ramped,
            ranked.c.ramp_gain,
        )
        .join(Mentor, Mentor.id == ranked.c.mentor_id)
        .order_by(ranked.c.rank, name)
    )
    if only_mentor is not None:
        top = top.where(ranked.c.mentor_id == only_mentor)
    if limit is not None:
        top = top.limit(limit)
    listed = top.subquery("listed")
    totals = select(
        *_session_totals(by_mentor, _Scope()),
        func.count(by_mentor.c.mentor_id).label("ranked"),
    ).subquery("totals")
    # Core rows: thousands of mentors don't need the ORM's row processing.
    rows = (
        db.connection()
        .execute(_beside_totals(totals, listed).order_by(listed.c.rank, listed.c.name))
        .all()
    )
    frequency, satisfaction = _session_figures(rows[0]._mapping)
    effectiveness = Effectiveness(
        ranked=int(rows[0].ranked),
        prior_mentorships=k,
        baseline_days=baseline,
        # Unpacked by position: attribute access on thousands of rows shows in the timing.
        mentors=[
            MentorScore(
                rank=rank,
                mentor_id=mentor_id,
                name=name,
                score=float(score),
                mentorships=mentorships,
                ratings=ratings,
                ramped=ramped,
                average_rating=rating_sum / ratings if ratings else None,
                completion=completion_sum / paced if paced else None,
                ramp_gain=_float(ramp_gain),
            )
            for (
                rank,
                mentor_id,
                name,
                score,
                mentorships,
                ratings,
                rating_sum,
                paced,
                completion_sum,
                ramped,
                ramp_gain,
            ) in (row[len(totals.c) :] for row in rows)
            if mentor_id is not None
        ],
    )
    return frequency, satisfaction, effectiveness


def _new_hires(config: ProgramConfig, today: date, scope: _Scope) -> ColumnElement[bool]:
    return and_(
        User.hire_date >= today - timedelta(days=config.new_hire_window_days),
        User.is_bot.is_(False),
        User.deactivated_at.is_(None),
        scope.people(User.id),
    )


def _coverage(db: Session, config: ProgramConfig, today: date, scope: _Scope) -> Coverage:
    new_hire = _new_hires(config, today, scope)
    row = db.execute(
        select(
            func.count().label("new_hires"),
            func.count(case((has_open_mentorship_sql(User.id), 1))).label("covered"),
        ).where(new_hire)
    ).one()
    manager = aliased(User)
    without = db.execute(
        select(User.name, User.slack_user_id, User.hire_date, manager.name.label("manager_name"))
        .outerjoin(manager, manager.id == User.manager_id)
        .where(new_hire, ~has_open_mentorship_sql(User.id))
        .order_by(User.hire_date, User.name)
        .limit(NAMES_SHOWN)
    )
    return Coverage(
        window_days=config.new_hire_window_days,
        new_hires=row.new_hires,
        covered=row.covered,
        without_mentor=[
            HireWithoutMentor(r.name, r.slack_user_id, r.hire_date, r.manager_name) for r in without
        ],
    )


def _statuses(db: Session, config: ProgramConfig, today: date, scope: _Scope) -> list[ReportStatus]:
    """Each report in the program (a new hire, or with a mentorship or milestones)
    and their most relevant mentorship: active, then pending, then the latest."""
    status_order = case(
        (Assignment.status == "active", 0),
        (Assignment.status == "pending", 1),
        (Assignment.status == "completed", 2),
        else_=3,
    )
    per = _per_mentorship(db, today, scope, final_key=None)
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
    query = (
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
                _new_hires(config, today, scope),
                latest.c.id.is_not(None),
                milestones.c.total.is_not(None),
            ),
        )
        .order_by(User.hire_date.desc().nulls_last(), User.name)
        .limit(NAMES_SHOWN)
    )
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
        for r in db.execute(query)
    ]


def success_metrics(
    config: ProgramConfig,
    coverage: Coverage,
    ramp: RampComparison,
    sessions: SessionFrequency,
    satisfaction: Satisfaction,
) -> list[Metric]:
    """Each PRD success metric from the computed figures, against the program's targets."""
    targets = config.metric_targets
    fully = ramp.fully_ramped
    ramp_sample = (
        f"{fully.mentored.reached} mentored and {fully.not_mentored.reached} other hires "
        "fully ramped"
        if fully
        else "no ramp milestones defined"
    )
    return [
        Metric(
            "coverage",
            "Mentorship coverage",
            coverage.rate,
            targets.coverage,
            "share",
            f"{coverage.covered} of {coverage.new_hires} new hires",
        ),
        Metric(
            "ramp_reduction",
            "Ramp time reduction",
            ramp.reduction,
            targets.ramp_reduction,
            "share",
            ramp_sample,
        ),
        Metric(
            "session_completion",
            "Session completion rate",
            sessions.completion_rate,
            targets.session_completion,
            "share",
            f"{sessions.completed} of {sessions.expected} expected sessions",
        ),
        Metric(
            "mentee_satisfaction",
            "Mentee satisfaction",
            satisfaction.mentee_average,
            targets.mentee_satisfaction,
            "rating",
            f"{satisfaction.mentee_ratings} ratings",
        ),
        Metric(
            "mentor_satisfaction",
            "Mentor satisfaction",
            satisfaction.mentor_average,
            targets.mentor_satisfaction,
            "rating",
            f"{satisfaction.mentor_ratings} ratings",
        ),
    ]


# -- helpers -------------------------------------------------------------------------------
def _ratio(numerator: Any, denominator: Any) -> ColumnElement[float]:
    """numerator / denominator in double precision on both databases (SQLAlchemy would
    otherwise divide integers as NUMERIC on PostgreSQL, which is slow and returns Decimal)."""
    return sa.cast(numerator, sa.Float) / sa.cast(denominator, sa.Float)


def _name_of(user_id: ColumnElement[Any]) -> ColumnElement[str]:
    """A person's name looked up by key: for a list of a few thousand people, cheaper
    than joining (and so hashing) every user."""
    return select(User.name).where(User.id == user_id).scalar_subquery()


def _beside_totals(totals: sa.Subquery, listed: sa.Subquery) -> sa.Select:
    """A summary and its list in one statement: the one row of `totals`, repeated
    beside each row of `listed` (or alone when nothing is listed). The totals come
    first and keep their names; a listed column of the same name is renamed, so read
    the listed rows by position."""
    return select(totals, listed).select_from(totals.outerjoin(listed, sa.true()))


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
        for name in dir(type(value)):
            if isinstance(getattr(type(value), name), property) and name not in ("empty",):
                prop = getattr(value, name)
                if not dataclasses.is_dataclass(prop):
                    out[name] = _jsonable(prop)
        return out
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value
