"""What milestones does a person have, and which submissions wait for a mentor's
review? Read for the person, their mentor, anyone above them and admins; the review
feedback only for mentee and mentor."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, Uuid, bindparam, select
from sqlalchemy.orm import Session, aliased

from bot.services import access
from bot.services.milestone_instances import ensure_for
from models import Assignment, Mentor, MilestoneSubmission, RampMilestone, User


@dataclass(frozen=True)
class MilestoneView:
    id: uuid.UUID
    name: str
    description: str | None
    target_date: date | None
    achieved_date: date | None
    status: str
    verification_method: str | None
    is_goal: bool
    #: The reviewer's "request changes" text: only for the mentee and their mentor.
    feedback: str | None


@dataclass(frozen=True)
class MilestoneList:
    subject_name: str
    subject_slack_id: str
    items: list[MilestoneView]
    #: True when the viewer is the person themselves (Submit buttons).
    own: bool
    reviewer_name: str | None


@dataclass(frozen=True)
class ReviewRequest:
    submission_id: uuid.UUID
    milestone_name: str
    mentee_name: str
    mentee_slack_id: str
    evidence: str
    submitted_at: datetime
    reviewer_user_id: uuid.UUID


# Columns, not whole rows, built once (see roster._BY_SLACK_ID): App Home lists them
# on every open.
_MILESTONES_OF = (
    select(
        RampMilestone.id,
        RampMilestone.milestone_name,
        RampMilestone.description,
        RampMilestone.target_date,
        RampMilestone.achieved_date,
        RampMilestone.status,
        RampMilestone.verification_method,
        RampMilestone.template_key,
    )
    .where(RampMilestone.mentee_user_id == bindparam("user_id"))
    .order_by(RampMilestone.target_date.is_(None), RampMilestone.target_date)
)


def list_for(
    db: Session,
    *,
    actor_id: uuid.UUID | None,
    subject_user_id: uuid.UUID,
    now: datetime,
    ensure: bool = True,
    reviewer: bool = True,
) -> MilestoneList:
    """A person's milestones with target and achieved dates, for them, their mentor,
    anyone above them and admins; review feedback only for mentee and mentor.
    `actor_id` None is a trusted system reader (an API service token): no feedback.
    `ensure=False` only reads (App Home, whose opening made them: `ensure_for`);
    `reviewer=False` leaves `reviewer_name` unread (App Home doesn't show it)."""
    actor = access.load_user(db, actor_id) if actor_id is not None else None
    subject = access.load_user(db, subject_user_id)
    if actor is not None:
        access.require_view_person(db, actor, subject)
    if ensure:
        ensure_for(db, subject.id, now)
    own = actor is not None and actor.id == subject.id
    # The person themselves reads their own feedback: their mentorship is asked about
    # only for someone else's eyes or to name the reviewer.
    reviewing = reviewing_assignment(db, subject.id) if reviewer or not own else None
    private = own or (
        actor is not None
        and reviewing is not None
        and access.allowed(db, actor, access.READ_PRIVATE, reviewing)
    )
    rows = db.execute(_MILESTONES_OF, {"user_id": subject.id}).all()
    feedback = _latest_feedback(db, [m.id for m in rows]) if private else {}
    reviewer_name = (
        db.scalar(
            select(User.name)
            .join(Mentor, Mentor.user_id == User.id)
            .where(Mentor.id == reviewing.mentor_id)
        )
        if reviewing is not None and reviewer
        else None
    )
    return MilestoneList(
        subject.name,
        subject.slack_user_id,
        [
            MilestoneView(
                m.id,
                m.milestone_name,
                m.description,
                m.target_date,
                m.achieved_date,
                m.status,
                m.verification_method,
                m.template_key is None,
                feedback.get(m.id) if m.status == "changes_requested" else None,
            )
            for m in rows
        ],
        own=own,
        reviewer_name=reviewer_name,
    )


def reviewer_mentorship(mentee_user_id: ColumnElement[uuid.UUID]) -> ColumnElement[uuid.UUID]:
    """SQL for the id of the mentorship whose mentor reviews this mentee's milestones:
    their latest active one (NULL when they have none). The one rule for who reviews,
    whoever asks: the review itself, a mentor's list of reviews waiting, the
    reminders; a milestone keeps the mentorship it was submitted under, which may have
    ended since."""
    active = aliased(Assignment)
    return (
        select(active.id)
        .where(active.mentee_user_id == mentee_user_id, active.status == "active")
        .order_by(active.start_date.desc(), active.created_at.desc())
        .limit(1)
        .scalar_subquery()
    )


_REVIEWING = select(Assignment).where(
    Assignment.id == reviewer_mentorship(bindparam("mentee_user_id", type_=Uuid))
)


def reviewing_assignment(db: Session, mentee_user_id: uuid.UUID) -> Assignment | None:
    """The active mentorship whose mentor reviews this person's milestones."""
    return db.scalar(_REVIEWING, {"mentee_user_id": mentee_user_id})


def pending_reviews(db: Session, mentor_user_id: uuid.UUID) -> list[ReviewRequest]:
    """Submissions waiting for this mentor's decision, oldest first."""
    return reviews_waiting(db, reviewer_user_id=mentor_user_id)


# Columns, not whole rows, built once (see roster._BY_SLACK_ID): a mentor's App Home
# asks on every open.
_WAITING = (
    select(
        MilestoneSubmission.id,
        RampMilestone.milestone_name,
        User.name,
        User.slack_user_id,
        MilestoneSubmission.evidence,
        MilestoneSubmission.submitted_at,
        Mentor.user_id,
    )
    .select_from(MilestoneSubmission)
    .join(RampMilestone, MilestoneSubmission.milestone_id == RampMilestone.id)
    .join(User, RampMilestone.mentee_user_id == User.id)
    .join(Assignment, Assignment.id == reviewer_mentorship(RampMilestone.mentee_user_id))
    .join(Mentor, Assignment.mentor_id == Mentor.id)
    .where(MilestoneSubmission.decision.is_(None))
    .order_by(MilestoneSubmission.submitted_at)
)
_WAITING_FOR_REVIEWER = _WAITING.where(Mentor.user_id == bindparam("reviewer_user_id"))


def reviews_waiting(
    db: Session,
    *,
    submitted_before: datetime | None = None,
    reviewer_user_id: uuid.UUID | None = None,
) -> list[ReviewRequest]:
    """Every submission still waiting for a decision (optionally only those older than
    `submitted_before`, or only one reviewer's: read through their mentorships, not
    the program's), with its reviewer: for the review-time reminders and App Home."""
    query = _WAITING_FOR_REVIEWER if reviewer_user_id is not None else _WAITING
    if submitted_before is not None:
        query = query.where(MilestoneSubmission.submitted_at < submitted_before)
    params = {"reviewer_user_id": reviewer_user_id}
    return [ReviewRequest(*row) for row in db.execute(query, params).tuples()]


def _latest_feedback(db: Session, milestone_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not milestone_ids:
        return {}
    found: dict[uuid.UUID, str] = {}
    for milestone_id, feedback in db.execute(
        select(MilestoneSubmission.milestone_id, MilestoneSubmission.feedback)
        .where(
            MilestoneSubmission.milestone_id.in_(milestone_ids),
            MilestoneSubmission.decision == "changes_requested",
        )
        .order_by(MilestoneSubmission.reviewed_at)
    ).tuples():
        found[milestone_id] = feedback or ""
    return found
