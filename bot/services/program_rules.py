"""The program settings' rules across fields, which no single field's declaration can
say: weights that must not add up to 0, working hours in order, each reminder before
its escalation, a timezone and a cadence that exist. `program.validate` applies them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.services.timezones import is_valid_timezone
from models import CADENCES

if TYPE_CHECKING:
    from bot.services.program import ProgramConfig

#: The skills feed a static select, which offers at most 100 options of 75 characters.
MAX_SKILLS = 100
SKILL_NAME_MAX = 75

#: Each reminder waits less than the escalation after it (reminder, escalation).
_REMINDER_THEN_ESCALATION = (
    ("request_reminder_hours", "request_fallback_hours"),
    ("review_reminder_hours", "review_escalation_hours"),
    ("schedule_reminder_hours", "schedule_escalation_hours"),
    ("question_reminder_hours", "question_escalation_hours"),
)


def rules_across_fields(config: ProgramConfig) -> dict[str, str]:
    """What one field's declaration can't say: sums, orders, names that must exist;
    setting name -> what is wrong (empty when nothing is)."""
    errors: dict[str, str] = {}
    if config.default_capacity > config.max_capacity:
        errors["default_capacity"] = (
            f"Default capacity ({config.default_capacity}) can't be above the maximum "
            f"capacity ({config.max_capacity})."
        )
    if not config.skills:
        errors["skills"] = "enter at least one skill, one per line."
    elif len(config.skills) > MAX_SKILLS:
        errors["skills"] = f"at most {MAX_SKILLS}; you entered {len(config.skills)}."
    elif too_long := [s for s in config.skills if len(s) > SKILL_NAME_MAX]:
        errors["skills"] = (
            f"each must fit in {SKILL_NAME_MAX} characters; shorten '{too_long[0][:30]}…'."
        )
    w = config.match_weights
    if w.expertise + w.timezone + w.success <= 0:
        errors["match_weights.expertise"] = (
            "The match weights add up to 0: give at least one of them a weight above 0."
        )
    e = config.effectiveness_weights
    if e.rating + e.completion + e.ramp + e.responsiveness <= 0:
        errors["effectiveness_weights.rating"] = (
            "The ranking weights add up to 0: give at least one of them a weight above 0."
        )
    if config.work_end_hour <= config.work_start_hour:
        errors["work_end_hour"] = (
            f"Working hours end ({config.work_end_hour}:00) before they start "
            f"({config.work_start_hour}:00): enter an end hour after the start hour."
        )
    if not config.work_days:
        errors["work_days"] = "Choose at least one working day."
    elif len(set(config.work_days)) != len(config.work_days):
        errors["work_days"] = "Each working day once (0 is Monday, 6 Sunday)."
    if not is_valid_timezone(config.default_timezone):
        errors["default_timezone"] = (
            f"'{config.default_timezone}' is not a timezone. Enter an IANA name like "
            "Europe/London or America/New_York."
        )
    if config.default_cadence not in CADENCES:
        errors["default_cadence"] = (
            f"'{config.default_cadence}' is not a cadence: use {', '.join(CADENCES)}."
        )
    for reminder, escalation in _REMINDER_THEN_ESCALATION:
        if getattr(config, reminder) > getattr(config, escalation):
            errors[escalation] = (
                f"The escalation ({getattr(config, escalation)} h) comes before the reminder "
                f"({getattr(config, reminder)} h): enter at least {getattr(config, reminder)}."
            )
    return errors
