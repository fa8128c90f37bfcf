"""The "Snooze a week" button on a check-in nudge: holds a mentorship's check-ins for both."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services import audit, program
from bot.services.errors import Conflict, NotAllowed, NotFound
from bot.services.working_hours import WorkingDay, local_date
from models import Assignment, Mentor, User

SNOOZE = timedelta(weeks=1)


# -- "Snooze a week" -----------------------------------------------------------------------
@dataclass(frozen=True)
class Snoozed:
    assignment_id: uuid.UUID
    until: datetime
    until_day: date  # in the actor's timezone
    other_name: str


def snooze_week(
    db: Session, *, assignment_id: uuid.UUID, actor_id: uuid.UUID, now: datetime
) -> Snoozed:
    """Hold this mentorship's check-in nudges (to both people) for a week from `now`.
    Only the mentor or the mentee may; pressing it again just restarts the week."""
    assignment = db.get(Assignment, assignment_id)
    if assignment is None:
        raise NotFound("I can't find that mentorship any more.")
    mentor_user_id = db.scalar(select(Mentor.user_id).where(Mentor.id == assignment.mentor_id))
    if actor_id not in (mentor_user_id, assignment.mentee_user_id):
        raise NotAllowed("Only the mentor or the mentee of this mentorship can snooze its nudges.")
    if assignment.status != "active":
        raise Conflict(f"This mentorship is {assignment.status}, so there is nothing to snooze.")
    other_id = assignment.mentee_user_id if actor_id == mentor_user_id else mentor_user_id
    other_name = db.scalar(select(User.name).where(User.id == other_id)) or ""
    assignment.snoozed_until = now + SNOOZE
    audit.record(
        db,
        actor_id=actor_id,
        action="assignment.snoozed",
        entity_type="assignment",
        entity_id=assignment.id,
        now=now,
        until=assignment.snoozed_until,
    )
    db.flush()
    actor_timezone = db.scalar(select(User.timezone).where(User.id == actor_id))
    until_day = local_date(
        assignment.snoozed_until, actor_timezone, WorkingDay.of(program.load(db))
    )
    return Snoozed(assignment.id, assignment.snoozed_until, until_day, other_name)
