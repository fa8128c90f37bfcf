"""Program administration from Slack (PRD FR-1.1): the settings forms and admin roles.

A form arrives as what people typed, keyed by setting name (`match_weights.expertise`).
Here it only becomes values of the right shape (lines to lists, percentages to shares);
`program.update` checks them with every other setting (`program.validate`, the same
check a settings file gets), stores and audits them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.services import access, audit, inputs, program, roster
from bot.services.errors import InvalidInput, NotAllowed, NotFound
from bot.services.program import SHARE_TARGETS, ProgramConfig
from models import Mentor, User

CERTIFICATION_REQUIRED = "required"


@dataclass(frozen=True)
class Change:
    """One setting an admin changed: its dotted name, the value before and after."""

    name: str
    before: Any
    after: Any


def settings_for(db: Session, *, actor_id: uuid.UUID) -> ProgramConfig:
    """The settings an admin is about to edit (NotAllowed for anyone else)."""
    access.require_admin(access.load_user(db, actor_id))
    return program.load(db)


def refusal(db: Session, *, actor_id: uuid.UUID, surface: str, now: datetime) -> NotAllowed | None:
    """None for a program admin. For anyone else the refusal to show, and the attempt
    audited in this transaction (the caller raises the refusal once it has committed,
    so the audit row is not rolled back with the refused work)."""
    try:
        access.require_admin(access.load_user(db, actor_id))
    except NotAllowed as refused:
        audit.record(
            db,
            actor_id=actor_id,
            action="admin.refused",
            entity_type="admin_surface",
            entity_id=surface,
            now=now,
        )
        return refused
    return None


def save_settings(
    db: Session, *, actor_id: uuid.UUID, form: dict[str, Any], now: datetime
) -> list[Change]:
    """Store the settings of one form (setting name -> what was entered) that changed,
    audited, and return what changed. InvalidInput names each bad setting; nothing is
    written then."""
    actor = access.load_user(db, actor_id)
    access.require_admin(actor)
    current = program.load(db)
    entered: dict[str, Any] = {}
    for name, raw in form.items():
        *group, leaf = name.split(".")
        if group:
            entered.setdefault(group[0], {})[leaf] = _shaped(name, raw, current)
        else:
            entered[name] = _shaped(name, raw, current)
    return apply_settings(db, entered=entered, actor_id=actor_id, now=now, source="slack")


def apply_settings(
    db: Session,
    *,
    entered: dict[str, Any],
    actor_id: uuid.UUID | None,
    now: datetime,
    source: str,
) -> list[Change]:
    """Check `entered` (top-level setting -> value) with every other setting in force,
    store what changed, audited with its `source` (slack, cli), and return each changed
    setting. A group given in part (`match_weights: {expertise: 50}`) keeps the rest.
    InvalidInput names each bad setting; nothing is written then.

    Turning "certified before mentoring" off lets every mentor who was waiting for
    certification be matched at once."""
    current = program.load(db)
    before = current.model_dump()
    merged = {**before}
    for key, value in entered.items():
        group = before.get(key)
        merged[key] = (
            {**group, **value} if isinstance(group, dict) and isinstance(value, dict) else value
        )
    # Compared once checked, so "180" typed over 180 is no change.
    checked = program.validate(merged).model_dump()
    changes = {key: checked[key] for key in entered if checked[key] != before[key]}
    if not changes:
        return []
    after = program.update(db, changes=changes, actor_id=actor_id, now=now, source=source)
    if current.require_certification and not after.require_certification:
        _activate_waiting_mentors(db, actor_id=actor_id, now=now)
    return [
        Change(name, program.value_at(current, name), program.value_at(after, name))
        for name in program.leaf_settings()
        if program.value_at(current, name) != program.value_at(after, name)
    ]


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


def _shaped(name: str, raw: Any, current: ProgramConfig) -> Any:
    """What was entered for `name`, in the shape the setting holds; whether the value
    is acceptable is `program.validate`'s to say."""
    if name == "require_certification":
        return CERTIFICATION_REQUIRED in (raw or [])
    if name == "skills":
        return _lines(raw)
    if name == "required_trainings":
        return _trainings(raw, current)
    if name == "work_days":
        return sorted(int(day) for day in raw or [])
    if name in ("default_ramp_skills",):
        return list(raw or [])
    if isinstance(raw, list):
        return raw
    text = str(raw or "").strip()
    if name in ("min_performance_rating", "recognition_channel"):
        return text or None
    if name.startswith("metric_targets.") and name.split(".")[1] in SHARE_TARGETS:
        return _share(text)
    return text


def _share(text: str) -> Any:
    """'90' (per cent, as people type it) -> 0.9; anything else as typed, for the check."""
    try:
        percent = Decimal(text.rstrip("% ").strip())
    except InvalidOperation:
        return text
    return float(percent / 100) if percent.is_finite() else text


def _activate_waiting_mentors(db: Session, *, actor_id: uuid.UUID | None, now: datetime) -> None:
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


def _lines(raw: Any) -> list[str]:
    seen: dict[str, str] = {}
    for line in str(raw or "").splitlines():
        cleaned = line.strip().lstrip("•-* ").strip()
        if cleaned and cleaned.lower() not in seen:
            seen[cleaned.lower()] = cleaned
    return list(seen.values())


def _trainings(raw: Any, current: ProgramConfig) -> list[dict[str, str]]:
    # A renamed-in-place training would lose who completed it; keep keys by name.
    existing = {t.name.lower(): t.key for t in current.required_trainings}
    trainings: list[dict[str, str]] = []
    used: set[str] = set()
    for name in _lines(raw):
        key = existing.get(name.lower()) or inputs.slug(name, "training")
        while key in used:
            key += "-2"
        used.add(key)
        trainings.append({"key": key, "name": name})
    return trainings
