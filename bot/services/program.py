"""Program settings: defaults from the PRD, edited by admins, stored per key."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services import audit
from bot.services.errors import InvalidInput
from models import ProgramSetting

DEFAULT_SKILLS = [
    "Product knowledge",
    "Discovery calls",
    "Onboarding & implementation",
    "QBRs & business reviews",
    "Renewals",
    "Expansion & upsell",
    "Churn risk & escalations",
    "Health scores & analytics",
    "Stakeholder mapping",
    "Executive communication",
    "Negotiation",
    "CRM hygiene",
    "Technical troubleshooting",
    "Time management",
]

DEFAULT_EXPECTATIONS = (
    "Meet at the agreed cadence and log each session in MentorBot. "
    "Mentors answer questions within 24 hours and review milestone submissions within 48 hours. "
    "What you discuss stays between mentor and mentee; managers see progress, never notes."
)


class Training(BaseModel):
    key: str
    name: str


class MatchWeights(BaseModel):
    """The PRD's formula: expertise 40, location 20, past success 40."""

    expertise: float = Field(40.0, ge=0)
    timezone: float = Field(20.0, ge=0)
    success: float = Field(40.0, ge=0)


class MetricTargets(BaseModel):
    """The PRD's success metrics: what the analytics compare the program against."""

    coverage: float = Field(1.0, ge=0, le=1)  # share of new hires with a mentor
    ramp_reduction: float = Field(
        0.20, ge=0, le=1
    )  # mentored reach "fully ramped" this much sooner
    session_completion: float = Field(0.90, ge=0, le=1)  # sessions logged / expected by cadence
    mentee_satisfaction: float = Field(4.5, ge=1, le=5)
    mentor_satisfaction: float = Field(4.0, ge=1, le=5)


class EffectivenessWeights(BaseModel):
    """How much each signal counts in the mentor effectiveness ranking (FR-5.5)."""

    rating: float = Field(0.4, ge=0)
    completion: float = Field(0.3, ge=0)
    ramp: float = Field(0.3, ge=0)
    #: The share of the Mentor Role's response-time standards met; 0 (off) by default.
    responsiveness: float = Field(0.0, ge=0)


class ProgramConfig(BaseModel):
    """Every program setting with its default. Where the PRD and the Mentor Role
    differ (capacity 2 vs 20) the PRD's value is the default and the other the ceiling."""

    # Eligibility (FR-1.1)
    min_tenure_days: int = Field(180, ge=0)
    min_performance_rating: float | None = None
    require_certification: bool = False
    # Capacity (FR-1.2)
    default_capacity: int = Field(2, ge=1)
    max_capacity: int = Field(20, ge=1)
    # Expertise taxonomy and matching (FR-1.3, FR-2.1)
    skills: list[str] = Field(default_factory=lambda: list(DEFAULT_SKILLS))
    default_ramp_skills: list[str] = Field(
        default_factory=lambda: ["Product knowledge", "Discovery calls", "QBRs & business reviews"]
    )
    match_weights: MatchWeights = Field(default_factory=MatchWeights)
    #: A mentor's past success is blended with this many mentorships at the program
    #: average, so one good or bad mentorship does not rank them 100 % or 0 %.
    success_smoothing: float = Field(2.0, ge=0, le=50)
    # Training, certification, recognition (FR-1.4, FR-1.5)
    required_trainings: list[Training] = Field(
        default_factory=lambda: [
            Training(key="mentoring-101", name="Mentoring 101"),
            Training(key="privacy", name="Confidentiality & privacy"),
        ]
    )
    recognition_channel: str | None = None
    # Assignment defaults (FR-2.4, FR-2.5, FR-3.1)
    default_duration_weeks: int = Field(12, ge=1, le=104)
    default_cadence: str = "weekly"
    expectations: str = DEFAULT_EXPECTATIONS
    # Response-time standards and coverage (Mentor Role, PRD success metrics)
    request_reminder_hours: int = Field(24, ge=1)
    request_fallback_hours: int = Field(48, ge=1)
    review_reminder_hours: int = Field(24, ge=1)
    review_escalation_hours: int = Field(48, ge=1)
    #: Session scheduling (Mentor Role: confirmed within 48 hours): the person who must
    #: answer a proposal is reminded after the first, the mentor and admins told after the
    #: second; both sides are reminded this many minutes before a confirmed session.
    schedule_reminder_hours: int = Field(24, ge=1)
    schedule_escalation_hours: int = Field(48, ge=1)
    session_reminder_minutes: int = Field(60, ge=5, le=1440)
    #: Mentees' questions (Mentor Role: answered within 24 hours).
    question_reminder_hours: int = Field(20, ge=1)
    question_escalation_hours: int = Field(24, ge=1)
    new_hire_window_days: int = Field(90, ge=1)
    coverage_days: int = Field(7, ge=0)
    # The end of a mentorship: the prompt to complete or extend, and closing it by itself
    end_of_term_notice_days: int = Field(7, ge=0, le=90)
    auto_complete_after_days: int = Field(14, ge=1, le=365)
    # The recipient's day (reminders)
    default_timezone: str = "UTC"
    work_start_hour: int = Field(9, ge=0, le=23)
    work_end_hour: int = Field(17, ge=1, le=24)
    work_days: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4])  # Monday = 0
    # Analytics (FR-5)
    metric_targets: MetricTargets = Field(default_factory=MetricTargets)
    effectiveness_weights: EffectivenessWeights = Field(default_factory=EffectivenessWeights)
    #: The ranking's prior: each mentor starts with this many pseudo-mentorships at the
    #: program average, so one glowing (or poor) mentorship can't top (or sink) the list.
    effectiveness_prior_mentorships: int = Field(3, ge=0, le=100)
    #: Below this many hires per group a difference is "not enough data yet".
    analytics_min_sample: int = Field(5, ge=1)


#: The `Session.info` key under which `loaded_once` keeps the settings it read.
_ONCE = "program_config_once"


def load(db: Session) -> ProgramConfig:
    """The program settings in force: stored values over defaults (read once inside
    `loaded_once`)."""
    cached = db.info.get(_ONCE)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    stored = {row.key: row.value for row in db.scalars(select(ProgramSetting))}
    known = {k: v for k, v in stored.items() if k in ProgramConfig.model_fields}
    config = ProgramConfig.model_validate(known)
    if _ONCE in db.info:
        db.info[_ONCE] = config
    return config


@contextmanager
def loaded_once(db: Session) -> Iterator[None]:
    """Inside this block `load(db)` reads the settings once: for a read-only render
    (App Home) whose sections each ask for them. `update` inside it starts over."""
    db.info[_ONCE] = None
    try:
        yield
    finally:
        db.info.pop(_ONCE, None)


def update(
    db: Session, *, changes: dict[str, Any], actor_id: uuid.UUID | None, now: datetime
) -> ProgramConfig:
    """Validate and store `changes` (field name -> value), audited. Raises
    InvalidInput naming each bad field; nothing is written then."""
    unknown = sorted(set(changes) - set(ProgramConfig.model_fields))
    if unknown:
        raise InvalidInput({name: f"'{name}' is not a program setting." for name in unknown})
    current = load(db).model_dump()
    try:
        merged = ProgramConfig.model_validate({**current, **changes})
    except ValidationError as exc:
        raise InvalidInput(
            {str(err["loc"][0]): f"{err['loc'][0]}: {err['msg']}" for err in exc.errors()}
        ) from exc
    if merged.default_capacity > merged.max_capacity:
        raise InvalidInput(
            {"default_capacity": "Default capacity can't be above the maximum capacity."}
        )
    dumped = merged.model_dump()
    for key in changes:
        row = db.get(ProgramSetting, key)
        if row is None:
            db.add(ProgramSetting(key=key, value=dumped[key], updated_by_user_id=actor_id))
        else:
            row.value = dumped[key]
            row.updated_by_user_id = actor_id
    audit.record(
        db,
        actor_id=actor_id,
        action="settings.updated",
        entity_type="program_settings",
        entity_id=None,
        now=now,
        keys=sorted(changes),
    )
    db.flush()
    if _ONCE in db.info:
        db.info[_ONCE] = None
    return merged
