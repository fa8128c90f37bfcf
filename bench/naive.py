"""The analytics the naive way: read every row into Python and loop.

This is the benchmark's baseline and the tests' oracle: it follows the
definitions in `bot.services.analytics` literally, row by row, so the SQL
aggregates can be checked against it and timed against it."""

from __future__ import annotations

import itertools
import statistics
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bench import naive_circles
from bench import naive_lifecycle as lifecycle
from bot.services import program
from bot.services.analytics import (
    NAMES_SHOWN,
    NO_HIRES,
    Coverage,
    Effectiveness,
    GroupStats,
    HireWithoutMentor,
    MentorLoad,
    MentorScore,
    MonthSessions,
    ProgramReport,
    RampComparison,
    RampRow,
    Satisfaction,
    SessionFrequency,
    Workload,
    program_today,
    success_metrics,
)
from bot.services.analytics.circles import CircleHost
from bot.services.analytics.sessions import month_starts
from models import (
    CADENCE_DAYS,
    COVERED_STATUSES,
    MENTORED_STATUSES,
    Assignment,
    Mentor,
    MentorshipSession,
    MilestoneTemplate,
    RampMilestone,
    User,
)


@dataclass
class _Pair:
    """One mentored mentorship, as the per-mentorship figures need it."""

    id: uuid.UUID
    mentor_id: uuid.UUID
    mentee_id: uuid.UUID
    expected: int
    logged: int
    active_days: int
    mentee_rating: int | None
    mentor_rating: int | None


def naive_report(db: Session, *, now: datetime) -> ProgramReport:
    """The same report as `analytics.program_report(ranking_limit=None)`."""
    config = program.load(db)
    today = program_today(now, config)
    users = {u.id: u for u in db.execute(select(User)).scalars()}
    assignments = list(db.execute(select(Assignment)).scalars())
    sessions = list(
        db.execute(
            select(
                MentorshipSession.assignment_id,
                MentorshipSession.attended,
                MentorshipSession.group_session_id,
                MentorshipSession.session_date,
            )
        )
    )
    milestones = list(
        db.execute(
            select(
                RampMilestone.mentee_user_id,
                RampMilestone.template_key,
                RampMilestone.achieved_date,
            )
        )
    )
    templates = list(
        db.execute(
            select(MilestoneTemplate)
            .where(MilestoneTemplate.is_active)
            .order_by(MilestoneTemplate.position, MilestoneTemplate.days_from_hire)
        ).scalars()
    )
    mentors = list(db.execute(select(Mentor)).scalars())

    mentored_ids = {
        a.mentee_user_id
        for a in assignments
        if a.status in MENTORED_STATUSES and a.kind == "standard"
    }
    ramp = _ramp(users, milestones, templates, mentored_ids, config.analytics_min_sample)
    pairs = _pairs(assignments, sessions, today)
    frequency = _frequency(pairs, sessions, assignments)
    satisfaction = _satisfaction(pairs)
    coverage = _coverage(users, assignments, today, config.new_hire_window_days)
    return ProgramReport(
        as_of=today,
        metrics=lifecycle.with_scheduled_completion(
            success_metrics(config, coverage, ramp, frequency, satisfaction), db, config, now
        ),
        ramp=ramp,
        workload=_workload(mentors, assignments, users, naive_circles.circle_hosts(db)),
        sessions=frequency,
        satisfaction=satisfaction,
        effectiveness=_effectiveness(pairs, users, mentors, milestones, ramp, config),
        coverage=coverage,
        response_times=lifecycle.response_times(db, config, now),
        sessions_by_month=_by_month(sessions, assignments, today),
        reverse_mentorships=sum(
            1 for a in assignments if a.kind == "reverse" and a.status in MENTORED_STATUSES
        ),
        circles=naive_circles.circle_figures(db, today),
    )


def _by_month(sessions: list[Any], assignments: list[Any], today: date) -> list[MonthSessions]:
    mentored = {a.id for a in assignments if a.status in MENTORED_STATUSES}
    edges = month_starts(today)
    counts = [0] * (len(edges) - 1)
    for s in sessions:
        if not s.attended or s.assignment_id not in mentored:
            continue
        for i, (start, end) in enumerate(itertools.pairwise(edges)):
            if start <= s.session_date < end:
                counts[i] += 1
    return [MonthSessions(e.strftime("%Y-%m"), n) for e, n in zip(edges, counts, strict=False)]


def _ramp(
    users: dict[uuid.UUID, Any],
    milestones: list[Any],
    templates: list[Any],
    mentored_ids: set[uuid.UUID],
    min_sample: int,
) -> RampComparison:
    enrolled = {m.mentee_user_id for m in milestones if m.template_key is not None}
    hires = [users[i] for i in enrolled if users[i].hire_date is not None]
    missing = len(enrolled) - len(hires)
    if not templates or not hires:
        return RampComparison(len(hires), missing, min_sample)
    achieved: dict[tuple[uuid.UUID, str], date] = {}
    for m in milestones:
        if m.achieved_date is not None and m.template_key is not None:
            key = (m.mentee_user_id, m.template_key)
            achieved[key] = min(achieved.get(key, m.achieved_date), m.achieved_date)
    groups: dict[tuple[str, int, int], list[int | None]] = defaultdict(list)
    for hire in hires:
        cohort = hire.hire_date.year * 10 + (hire.hire_date.month + 2) // 3
        mentored = int(hire.id in mentored_ids)
        for template in templates:
            reached = achieved.get((hire.id, template.key))
            days = None if reached is None else (reached - hire.hire_date).days
            groups[(template.key, cohort, mentored)].append(days)
            groups[(template.key, 0, mentored)].append(days)

    def stats(key: str, cohort: int, mentored: int) -> GroupStats:
        values = groups.get((key, cohort, mentored))
        if values is None:
            return NO_HIRES
        reached = sorted(v for v in values if v is not None)
        n = len(reached)
        return GroupStats(
            hires=len(values),
            reached=n,
            median_days=float(statistics.median(reached)) if reached else None,
            mean_days=statistics.fmean(reached) if reached else None,
            # Nearest rank: the value at position ceil(n/4), and ceil(3n/4).
            p25_days=float(reached[-(-n // 4) - 1]) if reached else None,
            p75_days=float(reached[-(-3 * n // 4) - 1]) if reached else None,
        )

    finals = [t.key for t in templates if t.is_final]
    final = finals[-1] if finals else templates[-1].key

    def row(template: Any, cohort: int) -> RampRow:
        mentored, others = stats(template.key, cohort, 1), stats(template.key, cohort, 0)
        difference = None
        if (
            min(mentored.reached, others.reached) >= min_sample
            and mentored.median_days is not None
            and others.median_days
        ):
            difference = (mentored.median_days - others.median_days) / others.median_days * 100
        label = "all" if cohort == 0 else f"{cohort // 10} Q{cohort % 10}"
        return RampRow(
            template.key, template.name, template.key == final, label, mentored, others, difference
        )

    cohorts = sorted({c for (_k, c, _m) in groups if c != 0})
    return RampComparison(
        len(hires),
        missing,
        min_sample,
        milestones=[row(t, 0) for t in templates],
        by_cohort=[row(t, c) for c in cohorts for t in templates],
    )


def _pairs(assignments: list[Any], sessions: list[Any], today: date) -> list[_Pair]:
    logged: dict[uuid.UUID, int] = defaultdict(int)
    for s in sessions:
        if s.attended:
            logged[s.assignment_id] += 1
    pairs = []
    for a in assignments:
        if a.status not in MENTORED_STATUSES:
            continue
        span = ((a.actual_end_date or today) - a.start_date).days
        cadence = CADENCE_DAYS.get(a.check_in_cadence, CADENCE_DAYS["weekly"])
        pairs.append(
            _Pair(
                a.id,
                a.mentor_id,
                a.mentee_user_id,
                span // cadence if span > 0 else 0,
                logged[a.id],
                max(span, 0),
                a.mentee_rating,
                a.mentor_rating,
            )
        )
    return pairs


def _frequency(pairs: list[_Pair], sessions: list[Any], assignments: list[Any]) -> SessionFrequency:
    mentored = {a.id for a in assignments if a.status in MENTORED_STATUSES}
    group_rows = [s for s in sessions if s.group_session_id and s.assignment_id in mentored]
    return SessionFrequency(
        mentorships=sum(1 for p in pairs if p.expected > 0),
        expected=sum(p.expected for p in pairs),
        completed=sum(min(p.logged, p.expected) for p in pairs),
        logged=sum(p.logged for p in pairs),
        active_days=sum(p.active_days for p in pairs),
        group_sessions=len({s.group_session_id for s in group_rows}),
        group_seats=len(group_rows),
        group_attended=sum(1 for s in group_rows if s.attended),
    )


def _satisfaction(pairs: list[_Pair]) -> Satisfaction:
    mentee = [p.mentee_rating for p in pairs if p.mentee_rating is not None]
    mentor = [p.mentor_rating for p in pairs if p.mentor_rating is not None]
    return Satisfaction(
        statistics.fmean(mentee) if mentee else None,
        len(mentee),
        statistics.fmean(mentor) if mentor else None,
        len(mentor),
        tuple(mentee.count(score) for score in range(1, 6)),
        tuple(mentor.count(score) for score in range(1, 6)),
    )


def _workload(
    mentors: list[Any],
    assignments: list[Any],
    users: dict[uuid.UUID, Any],
    circle_hosts: list[CircleHost],
) -> Workload:
    active: dict[uuid.UUID, int] = defaultdict(int)
    for a in assignments:
        if a.status == "active":
            active[a.mentor_id] += 1
    loads = [
        MentorLoad(users[m.user_id].name, active[m.id], m.max_mentees)
        for m in mentors
        if m.is_active or active[m.id] > 0
    ]
    busiest = sorted(
        (load for load in loads if load.active > 0),
        key=lambda load: (-load.active / load.capacity, -load.active, load.name),
    )
    return Workload(
        mentors=len(loads),
        active_mentees=sum(load.active for load in loads),
        capacity=sum(load.capacity for load in loads),
        full=sum(1 for load in loads if load.active >= load.capacity),
        idle=sum(1 for load in loads if load.active == 0),
        over_80=sum(1 for load in loads if load.active * 5 > load.capacity * 4),
        busiest=busiest[:10],
        circle_hosts=circle_hosts,
    )


def _coverage(
    users: dict[uuid.UUID, Any], assignments: list[Any], today: date, window: int
) -> Coverage:
    covered_ids = {
        a.mentee_user_id
        for a in assignments
        if a.status in COVERED_STATUSES and a.kind == "standard"
    }
    start = today - timedelta(days=window)
    new_hires = [
        u
        for u in users.values()
        if u.hire_date is not None
        and u.hire_date >= start
        and not u.is_bot
        and u.deactivated_at is None
    ]
    without = sorted(
        (u for u in new_hires if u.id not in covered_ids), key=lambda u: (u.hire_date, u.name)
    )
    return Coverage(
        window_days=window,
        new_hires=len(new_hires),
        covered=sum(1 for u in new_hires if u.id in covered_ids),
        without_mentor=[
            HireWithoutMentor(
                u.name,
                u.slack_user_id,
                u.hire_date,
                users[u.manager_id].name if u.manager_id in users else None,
            )
            for u in without[:NAMES_SHOWN]
        ],
    )


def _effectiveness(
    pairs: list[_Pair],
    users: dict[uuid.UUID, Any],
    mentors: list[Any],
    milestones: list[Any],
    ramp: RampComparison,
    config: Any,
) -> Effectiveness:
    k = config.effectiveness_prior_mentorships
    w = config.effectiveness_weights
    weights = (w.rating, w.completion, w.ramp) if (w.rating + w.completion + w.ramp) else (1, 1, 1)
    fully = ramp.fully_ramped
    baseline = fully.not_mentored.median_days if fully is not None else None
    if fully is not None and fully.not_mentored.reached < ramp.min_sample:
        baseline = None
    final_reached: dict[uuid.UUID, date] = {}
    if fully is not None:
        for m in milestones:
            if m.template_key == fully.milestone_key and m.achieved_date is not None:
                previous = final_reached.get(m.mentee_user_id, m.achieved_date)
                final_reached[m.mentee_user_id] = min(previous, m.achieved_date)

    by_mentor: dict[uuid.UUID, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for p in pairs:
        signals = by_mentor[p.mentor_id]
        signals["n"].append(1)
        if p.mentee_rating is not None:
            signals["rating"].append((p.mentee_rating - 1) / 4)
            signals["raw_rating"].append(p.mentee_rating)
        if p.expected > 0:
            signals["completion"].append(min(p.logged, p.expected) / p.expected)
        reached = final_reached.get(p.mentee_id)
        hire_date = users[p.mentee_id].hire_date
        if baseline and reached is not None and hire_date is not None:
            gain = (baseline - (reached - hire_date).days) / baseline
            signals["gain"].append(min(max(gain + 0.5, 0.0), 1.0))
            signals["raw_gain"].append(gain)

    def program_mean(name: str) -> float | None:
        values = [v for s in by_mentor.values() for v in s[name]]
        return sum(values) / len(values) if values else None

    means = {name: program_mean(name) for name in ("rating", "completion", "gain")}

    def shrunk(signals: dict[str, list[float]], name: str) -> float:
        values, mean = signals[name], means[name]
        if len(values) + k == 0 or (mean is None and k):
            return mean if mean is not None else 0.5
        return (sum(values) + k * (mean or 0)) / (len(values) + k)

    names = {m.id: users[m.user_id].name for m in mentors}
    scored = []
    for mentor_id, signals in by_mentor.items():
        score = (
            100
            * (
                weights[0] * shrunk(signals, "rating")
                + weights[1] * shrunk(signals, "completion")
                + weights[2] * shrunk(signals, "gain")
            )
            / sum(weights)
        )
        scored.append((score, mentor_id, signals))
    scored.sort(key=lambda s: (-s[0], -len(s[2]["n"])))
    ranked = []
    for position, (score, mentor_id, signals) in enumerate(scored):
        previous = scored[position - 1] if position else None
        tied = previous is not None and (previous[0], len(previous[2]["n"])) == (
            score,
            len(signals["n"]),
        )
        rank = ranked[-1].rank if tied else position + 1
        ranked.append(
            MentorScore(
                rank=rank,
                mentor_id=mentor_id,
                name=names[mentor_id],
                score=score,
                mentorships=len(signals["n"]),
                ratings=len(signals["rating"]),
                ramped=len(signals["gain"]),
                average_rating=statistics.fmean(signals["raw_rating"])
                if signals["raw_rating"]
                else None,
                completion=statistics.fmean(signals["completion"])
                if signals["completion"]
                else None,
                ramp_gain=statistics.fmean(signals["raw_gain"]) if signals["raw_gain"] else None,
            )
        )
    ranked.sort(key=lambda m: (m.rank, m.name))
    return Effectiveness(
        ranked=len(ranked), prior_mentorships=k, baseline_days=baseline, mentors=ranked
    )


def differences(left: Any, right: Any, path: str = "report") -> list[str]:
    """Where two JSON-ready reports differ (floats equal to 1e-9 relative)."""
    if isinstance(left, dict) and isinstance(right, dict):
        if set(left) != set(right):
            return [f"{path}: keys {sorted(set(left) ^ set(right))}"]
        return [d for key in left for d in differences(left[key], right[key], f"{path}.{key}")]
    if path.endswith("effectiveness.mentors") and isinstance(left, list):
        # Scores equal to the last few bits may be ordered either way, so compare
        # each mentor's figures by id, and ranks only through the scores.
        return differences(_by_mentor(left), _by_mentor(right), path)
    if isinstance(left, list) and isinstance(right, list):
        if len(left) != len(right):
            return [f"{path}: {len(left)} items vs {len(right)}"]
        return [
            d
            for i, pair in enumerate(zip(left, right, strict=True))
            for d in differences(*pair, f"{path}[{i}]")
        ]
    if isinstance(left, float) and isinstance(right, float | int):
        close = abs(left - right) <= 1e-9 * max(1.0, abs(left), abs(right))
        return [] if close else [f"{path}: {left!r} vs {right!r}"]
    if isinstance(right, float) and isinstance(left, int):
        return differences(right, left, path)
    return [] if left == right else [f"{path}: {left!r} vs {right!r}"]


def _by_mentor(mentors: list[dict[str, Any]]) -> dict[str, Any]:
    return {m["mentor_id"]: {k: v for k, v in m.items() if k != "rank"} for m in mentors}
