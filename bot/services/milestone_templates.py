"""The program's ramp milestone templates, as the program lead defines them: list, add,
edit, reorder and retire (issue 18). The ramp every hire is given comes from here.

A change never rewrites history. A hire's milestones are copies made when the hire
was given them (`RampMilestone.template_version`); an edit of what a hire is given
(name, description, days from hire) raises the template's version and reaches hires
already given the old one only when the admin says so (`apply_to_behind`), and then only
those who haven't reached it. A retired template is no longer given; the milestones
hires have of it stay. Exactly one active template means "fully ramped"."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import Session, aliased

from bot.services import access, audit, inputs, program
from bot.services.errors import InvalidInput, NotFound
from models import MilestoneTemplate, RampMilestone, User
from models.milestones import DEFAULT_TEMPLATES, VERIFICATION_METHODS

NAME_LIMIT = 200
DESCRIPTION_LIMIT = 2000
MAX_DAYS = 3650
VERIFIED_BY = {
    "mentor_verified": "the mentor approves it",
    "self_report": "the hire reports it",
    "system_tracked": "a system records it (CRM, LMS)",
}
#: What a hire is given: changing one of these makes a new version.
GIVEN = ("name", "description", "days_from_hire")


@dataclass(frozen=True)
class TemplateFields:
    """What an admin sets on a template (checked by `check`)."""

    name: str
    description: str | None
    days_from_hire: int
    skill: str | None
    verification: str
    is_final: bool


@dataclass(frozen=True)
class TemplateView:
    key: str
    fields: TemplateFields
    position: int
    version: int
    is_active: bool


# -- what hires are given -------------------------------------------------------------------
def ensure_default_templates(db: Session, now: datetime) -> int:
    """Seed the customer-success ramp when the program has no templates at all."""
    if db.scalar(select(MilestoneTemplate.id).limit(1)) is not None:
        return 0
    for position, (key, name, description, days, final) in enumerate(DEFAULT_TEMPLATES):
        db.add(
            MilestoneTemplate(
                key=key,
                name=name,
                description=description,
                days_from_hire=days,
                position=position,
                is_final=final,
            )
        )
    audit.record(
        db,
        actor_id=None,
        action="milestone_templates.seeded",
        entity_type="milestone_templates",
        entity_id=None,
        now=now,
        count=len(DEFAULT_TEMPLATES),
    )
    db.flush()
    return len(DEFAULT_TEMPLATES)


def active(db: Session) -> list[MilestoneTemplate]:
    """The templates new hires are given, in program order."""
    return list(
        db.scalars(
            select(MilestoneTemplate)
            .where(MilestoneTemplate.is_active.is_(True))
            .order_by(MilestoneTemplate.position, MilestoneTemplate.days_from_hire)
        )
    )


def give(template: MilestoneTemplate, hire: User) -> RampMilestone:
    """The hire's copy of the template as it is now (not yet added to the session)."""
    return RampMilestone(
        mentee_user_id=hire.id,
        milestone_name=template.name,
        description=template.description,
        template_key=template.key,
        template_version=template.version,
        target_date=_target(hire, template),
    )


def verification_of(db: Session, key: str | None) -> str:
    """How a hire's milestone from template `key` is verified (a mentorship goal, with
    no template, is the mentor's to review)."""
    if key is None:
        return "mentor_verified"
    found = db.scalar(select(MilestoneTemplate.verification).where(MilestoneTemplate.key == key))
    return found or "mentor_verified"


def _target(hire: User, template: MilestoneTemplate) -> Any:
    return hire.hire_date + timedelta(days=template.days_from_hire) if hire.hire_date else None


# -- the editor -------------------------------------------------------------------------------
def catalogue(db: Session, *, actor_id: uuid.UUID, now: datetime) -> list[TemplateView]:
    """Every template, active ones first in program order (admins only)."""
    access.require_admin(access.load_user(db, actor_id))
    ensure_default_templates(db, now)
    rows = db.scalars(
        select(MilestoneTemplate).order_by(
            MilestoneTemplate.is_active.desc(),
            MilestoneTemplate.position,
            MilestoneTemplate.days_from_hire,
        )
    )
    return [view(t) for t in rows]


def skills(db: Session) -> list[str]:
    """The program's skills a template may show."""
    return list(program.load(db).skills)


def editing(
    db: Session, *, actor_id: uuid.UUID, key: str | None
) -> tuple[TemplateView | None, int]:
    """The template an admin is about to edit (None: a new one) and how many hires an
    "apply to hires who haven't reached it" would reach once it is saved."""
    access.require_admin(access.load_user(db, actor_id))
    if key is None:
        return None, len(_hires_without(db, None))
    template = _load(db, key)
    return view(template), behind_count(db, template, template.version + 1)


def save(
    db: Session,
    *,
    actor_id: uuid.UUID,
    key: str | None,
    fields: TemplateFields,
    apply_to_behind: bool,
    now: datetime,
) -> tuple[TemplateView, list[str], int]:
    """Add a template (`key` None) or edit one: (the template, what changed, how many
    hires it was applied to). InvalidInput names the field at fault; nothing is written."""
    access.require_admin(access.load_user(db, actor_id))
    template = _load(db, key) if key is not None else None
    errors = check(fields, skills(db))
    _check_program(db, template, fields, errors)
    if errors:
        raise InvalidInput(errors)
    changed: list[str]
    if template is None:
        template = MilestoneTemplate(
            key=unused_key(fields.name, set(db.scalars(select(MilestoneTemplate.key)))),
            position=len(active(db)),
            version=1,
        )
        write_fields(template, fields)
        db.add(template)
        changed = ["added"]
    else:
        before = view(template).fields
        changed = [
            f
            for f in TemplateFields.__dataclass_fields__
            if getattr(before, f) != getattr(fields, f)
        ]
        if set(changed) & set(GIVEN):
            template.version += 1
        write_fields(template, fields)
    if fields.is_final:
        _only_final(db, template)
    db.flush()
    applied = apply_to_behind_hires(db, template) if apply_to_behind else 0
    if changed or applied:
        audit.record(
            db,
            actor_id=actor_id,
            action="milestone_template.saved",
            entity_type="milestone_template",
            entity_id=template.id,
            now=now,
            key=template.key,
            changed=changed,
            version=template.version,
            applied_to=applied,
        )
    return view(template), changed, applied


def move_up(db: Session, *, actor_id: uuid.UUID, key: str, now: datetime) -> None:
    """Move an active template one place earlier in the program's order."""
    access.require_admin(access.load_user(db, actor_id))
    ordered = active(db)
    place = next((i for i, t in enumerate(ordered) if t.key == key), None)
    if place is None:
        raise NotFound("That template is retired or gone; list the templates again.")
    if place > 0:
        ordered[place - 1], ordered[place] = ordered[place], ordered[place - 1]
        for position, template in enumerate(ordered):
            template.position = position
        audit.record(
            db,
            actor_id=actor_id,
            action="milestone_template.moved",
            entity_type="milestone_template",
            entity_id=ordered[place - 1].id,
            now=now,
            key=key,
            position=place - 1,
            displaced=ordered[place].id,  # the template it swapped places with
        )
        db.flush()


def retire(db: Session, *, actor_id: uuid.UUID, key: str, now: datetime) -> TemplateView:
    """New hires are no longer given this template; hires who have it keep it.
    Refused for the template that means "fully ramped"."""
    access.require_admin(access.load_user(db, actor_id))
    template = _load(db, key)
    if template.is_final and template.is_active:
        raise InvalidInput(
            {
                "is_final": f"*{template.name}* means fully ramped: mark another template "
                "as fully ramped first, then retire this one."
            }
        )
    if template.is_active:
        template.is_active = False
        audit.record(
            db,
            actor_id=actor_id,
            action="milestone_template.retired",
            entity_type="milestone_template",
            entity_id=template.id,
            now=now,
            key=key,
        )
        db.flush()
    return view(template)


def behind_count(db: Session, template: MilestoneTemplate, version: int) -> int:
    """Hires who haven't reached this template and hold a version before `version`
    of it, or none at all while still ramping: whom applying it would reach."""
    stale = db.scalar(
        select(func.count(func.distinct(RampMilestone.mentee_user_id))).where(
            *_behind_rows(template.key, version)
        )
    )
    return int(stale or 0) + len(_hires_without(db, template.key))


def apply_to_behind_hires(db: Session, template: MilestoneTemplate) -> int:
    """Give hires who haven't reached it the template as it is now: their copy is
    brought up to this version (target date from their hire date), and hires still
    ramping who lack it get it. Achieved milestones are never touched."""
    rows = list(
        db.scalars(select(RampMilestone).where(*_behind_rows(template.key, template.version)))
    )
    hires = {
        h.id: h
        for h in db.scalars(select(User).where(User.id.in_({r.mentee_user_id for r in rows})))
    }
    for row in rows:
        row.milestone_name = template.name
        row.description = template.description
        row.template_version = template.version
        row.target_date = _target(hires[row.mentee_user_id], template)
    missing = _hires_without(db, template.key)
    for hire in missing:
        db.add(give(template, hire))
    db.flush()
    return len({r.mentee_user_id for r in rows}) + len(missing)


def _behind_rows(key: str, version: int) -> tuple[Any, ...]:
    return (
        RampMilestone.template_key == key,
        RampMilestone.status != "achieved",
        func.coalesce(RampMilestone.template_version, 0) < version,
    )


def _hires_without(db: Session, key: str | None) -> list[User]:
    """Hires in the ramp (they have template milestones) who lack `key` and have not
    reached the program's fully-ramped milestone."""
    mine = aliased(RampMilestone)
    final = db.scalar(
        select(MilestoneTemplate.key).where(MilestoneTemplate.is_active, MilestoneTemplate.is_final)
    )
    in_ramp = exists().where(mine.mentee_user_id == User.id, mine.template_key.is_not(None))
    conditions = [in_ramp, User.hire_date.is_not(None)]
    if key is not None:
        conditions.append(~exists().where(mine.mentee_user_id == User.id, mine.template_key == key))
    if final is not None:
        conditions.append(
            ~exists().where(
                mine.mentee_user_id == User.id,
                mine.template_key == final,
                mine.status == "achieved",
            )
        )
    return list(db.scalars(select(User).where(*conditions).order_by(User.name)))


# -- checks -----------------------------------------------------------------------------------
def check(fields: TemplateFields, program_skills: list[str]) -> dict[str, str]:
    """What is wrong with one template's fields, by field name (empty: nothing)."""
    errors: dict[str, str] = {}
    if not fields.name or len(fields.name) > NAME_LIMIT:
        errors["name"] = f"Name the milestone in 1 to {NAME_LIMIT} characters."
    if inputs.has_control_characters(fields.name + (fields.description or "")):
        errors["description" if fields.description else "name"] = inputs.CONTROL_MESSAGE
    if fields.description and len(fields.description) > DESCRIPTION_LIMIT:
        errors["description"] = f"Keep the description under {DESCRIPTION_LIMIT} characters."
    if not 0 <= fields.days_from_hire <= MAX_DAYS:
        errors["days_from_hire"] = (
            f"Days from hire must be a whole number from 0 to {MAX_DAYS} "
            f"(it is {fields.days_from_hire})."
        )
    if fields.skill and fields.skill not in program_skills:
        errors["skill"] = f"'{fields.skill}' is not one of the program's skills."
    if fields.verification not in VERIFICATION_METHODS:
        errors["verification"] = "Verified by: choose " + ", ".join(VERIFICATION_METHODS) + "."
    return errors


def _check_program(
    db: Session,
    template: MilestoneTemplate | None,
    fields: TemplateFields,
    errors: dict[str, str],
) -> None:
    """The rules across templates: a name once among active templates, one fully ramped."""
    others = [t for t in active(db) if template is None or t.id != template.id]
    if any(t.name.lower() == fields.name.lower() for t in others):
        errors["name"] = f"Another template is already named '{fields.name}'; choose another name."
    if template is not None and template.is_final and not fields.is_final:
        errors["is_final"] = (
            "One template must mean fully ramped: mark another one as fully ramped instead."
        )


def _only_final(db: Session, template: MilestoneTemplate) -> None:
    db.execute(
        update(MilestoneTemplate)
        .where(MilestoneTemplate.id != template.id, MilestoneTemplate.is_final)
        .values(is_final=False)
        .execution_options(synchronize_session="fetch")
    )


def write_fields(template: MilestoneTemplate, fields: TemplateFields) -> None:
    """Store what an admin set; a template written is active (a retired one returns)."""
    template.name = fields.name
    template.description = fields.description
    template.days_from_hire = fields.days_from_hire
    template.skill = fields.skill
    template.verification = fields.verification
    template.is_final = fields.is_final
    template.is_active = True


def unused_key(name: str, taken: set[str]) -> str:
    """A key for a new template made from its name, unlike any in `taken`."""
    key = base = inputs.slug(name, "milestone")
    n = 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


def _load(db: Session, key: str) -> MilestoneTemplate:
    template = db.scalar(select(MilestoneTemplate).where(MilestoneTemplate.key == key))
    if template is None:
        raise NotFound("I can't find that milestone template; list the templates again.")
    return template


def view(template: MilestoneTemplate) -> TemplateView:
    return TemplateView(
        template.key,
        TemplateFields(
            template.name,
            template.description,
            template.days_from_hire,
            template.skill,
            template.verification,
            template.is_final,
        ),
        template.position,
        template.version,
        template.is_active,
    )
