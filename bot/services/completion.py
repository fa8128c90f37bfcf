"""Ending a mentorship: completion with both sides' feedback and 1-5 ratings, or
cancellation with a reason. Either way the mentor's slot is freed in the same
transaction; completion also counts towards the mentor's record and rating."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.services import (
    access,
    audit,
    capacity,
    feedback_texts,
    inputs,
    mentorships,
    program,
    term,
)
from bot.services.errors import Conflict, InvalidInput
from models import Assignment, Mentor, User


@dataclass(frozen=True)
class FeedbackForm:
    assignment_id: uuid.UUID
    side: str
    other_name: str
    #: True when this feedback also ends the mentorship (the other side hasn't yet).
    ends_it: bool
    early: bool


@dataclass(frozen=True)
class Completed:
    assignment_id: uuid.UUID
    #: True when this call ended the mentorship (False: the second side's feedback).
    ended_now: bool
    early: bool
    side: str
    actor_name: str
    other_slack_id: str
    other_user_id: uuid.UUID
    other_gave_feedback: bool
    manager_slack_id: str | None
    mentor_user_id: uuid.UUID
    mentee_name: str
    mentor_name: str


@dataclass(frozen=True)
class Cancelled:
    assignment_id: uuid.UUID
    actor_name: str
    #: Everyone to tell: mentor, mentee (and the manager when not the actor).
    notify_slack_ids: list[str]
    mentee_name: str
    mentor_name: str
    affected_user_ids: list[uuid.UUID]


@dataclass(frozen=True)
class CancelForm:
    assignment_id: uuid.UUID
    #: Who the mentorship is with, as the person cancelling sees it.
    about: str


def cancel_form(db: Session, *, actor_id: uuid.UUID, other_slack_id: str | None) -> CancelForm:
    """The mentorship `/mentor cancel [@person]` is about, once the person may cancel it."""
    assignment = access.load_assignment(
        db,
        mentorships.choose(
            db,
            actor_id=actor_id,
            other_slack_id=other_slack_id,
            statuses=("active", "pending"),
            as_third_party=True,
        ),
    )
    access.require(db, access.load_user(db, actor_id), access.CANCEL, assignment)
    return CancelForm(assignment.id, term.about(db, assignment, actor_id))


def feedback_form(
    db: Session, *, actor_id: uuid.UUID, assignment_id: uuid.UUID | str, now: datetime
) -> FeedbackForm:
    """What the completion modal asks, or Conflict when there is nothing to give."""
    assignment = access.load_assignment(db, assignment_id)
    actor = access.load_user(db, actor_id)
    access.require(db, actor, access.GIVE_FEEDBACK, assignment)
    side = access.side(db, actor.id, assignment)
    assert side is not None
    _check_can_give(assignment, side)
    other = _other(db, assignment, side)
    early = _ends_early(assignment, program.todays_date(db, now))
    return FeedbackForm(assignment.id, side, other.name, assignment.status == "active", early)


def complete(
    db: Session,
    *,
    actor_id: uuid.UUID,
    assignment_id: uuid.UUID | str,
    feedback: str | None,
    rating: object,
    now: datetime,
) -> Completed:
    """One side's feedback and 1-5 rating. The first one ends an active mentorship:
    `completed`, `actual_end_date`, the slot freed, the mentor's total counted; the
    mentee's rating updates the mentor's average. Each side gives feedback once."""
    assignment = access.load_assignment(db, assignment_id)
    db.refresh(assignment, with_for_update=True)  # two sides finishing at once
    actor = access.load_user(db, actor_id)
    access.require(db, actor, access.GIVE_FEEDBACK, assignment)
    side = access.side(db, actor.id, assignment)
    assert side is not None
    errors: dict[str, str] = {}
    text = inputs.required_text(feedback, "feedback", errors, what="your feedback")
    score = inputs.rating(rating, "rating", errors, what="a rating", required=True)
    if errors:
        raise InvalidInput(errors)
    _check_can_give(assignment, side)
    ended_now = assignment.status == "active"
    today = program.todays_date(db, now)
    early = _ends_early(assignment, today)
    mentor = db.get(Mentor, assignment.mentor_id)
    assert mentor is not None
    feedback_texts.write(
        db, assignment_id=assignment.id, kind=f"{side}_feedback", text=text, author_id=actor.id
    )
    if side == "mentee":
        assignment.mentee_rating = score
    else:
        assignment.mentor_rating = score
    if ended_now:
        assignment.status = "completed"
        assignment.actual_end_date = today
        # The PRD's completion_notes: how it ended, for the program's records.
        feedback_texts.write(
            db,
            assignment_id=assignment.id,
            kind="completion_notes",
            text=f"Completed by the {side} ({actor.name}) on {today.isoformat()}"
            + (
                f", before the expected end ({assignment.expected_end_date.isoformat()})."
                if early and assignment.expected_end_date
                else "."
            ),
            author_id=actor.id,
        )
        capacity.free_slot(db, mentor.id)
    db.flush()
    if side == "mentee":
        mentor.average_rating = _average_rating(db, mentor.id)
    audit.record(
        db,
        actor_id=actor.id,
        action="mentorship.completed" if ended_now else "mentorship.feedback_given",
        entity_type="mentorship_assignment",
        entity_id=assignment.id,
        now=now,
        side=side,
        rating=score,
        early=early if ended_now else None,
        status=assignment.status,
    )
    db.flush()
    other = _other(db, assignment, side)
    mentee = access.load_user(db, assignment.mentee_user_id)
    manager = db.get(User, mentee.manager_id) if mentee.manager_id else None
    return Completed(
        assignment.id,
        ended_now,
        early,
        side,
        actor.name,
        other.slack_user_id,
        other.id,
        (assignment.mentor_rating if side == "mentee" else assignment.mentee_rating) is not None,
        manager.slack_user_id if manager and manager.id != actor.id else None,
        mentor.user_id,
        mentee.name,
        access.load_user(db, mentor.user_id).name,
    )


def _ends_early(assignment: Assignment, today: date) -> bool:
    # The end of a mentorship is the program's record, dated on the program's day
    # (`program.program_today`) whoever ends it and wherever they are: the end date,
    # "early", and the completion notes all read the same day.
    return bool(assignment.expected_end_date and today < assignment.expected_end_date)


def cancel(
    db: Session,
    *,
    actor_id: uuid.UUID,
    assignment_id: uuid.UUID | str,
    reason: str | None,
    now: datetime,
) -> Cancelled:
    """End a pending or active mentorship early with a reason (mentor, mentee, the
    mentee's manager or an admin); an active one's slot is freed."""
    assignment = access.load_assignment(db, assignment_id)
    db.refresh(assignment, with_for_update=True)
    actor = access.load_user(db, actor_id)
    access.require(db, actor, access.CANCEL, assignment)
    errors: dict[str, str] = {}
    text = inputs.required_text(reason, "reason", errors, what="the reason", limit=1000)
    if errors:
        raise InvalidInput(errors)
    if assignment.status not in ("pending", "active"):
        raise Conflict(f"This mentorship is already {assignment.status}.")
    was = assignment.status
    assignment.status = "cancelled"
    assignment.cancelled_at = now
    assignment.cancel_reason = text
    assignment.actual_end_date = program.todays_date(db, now)
    if was == "active":
        capacity.free_slot(db, assignment.mentor_id)
    audit.record(
        db,
        actor_id=actor.id,
        action="mentorship.cancelled",
        entity_type="mentorship_assignment",
        entity_id=assignment.id,
        now=now,
        previous_status=was,
    )
    db.flush()
    mentee = access.load_user(db, assignment.mentee_user_id)
    mentor = access.load_user(db, access.mentor_user_id(db, assignment))
    manager = db.get(User, mentee.manager_id) if mentee.manager_id else None
    people = [mentee, mentor] + ([manager] if manager else [])
    return Cancelled(
        assignment.id,
        actor.name,
        list(dict.fromkeys(p.slack_user_id for p in people if p.id != actor.id)),
        mentee.name,
        mentor.name,
        [mentee.id, mentor.id],
    )


def _check_can_give(assignment: Assignment, side: str) -> None:
    if assignment.status == "completed":
        given = assignment.mentee_rating if side == "mentee" else assignment.mentor_rating
        if given is not None:
            raise Conflict("You already gave your feedback on this mentorship. Thank you!")
        return
    if assignment.status != "active":
        raise Conflict(
            f"This mentorship is {assignment.status}; only an active one can be completed."
        )


def _other(db: Session, assignment: Assignment, side: str) -> User:
    if side == "mentee":
        return access.load_user(db, access.mentor_user_id(db, assignment))
    return access.load_user(db, assignment.mentee_user_id)


def _average_rating(db: Session, mentor_id: uuid.UUID) -> Decimal | None:
    average = db.scalar(
        select(func.avg(Assignment.mentee_rating)).where(
            Assignment.mentor_id == mentor_id,
            Assignment.status == "completed",
            Assignment.mentee_rating.is_not(None),
        )
    )
    if average is None:
        return None
    return Decimal(str(average)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
