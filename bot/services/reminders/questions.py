"""Reminder kind of mentees' questions (issue 17, Mentor Role: "student inquiries
responded to within 24 hours"): the question to the mentor; a reminder to the mentor
after `question_reminder_hours`; the program admins after `question_escalation_hours`,
once (without the question: it is private to the pair); the answer to the mentee."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from sqlalchemy import Select, and_, select

from bot.services.reminders.base import Due, DueContext, due_kind, whole_hours
from bot.services.reminders.pairs import judged, recipient
from bot.services.reminders.people import (
    admin,
    mentee_user,
    mentor_user,
    settled_for,
    to_admins,
    with_pair,
)
from models import Assignment, MentorQuestion

#: An answer not delivered within this long is no longer news; bounds each sweep's reading.
ANSWER_WINDOW = timedelta(days=4)
#: Questions older than this are history (a first deployment must not flood anyone).
QUESTION_LOOKBACK = timedelta(days=30)


_COLUMNS = (
    MentorQuestion.id,
    MentorQuestion.question,
    MentorQuestion.status,
    MentorQuestion.asked_at,
    MentorQuestion.answer,
    MentorQuestion.source_link,
    MentorQuestion.assignment_id,
)


def _statement(ctx: DueContext, *where: Any) -> Select[Any]:
    return with_pair(
        select(*_COLUMNS).join(Assignment, Assignment.id == MentorQuestion.assignment_id)
    ).where(MentorQuestion.asked_at >= ctx.now - QUESTION_LOOKBACK, *where)


def _facts(row: Any, ctx: DueContext) -> dict[str, Any]:
    mentor, mentee = recipient(row, "mentor"), recipient(row, "mentee")
    return {
        "question_id": str(row.id),
        "assignment_id": str(row.assignment_id),
        "mentor_name": mentor.name,
        "mentee_name": mentee.name,
        "hours_waiting": whole_hours(ctx.now - row.asked_at),
    }


@due_kind("questions")
def question_notices(ctx: DueContext) -> Iterator[Due]:
    """Open questions to their mentor (new, reminded) and the admins (escalated);
    answers and "talk in our next session" to the mentee."""
    reminder_after = timedelta(hours=ctx.config.question_reminder_hours)
    open_ones = _statement(
        ctx,
        MentorQuestion.status == "open",
        # A fresh question the ledger has delivered: nothing to do until its reminder.
        ~and_(
            MentorQuestion.asked_at > ctx.now - reminder_after,
            settled_for(ctx, "question_new", "new", MentorQuestion.id, (mentor_user,)),
        ),
    )
    for row, people in judged(ctx, "question_new", open_ones, ("mentor",), MentorQuestion.asked_at):
        private = {**_facts(row, ctx), "question": row.question, "source_link": row.source_link}
        for mentor in people:
            yield Due("question_new", str(row.id), "new", mentor, private)
            if ctx.now - row.asked_at >= reminder_after:
                late = {**private, "late": True}
                yield Due("question_new", str(row.id), "reminder", mentor, late)
    answered = _statement(
        ctx,
        MentorQuestion.status != "open",
        MentorQuestion.answered_at >= ctx.now - ANSWER_WINDOW,
        *(
            ~and_(
                MentorQuestion.status == status,
                settled_for(ctx, "question_answered", status, MentorQuestion.id, (mentee_user,)),
            )
            for status in ("answered", "deferred")
        ),
    )
    for row, people in judged(
        ctx, "question_answered", answered, ("mentee",), MentorQuestion.asked_at
    ):
        told = {**_facts(row, ctx), "question": row.question, "answer": row.answer or ""}
        for mentee in people:
            yield Due(
                "question_answered", str(row.id), row.status, mentee, {**told, "status": row.status}
            )
    yield from _escalations(ctx)


def _escalations(ctx: DueContext) -> Iterator[Due]:
    """The program admins, once, when a question has waited `question_escalation_hours`
    (without its text: it is private to the pair); judged in the query like the rest."""
    late = to_admins(
        _statement(
            ctx,
            MentorQuestion.status == "open",
            MentorQuestion.asked_at
            <= ctx.now - timedelta(hours=ctx.config.question_escalation_hours),
        )
    ).where(~settled_for(ctx, "question_escalation", "escalation", MentorQuestion.id, (admin,)))
    for row, people in judged(
        ctx, "question_escalation", late, ("admin",), MentorQuestion.asked_at
    ):
        for person in people:
            yield Due("question_escalation", str(row.id), "escalation", person, _facts(row, ctx))
