"""Who may do what: the one place that answers role and permission questions.

Roles (DESIGN.md): admin (program lead), manager (has reports in the roster),
mentor (opted in), mentee (has a mentorship)."""

from __future__ import annotations

import uuid
from typing import TypeVar

from sqlalchemy import BindParameter, ColumnElement, bindparam, exists, or_, select
from sqlalchemy.orm import Session, aliased

from bot.services import roster
from bot.services.errors import NotAllowed, NotFound
from models import Assignment, Mentor, User

ADMIN = "admin"
MANAGER = "manager"
MENTOR = "mentor"
MENTEE = "mentee"

Row = TypeVar("Row")


def load_user(db: Session, user_id: uuid.UUID) -> User:
    """The user row, or NotFound."""
    user = db.get(User, user_id)
    if user is None:
        raise NotFound("I can't find that person in the roster.")
    return user


def _role_questions(user_id: ColumnElement[uuid.UUID]) -> list[ColumnElement[bool]]:
    """Whether this person has reports, is a mentor, is a mentee: one statement answers
    the three, and every request and App Home asks them."""
    report = aliased(User)
    return [
        exists().where(report.manager_id == user_id),
        exists().where(Mentor.user_id == user_id),
        exists().where(Assignment.mentee_user_id == user_id),
    ]


# Built once (see roster._BY_SLACK_ID).
_ROLES = select(*_role_questions(bindparam("user_id")))
_USER_WITH_ROLES = select(User, *_role_questions(User.id)).where(User.id == bindparam("user_id"))


def roles_of(db: Session, user: User) -> set[str]:
    """Every role the user holds right now."""
    return _roles(user, *db.execute(_ROLES, {"user_id": user.id}).one())


def load_with_roles(db: Session, user_id: uuid.UUID) -> tuple[User, set[str]]:
    """`load_user` and `roles_of` in one statement (App Home asks both on every open)."""
    row = db.execute(_USER_WITH_ROLES, {"user_id": user_id}).one_or_none()
    if row is None:
        raise NotFound("I can't find that person in the roster.")
    user, *held = row
    return user, _roles(user, *held)


def _roles(user: User, manager: bool, mentor: bool, mentee: bool) -> set[str]:
    held = {ADMIN: user.is_admin, MANAGER: manager, MENTOR: mentor, MENTEE: mentee}
    return {role for role, holds in held.items() if holds}


#: A mentorship's two people, to join both sides' names into one statement. Made
#: once: an alias copies every column of the table, which costs more than the query
#: it is built for.
MENTEE_USER = aliased(User, name="mentee_user")
MENTOR_USER = aliased(User, name="mentor_user")


def in_mentorship(user_id: uuid.UUID | BindParameter[uuid.UUID]) -> ColumnElement[bool]:
    """An assignment this person takes part in, as mentee or as mentor: both sides
    read through the assignment's own indexes (mentee, mentor), so the lookup costs
    the person's mentorships whatever the size of the program (an OR across a join to
    mentors would scan every mentorship of that status)."""
    as_mentor = select(Mentor.id).where(Mentor.user_id == user_id).scalar_subquery()
    return or_(Assignment.mentee_user_id == user_id, Assignment.mentor_id == as_mentor)


def require_admin(user: User) -> None:
    """NotAllowed unless the user is a program admin."""
    if not user.is_admin:
        raise NotAllowed(
            "Only program admins can do that. Ask a program lead to make you an admin."
        )


def manages(db: Session, manager: User, user: roster.Reporting) -> bool:
    """True when `manager` is the user's manager or anyone above them."""
    return roster.is_above(db, manager.id, user)


def require_manager_or_admin(db: Session, actor: User, user: roster.Reporting) -> None:
    """NotAllowed unless the actor is an admin or above `user` in the roster."""
    if actor.is_admin or manages(db, actor, user):
        return
    raise NotAllowed(
        f"Only {user.name}'s manager (or someone above them) or a program admin can do that."
    )


# -- Privacy of mentorships (PRD NFR-1; Mentor Role "Data Access Controls") ---------------
# One table decides who may read and change what in a mentorship. A person's relation
# to a mentorship is computed from the rows themselves, never from what they claim.
THE_MENTOR = "the mentor"
THE_MENTEE = "the mentee"
THEIR_MANAGER = "the mentee's manager"
PROGRAM_ADMIN = "a program admin"

#: Session summaries, action items and feedback text.
READ_PRIVATE = "read_private"
#: The mentor's progress notes (FR-4.4): the mentor's own working notes.
READ_NOTES = "read_notes"
WRITE_NOTES = "write_notes"
LOG_SESSION = "log_session"
SUBMIT_MILESTONE = "submit_milestone"
REVIEW_MILESTONE = "review_milestone"
SELF_ASSESS = "self_assess"
GIVE_FEEDBACK = "give_feedback"
CANCEL = "cancel"
#: Propose, confirm, cancel and reschedule sessions ahead of time.
SCHEDULE = "schedule"
#: A mentee's question to their mentor, and its answer (private to the pair).
ASK_QUESTION = "ask_question"
ANSWER_QUESTION = "answer_question"
#: Cadence, goals and expected end of a pending or active mentorship (`/mentor edit`).
CHANGE_TERMS = "change_terms"
#: End an active mentorship for the pair, who are then asked for their feedback.
COMPLETE_FOR_PAIR = "complete_for_pair"
#: Flags, counts, dates and ratings: never text (FR-4.5).
VIEW_STATUS = "view_status"
#: Share a resource of one's own with the pair (Mentor Role: supplementary resources).
SHARE_RESOURCE = "share_resource"

RULES: dict[str, frozenset[str]] = {
    READ_PRIVATE: frozenset({THE_MENTOR, THE_MENTEE}),
    READ_NOTES: frozenset({THE_MENTOR}),
    WRITE_NOTES: frozenset({THE_MENTOR}),
    LOG_SESSION: frozenset({THE_MENTOR, THE_MENTEE}),
    SUBMIT_MILESTONE: frozenset({THE_MENTEE}),
    REVIEW_MILESTONE: frozenset({THE_MENTOR}),
    SELF_ASSESS: frozenset({THE_MENTEE}),
    GIVE_FEEDBACK: frozenset({THE_MENTOR, THE_MENTEE}),
    CANCEL: frozenset({THE_MENTOR, THE_MENTEE, THEIR_MANAGER, PROGRAM_ADMIN}),
    SCHEDULE: frozenset({THE_MENTOR, THE_MENTEE}),
    ASK_QUESTION: frozenset({THE_MENTEE}),
    ANSWER_QUESTION: frozenset({THE_MENTOR}),
    CHANGE_TERMS: frozenset({THE_MENTOR, THE_MENTEE, THEIR_MANAGER}),
    COMPLETE_FOR_PAIR: frozenset({THEIR_MANAGER}),
    VIEW_STATUS: frozenset({THE_MENTOR, THE_MENTEE, THEIR_MANAGER, PROGRAM_ADMIN}),
    SHARE_RESOURCE: frozenset({THE_MENTOR}),
}

_REFUSALS = {
    READ_PRIVATE: "Session notes, action items and feedback are private to the mentor and "
    "mentee. Use `/mentor status` for progress without the private parts.",
    READ_NOTES: "Progress notes are private to the mentor who wrote them.",
    SHARE_RESOURCE: "Only the mentor of this mentorship can share resources with it.",
    WRITE_NOTES: "Only the mentor of this mentorship can record progress notes.",
    LOG_SESSION: "You can only log sessions of your own mentorships.",
    SUBMIT_MILESTONE: "Only the mentee can submit their own milestones.",
    REVIEW_MILESTONE: "You can only review milestones of your own mentees.",
    SELF_ASSESS: "Only the mentee can rate their own skills.",
    GIVE_FEEDBACK: "Only the mentor and the mentee can give feedback on their mentorship.",
    CANCEL: "Only the mentor, the mentee, the mentee's manager or a program admin "
    "can cancel a mentorship.",
    SCHEDULE: "Only the mentor and the mentee schedule their sessions.",
    ASK_QUESTION: "Only the mentee asks their mentor questions here.",
    ANSWER_QUESTION: "Only the mentee's mentor can answer this question; it is private "
    "to the two of them.",
    CHANGE_TERMS: "Only the mentor, the mentee or the mentee's manager can change a "
    "mentorship's cadence, goals or end date.",
    COMPLETE_FOR_PAIR: "Only the mentee's manager completes a mentorship for the pair; "
    "mentor and mentee complete it with their feedback (`/mentor complete`).",
    VIEW_STATUS: "You can see the status of your own mentorships, your reports' and "
    "(as a program admin) everyone's.",
}


def load_row(db: Session, model: type[Row], row_id: uuid.UUID | str | None, missing: str) -> Row:
    """The row of `model` with this id (as a button carries it), or NotFound(`missing`)."""
    try:
        key = row_id if isinstance(row_id, uuid.UUID) else uuid.UUID(str(row_id))
    except ValueError:
        key = None
    row = db.get(model, key) if key else None
    if row is None:
        raise NotFound(missing)
    return row


def load_assignment(db: Session, assignment_id: uuid.UUID | str | None) -> Assignment:
    """The mentorship, or NotFound."""
    return load_row(db, Assignment, assignment_id, "I can't find that mentorship any more.")


def mentor_user_id(db: Session, assignment: Assignment) -> uuid.UUID:
    """The user id of the mentorship's mentor."""
    found = db.scalar(select(Mentor.user_id).where(Mentor.id == assignment.mentor_id))
    assert found is not None
    return found


def relations(db: Session, user: User, assignment: Assignment) -> set[str]:
    """How `user` stands to this mentorship (any of the four, or none)."""
    found: set[str] = set()
    if assignment.mentee_user_id == user.id:
        found.add(THE_MENTEE)
    if mentor_user_id(db, assignment) == user.id:
        found.add(THE_MENTOR)
    if user.is_admin:
        found.add(PROGRAM_ADMIN)
    mentee = db.get(User, assignment.mentee_user_id)
    if mentee is not None and manages(db, user, mentee):
        found.add(THEIR_MANAGER)
    return found


def allowed(db: Session, user: User, what: str, assignment: Assignment) -> bool:
    """True when RULES let `user` do `what` on this mentorship."""
    return bool(RULES[what] & relations(db, user, assignment))


def reads_private(
    user_id: uuid.UUID | None, *, mentee_user_id: uuid.UUID, mentor_user_id: uuid.UUID
) -> bool:
    """READ_PRIVATE for a list whose mentor and mentee ids are at hand: the two of them."""
    assert RULES[READ_PRIVATE] == {THE_MENTOR, THE_MENTEE}
    return user_id is not None and user_id in (mentee_user_id, mentor_user_id)


def require(db: Session, user: User, what: str, assignment: Assignment) -> None:
    """NotAllowed (with what to do instead) unless `allowed`."""
    if not allowed(db, user, what, assignment):
        raise NotAllowed(_REFUSALS[what])


def side(db: Session, user_id: uuid.UUID, assignment: Assignment) -> str | None:
    """ "mentor" or "mentee" when the user takes part in this mentorship, else None."""
    if assignment.mentee_user_id == user_id:
        return "mentee"
    if mentor_user_id(db, assignment) == user_id:
        return "mentor"
    return None


def may_view_person(db: Session, user: User, subject: User) -> bool:
    """Whether `user` may see `subject`'s ramp status and milestones (no text): the
    person themselves, anyone above them, an admin, or a mentor of theirs."""
    if user.id == subject.id or user.is_admin or manages(db, user, subject):
        return True
    return bool(
        db.scalar(
            select(
                exists().where(
                    Assignment.mentee_user_id == subject.id,
                    Assignment.mentor_id == Mentor.id,
                    Mentor.user_id == user.id,
                    Assignment.status.in_(("active", "completed")),
                )
            )
        )
    )


def require_view_person(db: Session, user: User, subject: User) -> None:
    """NotAllowed unless `may_view_person`."""
    if not may_view_person(db, user, subject):
        raise NotAllowed(_REFUSALS[VIEW_STATUS])
