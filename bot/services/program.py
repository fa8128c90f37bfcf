"""Program settings: defaults from the PRD, edited by admins, stored per key.

`validate` is the one check of a set of settings, whoever sends it: the admin's Slack
modals (bot/services/admin.py) and a settings file (bot/services/settings_file.py)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Annotated, Any

from annotated_types import Ge, Le
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services import audit
from bot.services.errors import InvalidInput
from bot.services.program_rules import SKILL_NAME_MAX, rules_across_fields
from bot.services.timezones import local_today
from models import ProgramSetting

log = logging.getLogger(__name__)

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


MAX_TRAININGS = 20
EXPECTATIONS_MAX = 2000
#: The metric targets that are shares (0 to 1), shown to people as percentages.
SHARE_TARGETS = ("coverage", "ramp_reduction", "session_completion")

Skill = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class _Strict(BaseModel):
    """A settings group: an unknown key is an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class Training(_Strict):
    key: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=SKILL_NAME_MAX)


class MatchWeights(_Strict):
    """The PRD's formula: expertise 40, location 20, past success 40."""

    expertise: float = Field(40.0, ge=0, le=1000)
    timezone: float = Field(20.0, ge=0, le=1000)
    success: float = Field(40.0, ge=0, le=1000)


class MetricTargets(_Strict):
    """The PRD's success metrics: what the analytics compare the program against."""

    coverage: float = Field(1.0, ge=0, le=1)  # share of new hires with a mentor
    ramp_reduction: float = Field(
        0.20, ge=0, le=1
    )  # mentored reach "fully ramped" this much sooner
    session_completion: float = Field(0.90, ge=0, le=1)  # sessions logged / expected by cadence
    mentee_satisfaction: float = Field(4.5, ge=1, le=5)
    mentor_satisfaction: float = Field(4.0, ge=1, le=5)


class EffectivenessWeights(_Strict):
    """How much each signal counts in the mentor effectiveness ranking (FR-5.5)."""

    rating: float = Field(0.4, ge=0, le=1000)
    completion: float = Field(0.3, ge=0, le=1000)
    ramp: float = Field(0.3, ge=0, le=1000)
    #: The share of the Mentor Role's response-time standards met; 0 (off) by default.
    responsiveness: float = Field(0.0, ge=0, le=1000)


class ProgramConfig(_Strict):
    """Every program setting with its default. Where the PRD and the Mentor Role
    differ (capacity 2 vs 20) the PRD's value is the default and the other the ceiling."""

    # Eligibility (FR-1.1)
    min_tenure_days: int = Field(180, ge=0, le=36500)
    #: On the roster's scale; None for no minimum.
    min_performance_rating: float | None = Field(None, gt=0, lt=100)
    require_certification: bool = False
    # Capacity (FR-1.2)
    default_capacity: int = Field(2, ge=1, le=100)
    max_capacity: int = Field(20, ge=1, le=100)
    # Expertise taxonomy and matching (FR-1.3, FR-2.1)
    skills: list[Skill] = Field(default_factory=lambda: list(DEFAULT_SKILLS))
    default_ramp_skills: list[Skill] = Field(
        default_factory=lambda: ["Product knowledge", "Discovery calls", "QBRs & business reviews"]
    )
    match_weights: MatchWeights = Field(default_factory=MatchWeights)
    #: A mentor's past success is blended with this many mentorships at the program
    #: average, so one good or bad mentorship does not rank them 100 % or 0 %.
    success_smoothing: float = Field(2.0, ge=0, le=50)
    # Training, certification, recognition (FR-1.4, FR-1.5)
    required_trainings: list[Training] = Field(
        max_length=MAX_TRAININGS,
        default_factory=lambda: [
            Training(key="mentoring-101", name="Mentoring 101"),
            Training(key="privacy", name="Confidentiality & privacy"),
        ],
    )
    recognition_channel: str | None = None
    # Assignment defaults (FR-2.4, FR-2.5, FR-3.1)
    default_duration_weeks: int = Field(12, ge=1, le=104)
    default_cadence: str = "weekly"
    expectations: str = Field(DEFAULT_EXPECTATIONS, min_length=1, max_length=EXPECTATIONS_MAX)
    # Response-time standards and coverage (Mentor Role, PRD success metrics)
    request_reminder_hours: int = Field(24, ge=1, le=720)
    request_fallback_hours: int = Field(48, ge=1, le=720)
    review_reminder_hours: int = Field(24, ge=1, le=720)
    review_escalation_hours: int = Field(48, ge=1, le=720)
    #: Session scheduling (Mentor Role: confirmed within 48 hours): the person who must
    #: answer a proposal is reminded after the first, the mentor and admins told after the
    #: second; both sides are reminded this many minutes before a confirmed session.
    schedule_reminder_hours: int = Field(24, ge=1, le=720)
    schedule_escalation_hours: int = Field(48, ge=1, le=720)
    session_reminder_minutes: int = Field(60, ge=5, le=1440)
    #: Mentees' questions (Mentor Role: answered within 24 hours).
    question_reminder_hours: int = Field(20, ge=1, le=720)
    question_escalation_hours: int = Field(24, ge=1, le=720)
    #: A ramp milestone's target date is announced this many days ahead.
    milestone_notice_days: int = Field(3, ge=0, le=30)
    new_hire_window_days: int = Field(90, ge=1, le=730)
    coverage_days: int = Field(7, ge=0, le=365)
    # The end of a mentorship: the prompt to complete or extend, and closing it by itself
    end_of_term_notice_days: int = Field(7, ge=0, le=90)
    auto_complete_after_days: int = Field(14, ge=1, le=365)
    # The recipient's day (reminders)
    default_timezone: str = "UTC"
    work_start_hour: int = Field(9, ge=0, le=23)
    work_end_hour: int = Field(17, ge=1, le=24)
    work_days: list[Annotated[int, Ge(0), Le(6)]] = Field(
        default_factory=lambda: [0, 1, 2, 3, 4]
    )  # Monday = 0
    # Analytics (FR-5)
    metric_targets: MetricTargets = Field(default_factory=MetricTargets)
    effectiveness_weights: EffectivenessWeights = Field(default_factory=EffectivenessWeights)
    #: The ranking's prior: each mentor starts with this many pseudo-mentorships at the
    #: program average, so one glowing (or poor) mentorship can't top (or sink) the list.
    effectiveness_prior_mentorships: int = Field(3, ge=0, le=100)
    #: Below this many hires per group a difference is "not enough data yet".
    analytics_min_sample: int = Field(5, ge=1, le=1000)


#: The `Session.info` key under which `loaded_once` keeps the settings it read.
_ONCE = "program_config_once"


def program_today(now: datetime, config: ProgramConfig) -> date:
    """Today's date where the program runs (its default timezone)."""
    return local_today(now, config.default_timezone)


def todays_date(db: Session, now: datetime) -> date:
    """`program_today` with the settings in force (`load`)."""
    return program_today(now, load(db))


def new_hire_since(now: datetime, config: ProgramConfig) -> date:
    """The earliest hire date of a new hire at `now`: hired within the program's
    new-hire window, its edge day included, counted from the program's day."""
    return hired_since(program_today(now, config), config)


def hired_since(today: date, config: ProgramConfig) -> date:
    """`new_hire_since` for a program day already known (`program_today`)."""
    return today - timedelta(days=config.new_hire_window_days)


def after_today(day: date, today: date) -> str | None:
    """Why a date something was done on (an achievement, a training) can't be recorded
    when it is after the program's `today` (`program_today`), else None. The program's
    day, not UTC's: an import in Auckland may record its own today."""
    if day <= today:
        return None
    return f"is in the future (today is {today.isoformat()} where the program runs)"


def load(db: Session) -> ProgramConfig:
    """The program settings in force: stored values over defaults (read once inside
    `loaded_once`)."""
    cached = db.info.get(_ONCE)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    config = _stored(db)
    if _ONCE in db.info:
        db.info[_ONCE] = config
    return config


@contextmanager
def loaded_once(db: Session) -> Iterator[None]:
    """Inside this block `load(db)` reads the settings once: for a read-only render
    (App Home) whose sections each ask for them. `update` inside it starts over; a
    block inside another keeps the outer one's reading."""
    if _ONCE in db.info:
        yield
        return
    db.info[_ONCE] = None
    try:
        yield
    finally:
        db.info.pop(_ONCE, None)


#: Built once (see roster._BY_SLACK_ID): every App Home reads the settings.
_SETTINGS = select(ProgramSetting.key, ProgramSetting.value)


def _stored(db: Session) -> ProgramConfig:
    """The stored values over defaults. A stored value the
    settings no longer accept (a bound added since) gives way to its default, logged,
    so one old row never stops every request."""
    stored = dict(db.execute(_SETTINGS).tuples().all())
    known = {k: v for k, v in stored.items() if k in ProgramConfig.model_fields}
    try:
        return ProgramConfig.model_validate(known)
    except ValidationError as exc:
        refused = {str(err["loc"][0]) for err in exc.errors() if err["loc"]}
        log.warning("stored program settings out of bounds, defaults used: %s", sorted(refused))
        usable = {k: v for k, v in known.items() if k not in refused}
        return ProgramConfig.model_validate(usable)


def validate(values: dict[str, Any]) -> ProgramConfig:
    """The one check of a whole set of settings, from the Slack modals or a file.
    InvalidInput maps each bad setting, by its dotted name (`match_weights.expertise`),
    to what is wrong and what to enter."""
    try:
        config = ProgramConfig.model_validate(values)
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for err in exc.errors():
            errors.setdefault(dotted(err["loc"]), _explain(err))
        raise InvalidInput(errors) from exc
    errors = rules_across_fields(config)
    if errors:
        raise InvalidInput(errors)
    return config


def dotted(loc: tuple[int | str, ...]) -> str:
    """('match_weights', 'expertise') -> 'match_weights.expertise'; within a list, the
    list (`required_trainings`, not one training's `name`): it is what a person edits."""
    parts: list[str] = []
    for part in loc:
        if not isinstance(part, str):
            break
        parts.append(part)
    return ".".join(parts)


def leaf_settings(model: type[BaseModel] = ProgramConfig, prefix: str = "") -> list[str]:
    """Every setting a person can edit, by dotted name, groups opened up."""
    names: list[str] = []
    for name, field in model.model_fields.items():
        kind = field.annotation
        if isinstance(kind, type) and issubclass(kind, _Strict) and kind is not Training:
            names.extend(leaf_settings(kind, f"{prefix}{name}."))
        else:
            names.append(prefix + name)
    return names


def value_at(config: BaseModel, name: str) -> Any:
    """The value of a dotted setting name in `config`."""
    value: Any = config
    for part in name.split("."):
        value = getattr(value, part)
    return value


def bounds(name: str) -> tuple[float | None, float | None]:
    """The (lowest, highest) a numeric setting accepts, from its declaration."""
    *groups, leaf = name.split(".")
    model: type[BaseModel] = ProgramConfig
    for group in groups:
        model = model.model_fields[group].annotation  # type: ignore[assignment]
    low = high = None
    for rule in model.model_fields[leaf].metadata:
        low = getattr(rule, "ge", None) if getattr(rule, "ge", None) is not None else low
        low = getattr(rule, "gt", None) if getattr(rule, "gt", None) is not None else low
        high = getattr(rule, "le", None) if getattr(rule, "le", None) is not None else high
        high = getattr(rule, "lt", None) if getattr(rule, "lt", None) is not None else high
    return low, high


def _explain(err: Any) -> str:
    """A pydantic error as a person reads it: what was given, what to enter."""
    name, kind, given = dotted(err["loc"]), err["type"], err.get("input")
    if given == "" and kind not in ("string_too_short", "extra_forbidden"):
        return _range_message(name)  # an empty number field: say what to enter
    shown = f"'{given}' " if isinstance(given, str | int | float) else ""
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return _range_message(name)
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{shown}is not a whole number. {_range_message(name)}"
    if kind in ("float_parsing", "float_type"):
        return f"{shown}is not a number. {_range_message(name)}"
    if kind in ("bool_parsing", "bool_type"):
        return f"{shown}is not true or false."
    if kind == "extra_forbidden":
        return f"'{name}' is not a program setting."
    if kind in ("list_type", "string_type", "model_type", "dict_type", "model_attributes_type"):
        wanted = {"list_type": "a list", "string_type": "text"}.get(kind, "a group of settings")
        return f"must be {wanted}."
    if kind == "too_long" and name == "required_trainings":
        return f"at most {MAX_TRAININGS} trainings."
    if kind == "string_too_long":
        return f"too long: at most {err['ctx']['max_length']} characters."
    if kind == "string_too_short":
        return "can't be empty."
    return str(err["msg"]) + "."


def _range_message(name: str) -> str:
    low, high = bounds(name)
    leaf = name.rsplit(".", 1)[-1]
    if name.startswith("metric_targets.") and leaf in SHARE_TARGETS:
        return "Enter a share from 0 % to 100 % (in a settings file, 0 to 1)."
    if name == "min_performance_rating":
        return "Enter a rating like 3.5 (on the roster's scale), or nothing for no minimum."
    number = "a whole number" if name in WHOLE_NUMBERS else "a number"
    return f"Enter {number} from {_num(low)} to {_num(high)}."


def _num(value: float | None) -> str:
    return "any" if value is None else f"{value:g}"


#: The numeric settings that take whole numbers only.
WHOLE_NUMBERS = {
    name
    for name in leaf_settings()
    if "." not in name and ProgramConfig.model_fields[name].annotation is int
}


def update(
    db: Session,
    *,
    changes: dict[str, Any],
    actor_id: uuid.UUID | None,
    now: datetime,
    source: str = "slack",
) -> ProgramConfig:
    """Validate `changes` (setting name -> value) with the settings in force and store
    them, audited with where they came from (`source`: slack, cli). Raises InvalidInput
    naming each bad setting; nothing is written then."""
    unknown = sorted(set(changes) - set(ProgramConfig.model_fields))
    if unknown:
        raise InvalidInput({name: f"'{name}' is not a program setting." for name in unknown})
    current = load(db).model_dump()
    merged = validate({**current, **changes})
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
        source=source,
    )
    db.flush()
    if _ONCE in db.info:
        db.info[_ONCE] = None
    return merged
