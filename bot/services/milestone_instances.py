"""Which milestones is a person given (FR-4.1)? Program templates are instantiated for
every new hire, mentored or not, so ramp can be compared, and a mentorship's goals
become milestones of that mentorship; each is safe to call again."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services import access, audit, milestone_templates, program
from bot.services.milestone_templates import ensure_default_templates
from bot.services.program import new_hire_since
from models import MENTORED_STATUSES, Assignment, RampMilestone, User


def instantiate_for_new_hires(db: Session, now: datetime) -> int:
    """Give every new hire in the roster (hired within the program's new-hire window)
    the program milestones they don't have yet, mentored or not. Returns how many
    milestones were created; safe to call again (after a roster import, on first use)."""
    ensure_default_templates(db, now)
    since = new_hire_since(now, program.load(db))
    hires = db.scalars(select(User).where(User.hire_date >= since, User.is_bot.is_(False))).all()
    created = sum(instantiate_templates(db, hire) for hire in hires)
    if created:
        audit.record(
            db,
            actor_id=None,
            action="milestones.instantiated",
            entity_type="mentee_ramp_milestones",
            entity_id=None,
            now=now,
            hires=len(hires),
            created=created,
        )
    db.flush()
    return created


def instantiate_for_assignment(db: Session, assignment: Assignment, now: datetime) -> int:
    """The mentorship's goals become its milestones, and the mentee's program milestones
    are linked to it so the mentor reviews them. Safe to call again."""
    ensure_default_templates(db, now)
    mentee = access.load_user(db, assignment.mentee_user_id)
    created = instantiate_templates(db, mentee)
    existing = {
        m.milestone_name
        for m in db.scalars(
            select(RampMilestone).where(
                RampMilestone.assignment_id == assignment.id, RampMilestone.template_key.is_(None)
            )
        )
    }
    for goal in assignment.goals or []:
        name = str(goal.get("goal") or "").strip()[:200]
        if not name or name in existing:
            continue
        target = goal.get("target_date")
        db.add(
            RampMilestone(
                assignment_id=assignment.id,
                mentee_user_id=assignment.mentee_user_id,
                milestone_name=name,
                target_date=date.fromisoformat(str(target)) if target else None,
            )
        )
        existing.add(name)
        created += 1
    for milestone in db.scalars(
        select(RampMilestone).where(
            RampMilestone.mentee_user_id == assignment.mentee_user_id,
            RampMilestone.assignment_id.is_(None),
        )
    ):
        milestone.assignment_id = assignment.id
    names = [
        m.milestone_name
        for m in db.scalars(
            select(RampMilestone).where(RampMilestone.mentee_user_id == assignment.mentee_user_id)
        )
    ]
    if assignment.milestones != names:
        assignment.milestones = names
    if created:
        audit.record(
            db,
            actor_id=None,
            action="milestones.instantiated",
            entity_type="mentorship_assignment",
            entity_id=assignment.id,
            now=now,
            created=created,
        )
    db.flush()
    return created


def ensure_for(db: Session, user_id: uuid.UUID, now: datetime) -> None:
    """On first use: this person's program milestones (a new hire, or anyone being
    mentored) and their mentorships' goals. Cheap when there is nothing to add; for
    someone neither being mentored nor hired within the new-hire window it makes
    nothing, which FirstUseMemo relies on to skip it (bot/services/first_use.py)."""
    ensure_default_templates(db, now)
    user = access.load_user(db, user_id)
    mentorships = db.scalars(
        select(Assignment).where(
            Assignment.mentee_user_id == user_id, Assignment.status.in_(MENTORED_STATUSES)
        )
    ).all()
    # On the program's day, as FirstUseMemo's fingerprint is taken.
    new_hire = user.hire_date is not None and user.hire_date >= new_hire_since(
        now, program.load(db)
    )
    if (new_hire or mentorships) and instantiate_templates(db, user):
        audit.record(
            db,
            actor_id=None,
            action="milestones.instantiated",
            entity_type="user",
            entity_id=user.id,
            now=now,
        )
    for assignment in mentorships:
        instantiate_for_assignment(db, assignment, now)
    db.flush()


def instantiate_templates(db: Session, hire: User) -> int:
    """Give a hire the program's ramp once: a hire who already has template milestones
    keeps the ones they were given (a template added or edited later reaches them only
    when an admin applies it)."""
    if hire.hire_date is None:
        return 0
    given = db.scalar(
        select(RampMilestone.id)
        .where(RampMilestone.mentee_user_id == hire.id, RampMilestone.template_key.is_not(None))
        .limit(1)
    )
    if given is not None:
        return 0
    templates = milestone_templates.active(db)
    db.add_all(milestone_templates.give(template, hire) for template in templates)
    return len(templates)
