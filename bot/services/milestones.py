"""Ramp milestones' review (FR-4.1; Mentor Role's "Assignment Review Process"): the
mentee submits a milestone, the mentor approves it or requests changes.

A milestone is achieved in one of three ways: the mentor approves the mentee's submission
(`mentor_verified`), an unmentored hire reports it (`self_report`), or a system such
as the CRM says so (`system_tracked`, `mentorbot milestones import`, in milestones_import.py).
Which milestones a person is given is in `milestone_instances`; what they have and
which submissions wait for review, in `milestone_views`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services import access, audit, inputs, milestone_templates
from bot.services.errors import Conflict, InvalidInput, NotAllowed, NotFound
from bot.services.milestone_views import reviewing_assignment
from models import Assignment, MilestoneSubmission, RampMilestone, User

DECISIONS = {"approve": "approved", "request_changes": "changes_requested"}


@dataclass(frozen=True)
class Submitted:
    submission_id: uuid.UUID
    milestone_name: str
    mentee_name: str
    evidence: str
    #: None when nobody reviews it (no mentor): then it is self-reported and achieved.
    reviewer_slack_id: str | None
    reviewer_user_id: uuid.UUID | None
    achieved_date: date | None


@dataclass(frozen=True)
class Reviewed:
    milestone_name: str
    decision: str
    mentee_user_id: uuid.UUID
    mentee_slack_id: str
    mentee_name: str
    reviewer_name: str
    feedback: str | None
    achieved_date: date | None


def submit(
    db: Session,
    *,
    actor_id: uuid.UUID,
    milestone_id: uuid.UUID | str,
    evidence: str | None,
    now: datetime,
) -> Submitted:
    """The mentee submits a milestone with evidence (a link or a few words). With a
    mentor it waits for their review; without one, or when its template says the hire
    reports it, it is self-reported and achieved. One a system records is refused."""
    actor = access.load_user(db, actor_id)
    milestone = _load_milestone(db, milestone_id)
    if milestone.mentee_user_id != actor.id:
        raise NotAllowed("Only the mentee can submit their own milestones.")
    errors: dict[str, str] = {}
    text = inputs.required_text(
        evidence, "evidence", errors, what="the evidence (a link or what you did)"
    )
    looks_like_link = bool(text) and text.lower().startswith(("http", "www.")) and " " not in text
    if looks_like_link and not inputs.is_web_link(text or ""):
        errors["evidence"] = "That link looks broken; paste the full https:// address."
    if errors:
        raise InvalidInput(errors)
    assert text is not None
    if milestone.status == "submitted":
        raise Conflict(
            f"You already submitted *{milestone.milestone_name}*; it is waiting for review."
        )
    if milestone.status == "achieved":
        raise Conflict(
            f"*{milestone.milestone_name}* is already achieved "
            f"({milestone.achieved_date.isoformat() if milestone.achieved_date else 'done'})."
        )
    # The template says how it is verified: a system records it, the hire reports it,
    # or (a mentorship goal, or the default) the mentor reviews it if there is one.
    how = milestone_templates.verification_of(db, milestone.template_key)
    if how == "system_tracked":
        raise Conflict(
            f"*{milestone.milestone_name}* is recorded by a system (the CRM or the LMS), "
            "not submitted: it shows as achieved once the program records it."
        )
    reviewing = reviewing_assignment(db, actor.id) if how == "mentor_verified" else None
    submission = MilestoneSubmission(
        milestone_id=milestone.id, submitted_by_user_id=actor.id, evidence=text, submitted_at=now
    )
    db.add(submission)
    reviewer: User | None = None
    achieved: date | None = None
    if reviewing is None:
        achieved = inputs.local_day(now, inputs.zone(db, actor.timezone))
        achieve(milestone, achieved, "self_report", actor.id)
        submission.decision = "approved"
        submission.reviewed_at = now
        submission.reviewed_by_user_id = actor.id
    else:
        reviewer = access.load_user(db, access.mentor_user_id(db, reviewing))
        milestone.status = "submitted"
        if milestone.assignment_id is None:
            milestone.assignment_id = reviewing.id
    db.flush()
    audit.record(
        db,
        actor_id=actor.id,
        action="milestone.self_reported" if reviewer is None else "milestone.submitted",
        entity_type="mentee_ramp_milestone",
        entity_id=milestone.id,
        now=now,
        submission_id=submission.id,
        status=milestone.status,
    )
    return Submitted(
        submission.id,
        milestone.milestone_name,
        actor.name,
        text,
        reviewer.slack_user_id if reviewer else None,
        reviewer.id if reviewer else None,
        achieved,
    )


def review(
    db: Session,
    *,
    actor_id: uuid.UUID,
    submission_id: uuid.UUID | str,
    decision: str,
    feedback: str | None,
    now: datetime,
) -> Reviewed:
    """The mentor approves a submission (achieved, mentor_verified) or requests changes
    (feedback required). Only the mentee's own mentor may; a decision is final."""
    actor = access.load_user(db, actor_id)
    submission = _load_submission(db, submission_id)
    milestone = _load_milestone(db, submission.milestone_id)
    assert milestone.mentee_user_id is not None
    mentee = access.load_user(db, milestone.mentee_user_id)
    reviewing = reviewing_assignment(db, mentee.id)
    if reviewing is None or not access.allowed(db, actor, access.REVIEW_MILESTONE, reviewing):
        raise NotAllowed("You can only review milestones of your own mentees.")
    if submission.decision is not None:
        raise Conflict(
            f"*{milestone.milestone_name}* was already reviewed "
            f"({submission.decision.replace('_', ' ')})."
        )
    if decision not in DECISIONS:
        raise InvalidInput({"decision": "Choose Approve or Request changes."})
    text = (feedback or "").strip() or None
    if decision == "request_changes" and not text:
        raise InvalidInput(
            {"feedback": f"Say what to change, so {mentee.name} knows what to do next."}
        )
    if text and len(text) > 3000:
        raise InvalidInput({"feedback": "Keep the feedback under 3000 characters."})
    submission.decision = DECISIONS[decision]
    submission.feedback = text
    submission.reviewed_by_user_id = actor.id
    submission.reviewed_at = now
    achieved: date | None = None
    if decision == "approve":
        achieved = inputs.local_day(submission.submitted_at, inputs.zone(db, mentee.timezone))
        achieve(milestone, achieved, "mentor_verified", actor.id)
        _mark_goal(reviewing, milestone.milestone_name)
    else:
        milestone.status = "changes_requested"
    db.flush()
    audit.record(
        db,
        actor_id=actor.id,
        action=f"milestone.{DECISIONS[decision]}",
        entity_type="mentee_ramp_milestone",
        entity_id=milestone.id,
        now=now,
        submission_id=submission.id,
        status=milestone.status,
    )
    return Reviewed(
        milestone.milestone_name,
        DECISIONS[decision],
        mentee.id,
        mentee.slack_user_id,
        mentee.name,
        actor.name,
        text,
        achieved,
    )


def achieve(milestone: RampMilestone, day: date, method: str, by: uuid.UUID | None) -> None:
    """Mark `milestone` achieved on `day`, by `method` (and who, when a person)."""
    milestone.achieved_date = day
    milestone.verification_method = method
    milestone.verified_by_user_id = by
    milestone.status = "achieved"


def _mark_goal(assignment: Assignment, name: str) -> None:
    goals = [dict(g) for g in assignment.goals or []]
    for goal in goals:
        if str(goal.get("goal") or "").strip() == name:
            goal["achieved"] = True
    if goals != assignment.goals:
        assignment.goals = goals


def _load_milestone(db: Session, milestone_id: uuid.UUID | str) -> RampMilestone:
    milestone = db.get(RampMilestone, _as_uuid(milestone_id))
    if milestone is None:
        raise NotFound("I can't find that milestone any more.")
    return milestone


def _load_submission(db: Session, submission_id: uuid.UUID | str) -> MilestoneSubmission:
    # Lock it: two reviewers' clicks (or a retry) must not both decide.
    submission = db.scalar(
        select(MilestoneSubmission)
        .where(MilestoneSubmission.id == _as_uuid(submission_id))
        .with_for_update()
    )
    if submission is None:
        raise NotFound("I can't find that submission any more.")
    return submission


def _as_uuid(value: uuid.UUID | str) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(value)
    except (ValueError, TypeError):
        return None
