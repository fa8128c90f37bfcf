"""Plain-Python versions of the issue 17 figures the analytics report carries (session
completion held / scheduled, the response-time standards), read row by row: what
the SQL in bot/services/analytics/scheduled_completion.py and response_times.py must equal."""

from __future__ import annotations

import statistics
import uuid
from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services.analytics import Metric
from bot.services.analytics.response_times import (
    LOOKBACK,
    STANDARDS,
    MentorResponseTimes,
    Standard,
    targets,
)
from bot.services.analytics.scheduled_completion import KEY, OUTCOME_WAIT
from bot.services.program import ProgramConfig
from models import (
    SCHEDULED_STATUSES,
    Assignment,
    Mentor,
    MentorQuestion,
    MilestoneSubmission,
    RampMilestone,
    ScheduledSession,
    User,
)


def with_scheduled_completion(
    metrics: list[Metric], db: Session, config: ProgramConfig, now: datetime
) -> list[Metric]:
    held = missed = scheduled = 0
    for row in db.execute(select(ScheduledSession)).scalars():
        if row.status not in SCHEDULED_STATUSES or row.starts_at is None or row.starts_at > now:
            continue
        if row.status == "confirmed" and row.starts_at >= now - OUTCOME_WAIT:
            continue
        scheduled += 1
        held += row.status == "held"
        missed += row.status == "missed"
    metric = Metric(
        KEY,
        "Session completion (held / scheduled)",
        held / scheduled if scheduled else None,
        config.metric_targets.session_completion,
        "share",
        f"{held} of {scheduled} scheduled sessions held, {missed} missed",
    )
    at = [m.key for m in metrics].index("session_completion") + 1
    return [*metrics[:at], metric, *metrics[at:]]


def response_times(db: Session, config: ProgramConfig, now: datetime) -> list[MentorResponseTimes]:
    hours = targets(config)
    mentor_of = {m.id: m.user_id for m in db.execute(select(Mentor)).scalars()}
    assignments = {a.id: a for a in db.execute(select(Assignment)).scalars()}
    milestones = {m.id: m.assignment_id for m in db.execute(select(RampMilestone)).scalars()}
    waits: dict[uuid.UUID, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))

    def add(
        key: str, mentor: uuid.UUID, start: datetime, end: datetime | None, counted: bool
    ) -> None:
        if start < now - LOOKBACK or not counted:
            return
        if end is None and start > now - timedelta(hours=hours[key]):
            return  # still within the standard: it may yet be met
        waits[mentor][key].append(max(0, int(((end or now) - start).total_seconds() // 60)))

    for a in assignments.values():
        answered = a.mentor_accepted_at or a.declined_at
        add(
            "request",
            mentor_of[a.mentor_id],
            a.created_at,
            answered,
            answered is not None or a.status == "pending",
        )
    for s in db.execute(select(MilestoneSubmission)).scalars():
        assignment = assignments.get(milestones.get(s.milestone_id))  # type: ignore[arg-type]
        if assignment is not None:
            add("review", mentor_of[assignment.mentor_id], s.submitted_at, s.reviewed_at, True)
    for q in db.execute(select(MentorQuestion)).scalars():
        add("question", q.mentor_user_id, q.asked_at, q.answered_at, True)
    for p in db.execute(select(ScheduledSession)).scalars():
        counted = p.answered_at is not None or p.status == "proposed"
        add(
            "schedule",
            mentor_of[assignments[p.assignment_id].mentor_id],
            p.proposed_at,
            p.answered_at,
            counted,
        )

    names = {u.id: u.name for u in db.execute(select(User)).scalars()}
    found = []
    for mentor, by_key in waits.items():
        standards = []
        for key in STANDARDS:
            minutes = by_key.get(key, [])
            met = sum(1 for m in minutes if m <= hours[key] * 60)
            median = round(statistics.median(minutes) / 60, 1) if minutes else None
            standards.append(Standard(key, STANDARDS[key], hours[key], len(minutes), met, median))
        found.append(MentorResponseTimes(mentor, names.get(mentor) or "", standards))
    return sorted(found, key=lambda m: (m.name, str(m.mentor_user_id)))
