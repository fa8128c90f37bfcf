"""Program administration from Slack (PRD FR-1.1): the settings form and admin roles.

The form arrives as what people typed; each field is parsed here with a message
that names it and says what to enter, then `program.update` stores and audits it."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.services import access, audit, inputs, program, roster
from bot.services.errors import InvalidInput, NotFound
from bot.services.program import ProgramConfig, Training
from models import Mentor, User

#: A static select offers at most 100 options, and the skills feed one.
MAX_SKILLS = 100
#: Slack's limit on an option's text.
SKILL_NAME_MAX = 75
MAX_TRAININGS = 20
CAPACITY_CEILING = 100
CERTIFICATION_REQUIRED = "required"


def settings_for(db: Session, *, actor_id: uuid.UUID) -> ProgramConfig:
    """The settings an admin is about to edit (NotAllowed for anyone else)."""
    access.require_admin(access.load_user(db, actor_id))
    return program.load(db)


def save_settings(
    db: Session, *, actor_id: uuid.UUID, form: dict[str, Any], now: datetime
) -> list[str]:
    """Parse the settings form (field name -> what was entered) and store what changed,
    audited. Returns the names of the changed settings. InvalidInput names each bad
    field; nothing is written then.

    Turning "certified before mentoring" off lets every mentor who was waiting for
    certification be matched at once."""
    actor = access.load_user(db, actor_id)
    access.require_admin(actor)
    current = program.load(db)
    errors: dict[str, str] = {}
    parsed: dict[str, Any] = {
        "min_tenure_days": _whole_number(
            form, "min_tenure_days", "Minimum tenure", 0, 36500, errors
        ),
        "min_performance_rating": _optional_rating(form.get("min_performance_rating"), errors),
        "require_certification": CERTIFICATION_REQUIRED
        in (form.get("require_certification") or []),
        "default_capacity": _whole_number(
            form, "default_capacity", "Default capacity", 1, CAPACITY_CEILING, errors
        ),
        "max_capacity": _whole_number(
            form, "max_capacity", "Maximum capacity", 1, CAPACITY_CEILING, errors
        ),
        "skills": _skills(form.get("skills"), errors),
        "required_trainings": _trainings(form.get("required_trainings"), current, errors),
        "recognition_channel": (form.get("recognition_channel") or "").strip() or None,
        "end_of_term_notice_days": _whole_number(
            form, "end_of_term_notice_days", "The end-of-term notice", 0, 90, errors
        ),
        "auto_complete_after_days": _whole_number(
            form, "auto_complete_after_days", "The automatic completion", 1, 365, errors
        ),
    }
    default, ceiling = parsed["default_capacity"], parsed["max_capacity"]
    if default is not None and ceiling is not None and default > ceiling:
        errors["default_capacity"] = (
            f"Default capacity ({default}) can't be above the maximum capacity ({ceiling})."
        )
    if errors:
        raise InvalidInput(errors)

    before = current.model_dump()
    changes = {key: value for key, value in parsed.items() if _comparable(value) != before[key]}
    if not changes:
        return []
    program.update(db, changes=changes, actor_id=actor_id, now=now)
    if current.require_certification and not parsed["require_certification"]:
        _activate_waiting_mentors(db, actor_id=actor_id, now=now)
    return sorted(changes)


def make_admin(
    db: Session, *, actor_id: uuid.UUID, slack_user_id: str, now: datetime, is_bot: bool = False
) -> tuple[User, bool]:
    """Make a person a program admin. Returns them and whether anything changed."""
    actor = access.load_user(db, actor_id)
    access.require_admin(actor)
    target = roster.by_slack_id(db, slack_user_id)
    if is_bot or (target is not None and target.is_bot):
        raise InvalidInput({"user": f"<@{slack_user_id}> is a bot; only people can be admins."})
    if target is None:
        raise NotFound(
            f"<@{slack_user_id}> isn't in MentorBot's roster yet. Import the roster, or ask "
            "them to type `/mentor help` once, then try again."
        )
    if target.is_admin:
        return target, False
    target.is_admin = True
    audit.record(
        db,
        actor_id=actor_id,
        action="user.made_admin",
        entity_type="user",
        entity_id=target.id,
        now=now,
    )
    db.flush()
    return target, True


def _comparable(value: Any) -> Any:
    if isinstance(value, list):
        return [v.model_dump() if isinstance(v, Training) else v for v in value]
    return value


def _activate_waiting_mentors(db: Session, *, actor_id: uuid.UUID, now: datetime) -> None:
    waiting = db.execute(
        update(Mentor)
        .where(Mentor.is_active.is_(False), Mentor.opted_out_at.is_(None))
        .values(is_active=True)
        .execution_options(synchronize_session="fetch")
    )
    audit.record(
        db,
        actor_id=actor_id,
        action="mentors.activated",
        entity_type="mentor",
        entity_id=None,
        now=now,
        reason="certification_no_longer_required",
        count=waiting.rowcount,  # type: ignore[attr-defined]
    )


def _whole_number(
    form: dict[str, Any], field: str, label: str, low: int, high: int, errors: dict[str, str]
) -> int | None:
    raw = form.get(field)
    text = str(raw).strip() if raw is not None else ""
    try:
        number = int(text)
    except ValueError:
        shown = f"'{text}' is not a whole number. " if text else ""
        errors[field] = f"{label}: {shown}Enter a whole number from {low} to {high}."
        return None
    if not low <= number <= high:
        errors[field] = f"{label}: enter a whole number from {low} to {high}."
        return None
    return number


def _optional_rating(raw: Any, errors: dict[str, str]) -> float | None:
    text = str(raw or "").strip()
    if not text:
        return None
    try:
        rating = Decimal(text)
    except InvalidOperation:
        rating = Decimal(-1)
    if not rating.is_finite() or rating <= 0 or rating >= 100:
        errors["min_performance_rating"] = (
            f"Minimum performance rating: '{text}' is not a rating. Enter a number like 3.5 "
            "(on the roster's scale), or leave it empty for no minimum."
        )
        return None
    return float(rating)


def _lines(raw: Any) -> list[str]:
    seen: dict[str, str] = {}
    for line in str(raw or "").splitlines():
        cleaned = line.strip().lstrip("•-* ").strip()
        if cleaned and cleaned.lower() not in seen:
            seen[cleaned.lower()] = cleaned
    return list(seen.values())


def _skills(raw: Any, errors: dict[str, str]) -> list[str]:
    skills = _lines(raw)
    if not skills:
        errors["skills"] = "Skills: enter at least one skill, one per line."
    elif len(skills) > MAX_SKILLS:
        errors["skills"] = f"Skills: at most {MAX_SKILLS}; you entered {len(skills)}."
    else:
        too_long = [s for s in skills if len(s) > SKILL_NAME_MAX]
        if too_long:
            errors["skills"] = (
                f"Skills: each must fit in {SKILL_NAME_MAX} characters; shorten "
                f"'{too_long[0][:30]}…'."
            )
    return skills


def _trainings(raw: Any, current: ProgramConfig, errors: dict[str, str]) -> list[Training]:
    names = _lines(raw)
    if len(names) > MAX_TRAININGS:
        errors["required_trainings"] = (
            f"Required trainings: at most {MAX_TRAININGS}; you entered {len(names)}."
        )
        return []
    # A renamed-in-place training would lose who completed it; keep keys by name.
    existing = {t.name.lower(): t.key for t in current.required_trainings}
    trainings: list[Training] = []
    used: set[str] = set()
    for name in names:
        key = existing.get(name.lower()) or inputs.slug(name, "training")
        while key in used:
            key += "-2"
        used.add(key)
        trainings.append(Training(key=key, name=name))
    return trainings
