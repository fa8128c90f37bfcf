"""Skill progression and confidence (FR-4.2, FR-4.3), the mentor's progress notes and
on-track flag (FR-4.4), escalation to admins (Mentor Role), and the status a manager
sees (FR-4.5): flags, counts, dates and ratings — never the private text."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services import (
    access,
    action_items,
    audit,
    curriculum,
    inputs,
    mentorships,
    milestone_instances,
    milestone_views,
    program,
    roster,
)
from bot.services.errors import Conflict, InvalidInput, NotFound
from bot.services.program import new_hire_since
from models import (
    Assignment,
    MentorshipSession,
    ProgressNote,
    RampMilestone,
    SkillAssessment,
    User,
)

FLAGS = {"on_track": "on track", "at_risk": "at risk"}
MAX_NOTE_LENGTH = 3000


# -- skills --------------------------------------------------------------------------------
@dataclass(frozen=True)
class SkillForm:
    assignment_id: uuid.UUID
    skills: list[str]
    #: skill -> ratings so far, oldest first.
    history: dict[str, list[int]]


def focus_skills(db: Session, assignment: Assignment) -> list[str]:
    """The skills this mentorship works on (the program's ramp skills by default)."""
    return list(assignment.focus_skills or program.load(db).default_ramp_skills)


def skill_form(db: Session, *, actor_id: uuid.UUID, assignment_id: str | None) -> SkillForm:
    """What the self-assessment modal asks: the focus skills and the trend so far."""
    assignment = _mentee_assignment(db, actor_id, assignment_id)
    access.require(db, access.load_user(db, actor_id), access.SELF_ASSESS, assignment)
    skills = focus_skills(db, assignment)
    return SkillForm(assignment.id, skills, skill_history(db, actor_id))


def self_assess(
    db: Session,
    *,
    actor_id: uuid.UUID,
    assignment_id: str,
    ratings: dict[int, object],
    now: datetime,
) -> int:
    """Store the mentee's 1-5 rating of each focus skill (`ratings` by the skill's
    position; empty ones are skipped). Returns how many were rated."""
    assignment = access.load_assignment(db, assignment_id)
    actor = access.load_user(db, actor_id)
    access.require(db, actor, access.SELF_ASSESS, assignment)
    skills = focus_skills(db, assignment)
    errors: dict[str, str] = {}
    rated: list[tuple[str, int]] = []
    for index, skill in enumerate(skills):
        value = inputs.rating(ratings.get(index), f"skill_{index}", errors, what=skill)
        if value is not None:
            rated.append((skill, value))
    if not rated and not errors:
        errors["skill_0"] = "Rate at least one skill from 1 to 5."
    if errors:
        raise InvalidInput(errors)
    for skill, value in rated:
        db.add(
            SkillAssessment(
                user_id=actor.id,
                assignment_id=assignment.id,
                skill=skill,
                rating=value,
                assessed_at=now,
            )
        )
    audit.record(
        db,
        actor_id=actor.id,
        action="skills.self_assessed",
        entity_type="mentorship_assignment",
        entity_id=assignment.id,
        now=now,
        skills=len(rated),
    )
    db.flush()
    return len(rated)


def skill_history(db: Session, user_id: uuid.UUID) -> dict[str, list[int]]:
    """Each skill's ratings, oldest first: the trend."""
    history: dict[str, list[int]] = defaultdict(list)
    for skill, rating in db.execute(
        select(SkillAssessment.skill, SkillAssessment.rating)
        .where(SkillAssessment.user_id == user_id)
        .order_by(SkillAssessment.assessed_at)
    ).tuples():
        history[skill].append(rating)
    return dict(history)


def _mentee_assignment(db: Session, actor_id: uuid.UUID, assignment_id: str | None) -> Assignment:
    if assignment_id:
        return access.load_assignment(db, assignment_id)
    found = milestone_views.reviewing_assignment(db, actor_id)
    if found is None:
        raise NotFound(
            "Rating your skills is part of a mentorship, and you have no active one as a mentee."
        )
    return found


# -- the mentor's notes and flag -----------------------------------------------------------
@dataclass(frozen=True)
class NoteForm:
    assignment_id: uuid.UUID
    mentee_name: str
    flag: str | None
    #: (when, flag, note) of earlier notes, newest first: the mentor's eyes only.
    earlier: list[tuple[datetime, str, str | None]]


@dataclass(frozen=True)
class NoteSaved:
    note_id: uuid.UUID
    flag: str
    previous_flag: str | None
    mentee_name: str
    mentor_name: str
    #: Slack ids of the mentee's manager chain's first manager (told the flag only).
    manager_slack_id: str | None


@dataclass(frozen=True)
class Escalated:
    mentee_name: str
    mentor_name: str
    admin_slack_ids: list[str]


def note_form(db: Session, *, actor_id: uuid.UUID, assignment_id: str) -> NoteForm:
    """The progress-note modal: the current flag and the mentor's earlier notes."""
    assignment = access.load_assignment(db, assignment_id)
    access.require(db, access.load_user(db, actor_id), access.WRITE_NOTES, assignment)
    notes = db.scalars(
        select(ProgressNote)
        .where(ProgressNote.assignment_id == assignment.id)
        .order_by(ProgressNote.created_at.desc())
        .limit(5)
    ).all()
    mentee = access.load_user(db, assignment.mentee_user_id)
    return NoteForm(
        assignment.id,
        mentee.name,
        assignment.progress_flag,
        [(n.created_at, n.flag, n.note) for n in notes],
    )


def record_note(
    db: Session,
    *,
    actor_id: uuid.UUID,
    assignment_id: str,
    note: str | None,
    flag: str | None,
    now: datetime,
) -> NoteSaved:
    """The mentor records a private note and the on-track / at-risk flag; the flag
    (never the note) is what managers and status views see."""
    assignment = access.load_assignment(db, assignment_id)
    actor = access.load_user(db, actor_id)
    access.require(db, actor, access.WRITE_NOTES, assignment)
    errors: dict[str, str] = {}
    if flag not in FLAGS:
        errors["flag"] = "Choose On track or At risk."
    text = (note or "").strip() or None
    if text and len(text) > MAX_NOTE_LENGTH:
        errors["note"] = f"Keep the note under {MAX_NOTE_LENGTH} characters."
    if errors:
        raise InvalidInput(errors)
    assert flag is not None
    if assignment.status != "active":
        raise Conflict(f"This mentorship is {assignment.status}; progress notes are closed.")
    row = ProgressNote(
        assignment_id=assignment.id, author_user_id=actor.id, note=text, flag=flag, created_at=now
    )
    db.add(row)
    previous = assignment.progress_flag
    assignment.progress_flag = flag
    db.flush()
    audit.record(
        db,
        actor_id=actor.id,
        action="progress.noted",
        entity_type="mentorship_assignment",
        entity_id=assignment.id,
        now=now,
        note_id=row.id,
        flag=flag,
        previous_flag=previous,
    )
    mentee = access.load_user(db, assignment.mentee_user_id)
    manager = db.get(User, mentee.manager_id) if mentee.manager_id else None
    return NoteSaved(
        row.id,
        flag,
        previous,
        mentee.name,
        actor.name,
        manager.slack_user_id if manager and manager.id != actor.id else None,
    )


def escalate(db: Session, *, actor_id: uuid.UUID, note_id: str, now: datetime) -> Escalated:
    """The mentor asks program admins for help with an at-risk mentorship (the note
    stays private; admins are told who and that it is at risk). Once per note."""
    try:
        note = db.get(ProgressNote, uuid.UUID(note_id))
    except ValueError:
        note = None
    if note is None:
        raise NotFound("I can't find that progress note any more.")
    assignment = access.load_assignment(db, note.assignment_id)
    actor = access.load_user(db, actor_id)
    access.require(db, actor, access.WRITE_NOTES, assignment)
    if note.escalated_at is not None:
        raise Conflict("You already escalated this to the program admins.")
    note.escalated_at = now
    audit.record(
        db,
        actor_id=actor.id,
        action="progress.escalated",
        entity_type="mentorship_assignment",
        entity_id=assignment.id,
        now=now,
        note_id=note.id,
    )
    admins = db.scalars(
        select(User.slack_user_id).where(User.is_admin.is_(True), User.id != actor.id)
    ).all()
    mentee = access.load_user(db, assignment.mentee_user_id)
    db.flush()
    return Escalated(mentee.name, actor.name, list(admins))


# -- status (FR-4.5) -----------------------------------------------------------------------
@dataclass(frozen=True)
class MilestoneLine:
    name: str
    target_date: date | None
    achieved_date: date | None
    status: str


@dataclass(frozen=True)
class PrivateDetails:
    """Only for the mentorship's participants (access.READ_PRIVATE)."""

    recent_sessions: list[tuple[datetime, str]]
    open_items: list[str]
    #: Only for the mentor (access.READ_NOTES).
    notes: list[tuple[datetime, str, str | None]] | None = None
    #: The curriculum so far (None when the program has none) and the mentor's resources.
    curriculum: curriculum.Progress | None = None
    resources: list[curriculum.Topic] = field(default_factory=list)


@dataclass(frozen=True)
class Status:
    """A person's mentorship at a glance: what a manager may see, plus `private`
    when (and only when) the viewer takes part in the mentorship."""

    person_name: str
    person_slack_id: str
    mentor_name: str | None
    assignment_status: str | None
    start_date: date | None
    expected_end_date: date | None
    sessions_held: int
    sessions_missed: int
    last_session: datetime | None
    milestones: list[MilestoneLine]
    confidence: list[tuple[int | None, int | None]]
    skills: dict[str, list[int]]
    flag: str | None
    mentee_rating: int | None
    mentor_rating: int | None
    private: PrivateDetails | None = None
    kind: str = "standard"  # "reverse": the mentor is a newer hire teaching a topic


def status(
    db: Session, *, actor_id: uuid.UUID, subject_user_id: uuid.UUID, now: datetime
) -> Status:
    """`/mentor status @person`: mentor, status, sessions held and last date, milestones,
    confidence trend, on-track flag. The person, their managers, their mentor and
    admins may ask; the private part is filled for participants only."""
    actor = access.load_user(db, actor_id)
    subject = access.load_user(db, subject_user_id)
    access.require_view_person(db, actor, subject)
    milestone_instances.ensure_for(db, subject.id, now)
    # The active mentorship, else the latest one.
    assignment = milestone_views.reviewing_assignment(db, subject.id) or _latest(db, subject.id)
    rows = db.scalars(
        select(RampMilestone)
        .where(RampMilestone.mentee_user_id == subject.id)
        .order_by(RampMilestone.target_date.is_(None), RampMilestone.target_date)
    ).all()
    milestone_lines = [
        MilestoneLine(m.milestone_name, m.target_date, m.achieved_date, m.status) for m in rows
    ]
    if assignment is None:
        return Status(
            subject.name,
            subject.slack_user_id,
            None,
            None,
            None,
            None,
            0,
            0,
            None,
            milestone_lines,
            [],
            skill_history(db, subject.id),
            None,
            None,
            None,
        )
    logged = db.scalars(
        select(MentorshipSession)
        .where(MentorshipSession.assignment_id == assignment.id)
        .order_by(MentorshipSession.session_date)
    ).all()
    held = [s for s in logged if s.attended]
    mentor = access.load_user(db, access.mentor_user_id(db, assignment))
    private: PrivateDetails | None = None
    if access.allowed(db, actor, access.READ_PRIVATE, assignment):
        items = action_items.open_for(db, assignment.mentee_user_id, assignment_id=assignment.id)
        items += action_items.open_for(db, mentor.id, assignment_id=assignment.id)
        notes = None
        if access.allowed(db, actor, access.READ_NOTES, assignment):
            notes = [
                (n.created_at, n.flag, n.note)
                for n in db.scalars(
                    select(ProgressNote)
                    .where(ProgressNote.assignment_id == assignment.id)
                    .order_by(ProgressNote.created_at.desc())
                    .limit(3)
                )
            ]
        today = inputs.local_day(now, inputs.zone(db, actor.timezone))
        covered = curriculum.progress(db, assignment, today)
        private = PrivateDetails(
            [(s.session_date, s.summary or "") for s in reversed(held[-3:])],
            [f"{i.owner}: {i.text}" for i in items],
            notes,
            covered if covered.covered or covered.open else None,
            curriculum.resources_of(db, [assignment.id]),
        )
    return Status(
        subject.name,
        subject.slack_user_id,
        mentor.name,
        assignment.status,
        assignment.start_date,
        assignment.expected_end_date,
        len(held),
        len(logged) - len(held),
        held[-1].session_date if held else None,
        milestone_lines,
        [(s.mentee_confidence_before, s.mentee_confidence_after) for s in held],
        skill_history(db, subject.id),
        assignment.progress_flag,
        assignment.mentee_rating,
        assignment.mentor_rating,
        private,
        assignment.kind,
    )


def _latest(db: Session, mentee_user_id: uuid.UUID) -> Assignment | None:
    return db.scalar(
        select(Assignment)
        .where(
            Assignment.mentee_user_id == mentee_user_id,
            Assignment.status.in_(("completed", "cancelled", "pending")),
        )
        .order_by(Assignment.created_at.desc())
        .limit(1)
    )


def statuses_for(db: Session, *, actor_id: uuid.UUID, now: datetime) -> list[Status]:
    """`/mentor status` alone: a manager's reports who are new hires or in a mentorship,
    else the person's own mentorships (as mentee, then each of their mentees)."""
    actor = access.load_user(db, actor_id)
    since = new_hire_since(now, program.load(db))
    subjects: list[User] = []
    for report in roster.reports_of(db, actor.id):
        hired_recently = report.hire_date and report.hire_date >= since
        mentored = db.scalar(
            select(Assignment.id).where(Assignment.mentee_user_id == report.id).limit(1)
        )
        if hired_recently or mentored:
            subjects.append(report)
    if not subjects:
        own = mentorships.mentorships_of(db, actor.id, statuses=("active", "completed"))
        subject_ids = list(
            dict.fromkeys(actor.id if m.side == "mentee" else m.other_user_id for m in own)
        )
        subjects = [access.load_user(db, i) for i in subject_ids]
    return [
        status(db, actor_id=actor.id, subject_user_id=s.id, now=now)
        for s in sorted(subjects, key=lambda u: u.name)
    ]
