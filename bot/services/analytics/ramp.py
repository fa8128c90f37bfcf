"""FR-5.1: do mentored hires ramp faster? Days from hire to each ramp milestone,
mentored against other hires, overall and per hire quarter.

A *hire* is anyone with ramp milestones from the program's templates; *mentored*
means they had an active or completed mentorship; *ramp* is days from hire date to
a milestone's achieved date, and hires who have not reached it yet are counted as
"not yet", never dropped. Each milestone counts the hires who were given it: a
template added after some hires started is not "not yet" for them (templates change,
history doesn't: bot/services/milestone_templates.py)."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session

from bot.services.analytics.shared import Scope, median_by_group, to_float
from bot.services.program import ProgramConfig
from models import MilestoneTemplate, RampMilestone


@dataclass(frozen=True)
class GroupStats:
    """Days to a milestone for one group of hires."""

    hires: int
    reached: int
    median_days: float | None
    mean_days: float | None
    #: The middle half of the hires who reached it: 25th and 75th percentile (nearest rank).
    p25_days: float | None = None
    p75_days: float | None = None

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


# Built once (see roster._BY_SLACK_ID), as is `_statement`: a manager's App Home asks
# after every change.
_TEMPLATES = (
    select(MilestoneTemplate.key, MilestoneTemplate.name, MilestoneTemplate.is_final)
    .where(MilestoneTemplate.is_active)
    .order_by(MilestoneTemplate.position, MilestoneTemplate.days_from_hire)
)


def templates(db: Session) -> list[tuple[str, str, bool]]:
    """The active milestone templates in program order: (key, name, is_final)."""
    return [(row.key, row.name, row.is_final) for row in db.execute(_TEMPLATES)]


def final_key(templates: list[tuple[str, str, bool]]) -> str | None:
    """The milestone that means "fully ramped": the last final one, else the last."""
    finals = [key for key, _name, is_final in templates if is_final]
    return finals[-1] if finals else (templates[-1][0] if templates else None)


def ramp_comparison(
    db: Session, config: ProgramConfig, scope: Scope, *, final_only: bool = False
) -> RampComparison:
    """Hires in the ramp program (anyone with template milestones) per hire quarter
    and mentored or not, and a histogram of days to each milestone per group; the
    hires of a group who have no achieved date are its "not yet".

    One statement over the ramp facts each template milestone carries
    (models/ramp_facts.py): the counted rows, read once in group order from their
    index, give both each milestone's histogram of days and how many hires of each
    group were given it (reached or not); one row per hire gives the hire counts.
    `final_only`: just the final milestone ("fully ramped")."""
    active = templates(db)
    if final_only:
        active = [t for t in active if t[0] == final_key(active)]
    min_sample = config.analytics_min_sample
    keys = [key for key, _name, _final in active]
    query = _statement(scope, with_milestones=bool(keys))

    hires_by_group: dict[tuple[int, int], int] = {}
    missing = 0
    reached: dict[tuple[str, int, int], tuple[int, float | None, ...]] = {}
    given: dict[tuple[str, int, int], int] = {}
    for row in db.execute(query, {"template_keys": keys, **scope.values}):
        if row.part == "reached":
            reached[(row.key, row.cohort, int(row.mentored))] = (
                int(row.reached),
                to_float(row.median_days),
                to_float(row.mean_days),
                to_float(row.p25_days),
                to_float(row.p75_days),
            )
        elif row.part == "given":
            given[(row.key, row.cohort, int(row.mentored))] = int(row.reached)
        elif row.cohort is None:
            missing += int(row.reached)
        else:
            hires_by_group[(row.cohort, int(row.mentored))] = int(row.reached)
    hires = sum(hires_by_group.values())
    if not active or not hires:
        return RampComparison(hires, missing, min_sample)

    def group(key: str, cohort_code: int, is_mentored: int) -> GroupStats:
        if cohort_code == 0:
            total = sum(n for (k, _c, m), n in given.items() if k == key and m == is_mentored)
        else:
            total = given.get((key, cohort_code, is_mentored), 0)
        count, median, mean, p25, p75 = reached.get(
            (key, cohort_code, is_mentored), (0, None, None, None, None)
        )
        return GroupStats(total, count, median, mean, p25, p75)

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
    final = final_key(active)
    return RampComparison(
        hires,
        missing,
        min_sample,
        milestones=[ramp_row(k, n, k == final, 0) for k, n, _f in active],
        by_cohort=[ramp_row(k, n, k == final, c) for c in cohorts for k, n, _f in active],
    )


@functools.lru_cache(maxsize=16)
def _statement(scope: Scope, *, with_milestones: bool) -> sa.Select | sa.CompoundSelect:
    """`ramp_comparison`'s statement, built once per scope with every value a bind
    parameter ("template_keys" and the scope's); without milestones, the hire counts
    alone."""
    m = RampMilestone
    in_scope = scope.people(m.mentee_user_id)
    no_figures = [
        sa.cast(sa.null(), sa.Float).label(name)
        for name in ("mean_days", "median_days", "p25_days", "p75_days")
    ]
    # Rows of part "hires" are hire counts per group (cohort None: no hire date),
    # "given" how many of a group were given a milestone, "reached" each milestone's
    # reached count, mean and median per group.
    hire_counts = (
        select(
            literal("hires").label("part"),
            sa.cast(sa.null(), sa.String).label("key"),
            m.ramp_cohort.label("cohort"),
            m.ramp_mentored.label("mentored"),
            func.count().label("reached"),
            *no_figures,
        )
        .where(m.ramp_hire_row, in_scope)
        .group_by(m.ramp_cohort, m.ramp_mentored)
    )
    query: sa.Select | sa.CompoundSelect = hire_counts
    if with_milestones:
        # Days None: given the milestone but not there yet.
        histogram = (
            select(
                m.template_key.label("key"),
                m.ramp_cohort.label("cohort"),
                m.ramp_mentored.label("mentored"),
                m.ramp_days.label("days"),
                func.count().label("n"),
            )
            .where(
                m.ramp_counted,
                m.template_key.in_(sa.bindparam("template_keys", expanding=True)),
                in_scope,
            )
            .group_by(m.template_key, m.ramp_cohort, m.ramp_mentored, m.ramp_days)
            .cte("histogram")
        )
        h = histogram.c
        # Cohort 0 stands for "all cohorts", so both groupings come back together.
        both = sa.union_all(
            select(h.key, h.cohort, h.mentored, h.days, h.n).where(h.days.is_not(None)),
            select(h.key, literal(0).label("cohort"), h.mentored, h.days, func.sum(h.n).label("n"))
            .where(h.days.is_not(None))
            .group_by(h.key, h.mentored, h.days),
        ).subquery()
        reached_rows = median_by_group(both, ["key", "cohort", "mentored"]).subquery()
        given_rows = (
            select(
                literal("given"),
                h.key,
                h.cohort,
                h.mentored,
                func.sum(h.n),
                *no_figures,
            )
            .where(h.cohort.is_not(None))
            .group_by(h.key, h.cohort, h.mentored)
        )
        query = sa.union_all(
            select(literal("reached").label("part"), reached_rows), given_rows, hire_counts
        )
    return query


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
