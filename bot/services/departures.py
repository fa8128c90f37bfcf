"""People who leave the workspace.

Slack says so in `users.info` (`deleted: true`, or `user_not_found`) and in the
`user_change` event; a DM to a deactivated account still goes through, so a
successful post proves nothing. When it does say so, `record` marks the person
once and ends what waited on them, in one transaction: the requests they were asked
or asked about are withdrawn, and their mentorships end (a mentor's place is freed).
Reminders stop by themselves: the sweep's finders skip deactivated people and
closed mentorships."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.services import assignment_views, audit, capacity, program, roster
from bot.services.assignment_views import AssignmentView
from models import OPEN_STATUSES, Assignment, Mentor, User


@dataclass(frozen=True)
class Ended:
    """A request or mentorship that ended because someone left."""

    assignment: AssignmentView
    #: True for a mentorship that was running; False for a request still unanswered.
    was_active: bool


@dataclass(frozen=True)
class Departure:
    """Who left, and each request or mentorship that ended with it (as it stands now,
    `cancel_reason` saying why)."""

    user_id: uuid.UUID
    slack_user_id: str
    name: str
    #: Requests and mentorships in which the leaver was the mentor: their mentees need
    #: someone new.
    as_mentor: list[Ended] = field(default_factory=list)
    #: Those in which the leaver was the mentee: their mentors have a place free.
    as_mentee: list[Ended] = field(default_factory=list)


def record(db: Session, *, slack_user_id: str, reason: str, now: datetime) -> Departure | None:
    """Slack says this person left (`reason`: how it said so). Marks them deactivated
    and ends their open requests and mentorships. Once: when they are already marked
    (a retried event, a second report, a race with another replica), or not in the
    roster, returns None and changes nothing."""
    user = roster.by_slack_id(db, slack_user_id)
    if user is None:
        return None
    marked = db.execute(
        sa.update(User)
        .where(User.id == user.id, User.deactivated_at.is_(None))
        .values(deactivated_at=now)
        .execution_options(synchronize_session=False)
    )
    if marked.rowcount != 1:  # type: ignore[attr-defined]
        return None
    db.refresh(user)
    audit.record(
        db,
        actor_id=None,
        action="user.deactivated",
        entity_type="user",
        entity_id=user.id,
        now=now,
        reason=reason,
    )
    departure = Departure(user.id, user.slack_user_id, user.name)
    for assignment in _open_assignments(db, user.id):
        is_mentor = assignment.mentor.user_id == user.id
        was_active = _end(db, assignment, _why(assignment, user, is_mentor), now)
        ended = Ended(assignment_views.view(db, assignment.id), was_active)
        (departure.as_mentor if is_mentor else departure.as_mentee).append(ended)
    return departure


def _open_assignments(db: Session, user_id: uuid.UUID) -> list[Assignment]:
    """Pending and active assignments with this person on either side, oldest first."""
    return list(
        db.scalars(
            sa.select(Assignment)
            .join(Mentor, Mentor.id == Assignment.mentor_id)
            .where(
                sa.or_(Mentor.user_id == user_id, Assignment.mentee_user_id == user_id),
                Assignment.status.in_(OPEN_STATUSES),
            )
            .order_by(Assignment.created_at)
        )
    )


def _why(assignment: Assignment, leaver: User, is_mentor: bool) -> str:
    other = assignment.mentee.name if is_mentor else assignment.mentor.user.name
    left = f"{leaver.name} left the workspace, so"
    if assignment.status == "pending":
        if is_mentor:
            return f"{left} the request to mentor {other} is withdrawn."
        return f"{left} the request to {other} to mentor them is withdrawn."
    if is_mentor:
        return f"{left} {other}'s mentorship with them has ended."
    return f"{left} their mentorship with {other} has ended."


def _end(db: Session, assignment: Assignment, why: str, now: datetime) -> bool:
    """Cancel a pending or active assignment (row-locked, so an accept racing with it
    either lands first and is ended here, or finds it cancelled); an active one's
    place is freed. True when it was active."""
    db.refresh(assignment, with_for_update=True)
    was = assignment.status
    if was not in OPEN_STATUSES:
        return False
    assignment.status = "cancelled"
    assignment.cancelled_at = now
    assignment.cancel_reason = why
    if was == "active":
        assignment.actual_end_date = program.todays_date(db, now)
        capacity.free_slot(db, assignment.mentor_id)
    audit.record(
        db,
        actor_id=None,
        action="assignment.withdrawn" if was == "pending" else "mentorship.cancelled",
        entity_type="mentorship_assignment",
        entity_id=assignment.id,
        now=now,
        previous_status=was,
        reason="participant_left",
    )
    db.flush()
    return was == "active"
