"""The PRD's success metrics: each one's figure against the program's target."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.analytics.coverage import Coverage
from bot.services.analytics.ramp import RampComparison
from bot.services.analytics.satisfaction import Satisfaction
from bot.services.analytics.sessions import SessionFrequency
from bot.services.program import ProgramConfig


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
