"""Session completion as the PRD defines it: sessions held over sessions scheduled
(issue 17), shown beside the cadence-based figure (sessions logged over what each
cadence expects, bot/services/analytics.py).

A *scheduled* session is a confirmed time that has come: held (logged from "How did
it go?"), missed (a no-show on either side), or never answered. One that ended less
than `OUTCOME_WAIT` ago and is not answered yet is left out: its outcome may still
come. Cancelled and rescheduled sessions were never due to happen."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from bot.services.analytics.metrics import Metric
from bot.services.program import ProgramConfig
from models import SCHEDULED_STATUSES, Assignment, ScheduledSession

#: How long after a session its "How did it go?" may still be answered (the followup's window).
OUTCOME_WAIT = timedelta(days=7)
KEY = "scheduled_completion"


@dataclass(frozen=True)
class ScheduledCompletion:
    scheduled: int
    held: int
    missed: int

    @property
    def rate(self) -> float | None:
        return self.held / self.scheduled if self.scheduled else None


def figures(
    db: Session, *, now: datetime, mentor_id: uuid.UUID | None = None
) -> ScheduledCompletion:
    """Held, missed and scheduled sessions of the program (or of one mentor's mentorships)."""
    counted = (ScheduledSession.status != "confirmed") | (
        ScheduledSession.starts_at < now - OUTCOME_WAIT
    )
    statement = select(
        func.count(),
        func.coalesce(func.sum(case((ScheduledSession.status == "held", 1), else_=0)), 0),
        func.coalesce(func.sum(case((ScheduledSession.status == "missed", 1), else_=0)), 0),
    ).where(
        ScheduledSession.status.in_(SCHEDULED_STATUSES),
        ScheduledSession.starts_at <= now,
        counted,
    )
    if mentor_id is not None:
        statement = statement.join(
            Assignment, Assignment.id == ScheduledSession.assignment_id
        ).where(Assignment.mentor_id == mentor_id)
    scheduled, held, missed = db.execute(statement).one()
    return ScheduledCompletion(int(scheduled), int(held), int(missed))


def beside_cadence(
    metrics: list[Metric], db: Session, config: ProgramConfig, now: datetime
) -> list[Metric]:
    """The program's success metrics with "held / scheduled" after the cadence-based
    session completion (same target, the PRD's 90 %)."""
    figure = figures(db, now=now)
    metric = Metric(
        KEY,
        "Session completion (held / scheduled)",
        figure.rate,
        config.metric_targets.session_completion,
        "share",
        f"{figure.held} of {figure.scheduled} scheduled sessions held, {figure.missed} missed",
    )
    keys = [m.key for m in metrics]
    at = keys.index("session_completion") + 1 if "session_completion" in keys else len(metrics)
    return [*metrics[:at], metric, *metrics[at:]]
