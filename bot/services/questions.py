"""Mentees' questions to their mentor (issue 17; Mentor Role: "student inquiries
responded to within 24 hours"). A question is answered in writing (the answer goes
to the mentee) or kept for the next session; either is a response. The text of both
is private to the pair, like session notes (bot/services/access.py).

The DMs are found by the reminder finders from these rows (new question to the
mentor, the answer to the mentee, the 20-hour reminder, the 24-hour escalation), so
each is claimed in the ledger and sent once, in the recipient's working hours."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.services import access, audit, inputs
from bot.services.errors import Conflict, InvalidInput, NotFound
from models import Assignment, MentorQuestion, User

QUESTION_LIMIT = 2000
ANSWER_LIMIT = 3000


@dataclass(frozen=True)
class Asked:
    question_id: uuid.UUID
    mentor_name: str


@dataclass(frozen=True)
class QuestionView:
    """A question as its mentor sees it in the Answer modal."""

    question_id: uuid.UUID
    mentee_name: str
    question: str


def ask(
    db: Session,
    *,
    actor_id: uuid.UUID,
    question: object,
    now: datetime,
    source_link: str | None = None,
) -> Asked:
    """The mentee asks their mentor. NotFound when they have no active mentorship as a
    mentee; InvalidInput (field "question") when the question is empty or too long."""
    errors: dict[str, str] = {}
    text = inputs.required_text(
        question, "question", errors, what="your question", limit=QUESTION_LIMIT
    )
    if text is None:
        raise InvalidInput(errors)
    assignment = _mentee_assignment(db, actor_id)
    actor = access.load_user(db, actor_id)
    access.require(db, actor, access.ASK_QUESTION, assignment)
    mentor = access.load_user(db, access.mentor_user_id(db, assignment))
    row = MentorQuestion(
        assignment_id=assignment.id,
        asked_by_user_id=actor_id,
        mentor_user_id=mentor.id,
        question=text,
        source_link=source_link,
        asked_at=now,
    )
    db.add(row)
    db.flush()
    audit.record(
        db,
        actor_id=actor_id,
        action="question.asked",
        entity_type="mentor_questions",
        entity_id=row.id,
        now=now,
        assignment_id=assignment.id,
    )
    return Asked(row.id, mentor.name or mentor.slack_user_id)


def for_answer(db: Session, *, actor_id: uuid.UUID, question_id: uuid.UUID | str) -> QuestionView:
    """The question for its mentor's Answer modal; NotAllowed for anyone else, Conflict
    once it has been answered."""
    row = _load(db, question_id)
    _require_mentor(db, actor_id, row)
    _require_open(row)
    mentee = access.load_user(db, row.asked_by_user_id)
    return QuestionView(row.id, mentee.name or mentee.slack_user_id, row.question)


def answer(
    db: Session,
    *,
    actor_id: uuid.UUID,
    question_id: uuid.UUID | str,
    text: object,
    now: datetime,
) -> None:
    """The mentor answers in writing; the answer goes to the mentee by DM."""
    errors: dict[str, str] = {}
    answer_text = inputs.required_text(
        text, "answer", errors, what="your answer", limit=ANSWER_LIMIT
    )
    row = _load(db, question_id)
    _require_mentor(db, actor_id, row)
    if answer_text is None:
        raise InvalidInput(errors)
    _respond(db, row, "answered", answer_text, actor_id=actor_id, now=now)


def defer(db: Session, *, actor_id: uuid.UUID, question_id: uuid.UUID | str, now: datetime) -> None:
    """ "Talk in our next session": a response too; the mentee is told."""
    row = _load(db, question_id)
    _require_mentor(db, actor_id, row)
    _respond(db, row, "deferred", None, actor_id=actor_id, now=now)


def _respond(
    db: Session,
    row: MentorQuestion,
    status: str,
    answer_text: str | None,
    *,
    actor_id: uuid.UUID,
    now: datetime,
) -> None:
    # Compare-and-set: a second click or a second tab answers nothing twice.
    won = db.execute(
        update(MentorQuestion)
        .where(MentorQuestion.id == row.id, MentorQuestion.status == "open")
        .values(status=status, answer=answer_text, answered_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if won != 1:
        db.rollback()
        raise Conflict("You have already answered this question.")
    db.expire(row)
    audit.record(
        db,
        actor_id=actor_id,
        action=f"question.{status}",
        entity_type="mentor_questions",
        entity_id=row.id,
        now=now,
        assignment_id=row.assignment_id,
    )


def _mentee_assignment(db: Session, actor_id: uuid.UUID) -> Assignment:
    found = db.scalars(
        select(Assignment)
        .where(Assignment.mentee_user_id == actor_id, Assignment.status == "active")
        .order_by(Assignment.start_date.desc())
        .limit(1)
    ).first()
    if found is None:
        raise NotFound(
            "You have no mentor to ask yet. Once your manager assigns one and they accept, "
            "`/mentor ask <question>` sends them your question."
        )
    return found


def _load(db: Session, question_id: uuid.UUID | str) -> MentorQuestion:
    return access.load_row(db, MentorQuestion, question_id, "I can't find that question any more.")


def _require_mentor(db: Session, actor_id: uuid.UUID, row: MentorQuestion) -> None:
    actor: User = access.load_user(db, actor_id)
    access.require(db, actor, access.ANSWER_QUESTION, access.load_assignment(db, row.assignment_id))


def _require_open(row: MentorQuestion) -> None:
    if row.status != "open":
        raise Conflict("You have already answered this question.")
