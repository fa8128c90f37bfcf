"""Milestones that come from outside the review process: one added to a mentorship
(by its mentor, the mentee's manager, an admin or the LMS), and an achievement a
system tracked (the LMS, the CRM). The mentee's submit and the mentor's review stay
in `milestones`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.services import access, audit, program
from bot.services.errors import Conflict, InvalidInput, NotAllowed, NotFound
from models import MilestoneSubmission, RampMilestone, User

NAME_LIMIT = 200
DESCRIPTION_LIMIT = 2000


@dataclass(frozen=True)
class MilestoneRow:
    """One milestone as the PRD's `mentee_ramp_milestones` row (no review feedback)."""

    id: uuid.UUID
    assignment_id: uuid.UUID | None
    mentee_user_id: uuid.UUID | None
    milestone_name: str
    description: str | None
    target_date: date | None
    achieved_date: date | None
    verification_method: str | None
    verified_by_user_id: uuid.UUID | None
    status: str
    created_at: datetime


def add(
    db: Session,
    *,
    actor_id: uuid.UUID | None,
    assignment_id: uuid.UUID,
    name: str,
    description: str | None,
    target_date: date | None,
    now: datetime,
) -> MilestoneRow:
    """A milestone for this mentorship's mentee, agreed beyond the program's templates.
    The mentor, the mentee's manager (or above), an admin, or a trusted system
    (`actor_id` None) may add one; Conflict when the mentee has one of that name."""
    assignment = access.load_assignment(db, assignment_id)
    if actor_id is not None:
        actor = access.load_user(db, actor_id)
        relations = access.relations(db, actor, assignment)
        if not relations & {access.THE_MENTOR, access.THEIR_MANAGER, access.PROGRAM_ADMIN}:
            raise NotAllowed(
                "Only the mentor, the mentee's manager or a program admin can add milestones."
            )
    name = name.strip()
    errors: dict[str, str] = {}
    if not name or len(name) > NAME_LIMIT:
        errors["milestone_name"] = f"Name the milestone in 1 to {NAME_LIMIT} characters."
    if description and len(description) > DESCRIPTION_LIMIT:
        errors["description"] = f"Keep the description under {DESCRIPTION_LIMIT} characters."
    if target_date is not None and target_date < assignment.start_date:
        errors["target_date"] = (
            f"The target date is before the mentorship's start ({assignment.start_date})."
        )
    if errors:
        raise InvalidInput(errors)
    taken = db.scalar(
        select(RampMilestone.id).where(
            RampMilestone.mentee_user_id == assignment.mentee_user_id,
            func.lower(RampMilestone.milestone_name) == name.lower(),
        )
    )
    if taken is not None:
        raise Conflict(f"The mentee already has a milestone named '{name}' (id {taken}).")
    milestone = RampMilestone(
        assignment_id=assignment.id,
        mentee_user_id=assignment.mentee_user_id,
        milestone_name=name,
        description=(description or "").strip() or None,
        target_date=target_date,
        status="open",
        created_at=now,
    )
    db.add(milestone)
    db.flush()
    audit.record(
        db,
        actor_id=actor_id,
        action="milestone.added",
        entity_type="mentee_ramp_milestone",
        entity_id=milestone.id,
        now=now,
        assignment_id=assignment.id,
    )
    return row(milestone)


def record_achieved(
    db: Session,
    *,
    actor_id: uuid.UUID | None,
    milestone_id: uuid.UUID,
    achieved_date: date,
    now: datetime,
) -> MilestoneRow:
    """A system tracked this achievement (`system_tracked`): an admin or a trusted system
    (`actor_id` None) records it, as `mentorbot milestones import` does. Recording the
    same date again changes nothing."""
    if actor_id is not None:
        access.require_admin(access.load_user(db, actor_id))
    milestone = load(db, milestone_id)
    future = program.after_today(achieved_date, program.todays_date(db, now))
    if future:
        raise InvalidInput({"achieved_date": f"{achieved_date} {future}."})
    if milestone.status == "achieved" and milestone.achieved_date == achieved_date:
        return row(milestone)
    milestone.achieved_date = achieved_date
    milestone.verification_method = "system_tracked"
    milestone.verified_by_user_id = actor_id
    milestone.status = "achieved"
    db.flush()
    audit.record(
        db,
        actor_id=actor_id,
        action="milestone.system_tracked",
        entity_type="mentee_ramp_milestone",
        entity_id=milestone.id,
        now=now,
        status="achieved",
    )
    return row(milestone)


def waiting_submission(db: Session, milestone_id: uuid.UUID) -> uuid.UUID:
    """The submission of this milestone waiting for review; Conflict when none waits."""
    milestone = load(db, milestone_id)
    found = db.scalar(
        select(MilestoneSubmission.id)
        .where(
            MilestoneSubmission.milestone_id == milestone.id,
            MilestoneSubmission.decision.is_(None),
        )
        .order_by(MilestoneSubmission.submitted_at.desc())
    )
    if found is None:
        raise Conflict(
            f"'{milestone.milestone_name}' has no submission waiting for review "
            f"(it is {milestone.status.replace('_', ' ')})."
        )
    return found


def load(db: Session, milestone_id: uuid.UUID) -> RampMilestone:
    """The milestone, or NotFound."""
    milestone = db.get(RampMilestone, milestone_id)
    if milestone is None:
        raise NotFound("I can't find that milestone.")
    return milestone


def rows(db: Session, ids: list[uuid.UUID]) -> list[MilestoneRow]:
    """These milestones as PRD rows, in the order of `ids`, in one query."""
    found = {m.id: m for m in db.scalars(select(RampMilestone).where(RampMilestone.id.in_(ids)))}
    return [row(found[i]) for i in ids if i in found]


def visible(db: Session, *, actor_id: uuid.UUID | None, milestone_id: uuid.UUID) -> RampMilestone:
    """The milestone if the actor may see its mentee's milestones (NotFound otherwise,
    so its existence isn't told); `actor_id` None is a trusted system reader."""
    milestone = load(db, milestone_id)
    if actor_id is None:
        return milestone
    actor = access.load_user(db, actor_id)
    subject = db.get(User, milestone.mentee_user_id) if milestone.mentee_user_id else None
    if subject is None or not access.may_view_person(db, actor, subject):
        raise NotFound("I can't find that milestone.")
    return milestone


def row(milestone: RampMilestone) -> MilestoneRow:
    return MilestoneRow(
        milestone.id,
        milestone.assignment_id,
        milestone.mentee_user_id,
        milestone.milestone_name,
        milestone.description,
        milestone.target_date,
        milestone.achieved_date,
        milestone.verification_method,
        milestone.verified_by_user_id,
        milestone.status,
        milestone.created_at,
    )
