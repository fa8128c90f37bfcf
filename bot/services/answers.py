"""A mentor's answer to a request (PRD FR-2.3, FR-2.4), and what follows a decline or
a request left unanswered: the next-best mentor for whoever asked.

Every answer is a conditional UPDATE on the pending row (`assignments.leave_pending`),
so a repeated click or a Slack retry finds the request already answered and changes
nothing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.services import (
    assignment_views,
    assignments,
    audit,
    capacity,
    matching,
    milestone_instances,
)
from bot.services.assignment_views import AssignmentView
from bot.services.assignments import AlreadyAnswered
from bot.services.errors import CapacityFull, InvalidInput, NotAllowed, NotFound
from models import OPEN_STATUSES, Assignment, Mentor

DECLINE_REASONS = {
    "no_capacity": "No capacity",
    "skills_mismatch": "Skills mismatch",
    "other": "Other",
}
DETAILS_LIMIT = 1000


@dataclass(frozen=True)
class NextSuggestion:
    """What to tell whoever asked after a decline or an unanswered request."""

    assignment: AssignmentView
    match: matching.MentorMatch | None
    mentee_covered: bool  # the mentee has another mentor or request meanwhile
    hours_waiting: int


def accept(
    db: Session, *, assignment_id: uuid.UUID, actor_id: uuid.UUID, now: datetime
) -> AssignmentView:
    """The mentor accepts (FR-2.3): `active`, `mentor_accepted_at`, and the slot taken
    in the same transaction, so of two accepts racing for the last slot one wins and
    the other gets CapacityFull. AlreadyAnswered if it was answered or withdrawn."""
    assignment = _for_mentor(db, assignment_id, actor_id)
    if not assignments.leave_pending(
        db, assignment.id, status="active", mentor_accepted_at=now, now=now
    ):
        _raise_answered(db, assignment)
    try:
        capacity.take_slot(db, assignment.mentor_id)
    except CapacityFull as exc:
        mentor = db.get(Mentor, assignment.mentor_id)
        total = mentor.max_mentees if mentor else 0
        raise CapacityFull(
            f"You have no free slot left (all {total} are taken), so this request can't be "
            "accepted now. Decline it, or finish a mentorship or raise your capacity with "
            "`/mentor profile` first."
        ) from exc
    db.execute(
        sa.update(Mentor)
        .where(Mentor.id == assignment.mentor_id)
        .values(total_mentees_to_date=Mentor.total_mentees_to_date + 1)
        .execution_options(synchronize_session=False)
    )
    db.refresh(assignment)
    # The mentorship's goals and the mentee's program milestones, for the mentor to review.
    milestone_instances.instantiate_for_assignment(db, assignment, now)
    audit.record(
        db,
        actor_id=actor_id,
        action="assignment.accepted",
        entity_type="assignment",
        entity_id=assignment.id,
        now=now,
        status="active",
        mentor_id=assignment.mentor_id,
    )
    return assignment_views.view_of(assignment)


def check_answerable(
    db: Session, *, assignment_id: uuid.UUID, actor_id: uuid.UUID
) -> AssignmentView:
    """The request, if this actor is its mentor and it still waits for an answer
    (before the decline modal opens); AlreadyAnswered or NotAllowed otherwise."""
    assignment = _for_mentor(db, assignment_id, actor_id)
    if assignment.status != "pending":
        _raise_answered(db, assignment)
    return assignment_views.view_of(assignment)


def decline(
    db: Session,
    *,
    assignment_id: uuid.UUID,
    actor_id: uuid.UUID,
    reason: str | None,
    details: str | None,
    now: datetime,
) -> AssignmentView:
    """The mentor declines with a reason (no capacity / skills mismatch / other + text).
    InvalidInput names `reason` or `details`; AlreadyAnswered if it was answered."""
    details = (details or "").strip()
    errors: dict[str, str] = {}
    if reason not in DECLINE_REASONS:
        errors["reason"] = "Choose a reason: No capacity, Skills mismatch or Other."
    elif reason == "other" and not details:
        errors["details"] = "You chose Other: say in a few words why, for the manager."
    if len(details) > DETAILS_LIMIT:
        errors["details"] = (
            f"Keep the details under {DETAILS_LIMIT} characters ({len(details)} now)."
        )
    if errors:
        raise InvalidInput(errors)
    assignment = _for_mentor(db, assignment_id, actor_id)
    label = DECLINE_REASONS[str(reason)]
    if not assignments.leave_pending(
        db,
        assignment.id,
        status="declined",
        declined_at=now,
        decline_reason=f"{label}: {details}" if details else label,
        now=now,
    ):
        _raise_answered(db, assignment)
    db.refresh(assignment)
    audit.record(
        db,
        actor_id=actor_id,
        action="assignment.declined",
        entity_type="assignment",
        entity_id=assignment.id,
        now=now,
        status="declined",
        reason=reason,
    )
    return assignment_views.view_of(assignment)


def _for_mentor(db: Session, assignment_id: uuid.UUID, actor_id: uuid.UUID) -> Assignment:
    assignment = db.get(Assignment, assignment_id)
    if assignment is None:
        raise NotFound("I can't find that request any more.")
    if assignment.mentor.user_id != actor_id:
        raise NotAllowed(
            f"Only {assignment.mentor.user.name}, who was asked, can answer this request."
        )
    return assignment


def _raise_answered(db: Session, assignment: Assignment) -> None:
    db.refresh(assignment)
    view = assignment_views.view_of(assignment)
    messages = {
        "active": f"You already accepted this request: you are mentoring {view.mentee.name}.",
        "completed": f"This mentorship with {view.mentee.name} is already completed.",
        "declined": f"You already declined this request to mentor {view.mentee.name}.",
        "cancelled": f"This request to mentor {view.mentee.name} was withdrawn, so there is "
        "nothing to answer.",
    }
    raise AlreadyAnswered(messages.get(view.status, "This request was already answered."), view)


# -- what happens next -------------------------------------------------------------------------


def next_suggestion(db: Session, *, assignment_id: uuid.UUID, now: datetime) -> NextSuggestion:
    """After a decline, or a request unanswered past the fallback time: the request
    (its `to_tell`: the mentee's manager and whoever asked) and the next-best mentor
    for the mentee, unless the mentee has another mentor or request by now."""
    assignment = db.get(Assignment, assignment_id)
    if assignment is None:
        raise NotFound("I can't find that request any more.")
    view = assignment_views.view_of(assignment)
    covered = bool(
        db.scalar(
            sa.select(
                sa.exists().where(
                    Assignment.mentee_user_id == assignment.mentee_user_id,
                    Assignment.status.in_(OPEN_STATUSES),
                    Assignment.id != assignment.id,
                )
            )
        )
    )
    match = None
    if not covered:
        focus = (assignment.match_factors or {}).get("focus") or None
        matches = matching.suggest(
            db,
            mentee_id=assignment.mentee_user_id,
            now=now,
            limit=1,
            focus=focus,
            exclude_mentor_ids=[assignment.mentor_id],
        )
        match = matches[0] if matches else None
    waited = int((now - assignment.created_at).total_seconds() // 3600)
    return NextSuggestion(view, match, covered, waited)


def unanswered_requests(db: Session, *, now: datetime, older_than_hours: int) -> list[uuid.UUID]:
    """Requests still pending `older_than_hours` after they were made, oldest first
    (the reminders sweep reminds the mentor, then offers the next suggestion)."""
    cutoff = now - timedelta(hours=older_than_hours)
    return list(
        db.scalars(
            sa.select(Assignment.id)
            .where(Assignment.status == "pending", Assignment.created_at <= cutoff)
            .order_by(Assignment.created_at)
        )
    )
