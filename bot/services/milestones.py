"""Ramp milestones (FR-4.1) and their review (Mentor Role's "Assignment Review Process").

Program templates are instantiated for every new hire, mentored or not, so ramp can
be compared, and a mentorship's goals become milestones of that mentorship. A milestone
is achieved in one of three ways: the mentor approves the mentee's submission
(`mentor_verified`), an unmentored hire reports it (`self_report`), or a system such
as the CRM says so (`system_tracked`, `mentorbot milestones import`, in milestones_import.py)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from bot.services import access, audit, inputs, milestone_templates, program
from bot.services.analytics.shared import program_today
from bot.services.errors import Conflict, InvalidInput, NotAllowed, NotFound
from bot.services.milestone_templates import ensure_default_templates
from models import (
    MENTORED_STATUSES,
    Assignment,
    Mentor,
    MilestoneSubmission,
    RampMilestone,
    User,
)

DECISIONS = {"approve": "approved", "request_changes": "changes_requested"}


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


@dataclass(frozen=True)
class ReviewRequest:
    submission_id: uuid.UUID
    milestone_name: str
    mentee_name: str
    mentee_slack_id: str
    evidence: str
    submitted_at: datetime
    reviewer_user_id: uuid.UUID


# -- templates and instances ---------------------------------------------------------------
def instantiate_for_new_hires(db: Session, now: datetime) -> int:
    """Give every new hire in the roster (hired within the program's new-hire window)
    the program milestones they don't have yet, mentored or not. Returns how many
    milestones were created; safe to call again (after a roster import, on first use)."""
    ensure_default_templates(db, now)
    window = program.load(db).new_hire_window_days
    since = now.date() - timedelta(days=window)
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
    config = program.load(db)
    today = program_today(now, config)  # the day FirstUseMemo's fingerprint is taken on
    new_hire = (
        user.hire_date is not None and (today - user.hire_date).days <= config.new_hire_window_days
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


# -- reading -------------------------------------------------------------------------------
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


def reviewing_assignment(db: Session, mentee_user_id: uuid.UUID) -> Assignment | None:
    """The active mentorship whose mentor reviews this person's milestones."""
    return db.scalar(
        select(Assignment)
        .where(Assignment.mentee_user_id == mentee_user_id, Assignment.status == "active")
        .order_by(Assignment.start_date.desc())
        .limit(1)
    )


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
    .join(
        Assignment,
        (Assignment.mentee_user_id == RampMilestone.mentee_user_id)
        & (Assignment.status == "active"),
    )
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


# -- the review process --------------------------------------------------------------------
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
