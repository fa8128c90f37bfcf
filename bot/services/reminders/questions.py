"""Reminder kind of mentees' questions (issue 17, Mentor Role: "student inquiries
responded to within 24 hours"): the question to the mentor; a reminder to the mentor
after `question_reminder_hours`; the program admins after `question_escalation_hours`,
once (without the question: it is private to the pair); the answer to the mentee."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from sqlalchemy import and_, select

from bot.services.reminders.base import Due, DueContext, due_kind, whole_hours
from bot.services.reminders.people import (
    mentee_user,
    mentor_user,
    person_of,
    program_admins,
    settled_for,
    with_pair,
)
from models import Assignment, MentorQuestion

#: An answer not delivered within this long is no longer news; bounds each sweep's reading.
ANSWER_WINDOW = timedelta(days=4)
#: Questions older than this are history (a first deployment must not flood anyone).
QUESTION_LOOKBACK = timedelta(days=30)


@due_kind("questions")
def question_notices(ctx: DueContext) -> Iterator[Due]:
    """Open questions to their mentor (new, reminded) and the admins (escalated);
    answers and "talk in our next session" to the mentee."""
    reminder_after = timedelta(hours=ctx.config.question_reminder_hours)
    columns = (
        MentorQuestion.id,
        MentorQuestion.question,
        MentorQuestion.status,
        MentorQuestion.asked_at,
        MentorQuestion.answered_at,
        MentorQuestion.answer,
        MentorQuestion.source_link,
        MentorQuestion.assignment_id,
    )
    rows = list(
        ctx.db.execute(
            with_pair(
                select(*columns).join(Assignment, Assignment.id == MentorQuestion.assignment_id)
            ).where(
                MentorQuestion.asked_at >= ctx.now - QUESTION_LOOKBACK,
                (MentorQuestion.status == "open")
                | (MentorQuestion.answered_at >= ctx.now - ANSWER_WINDOW),
                # What the ledger settled: the answer told, a fresh question delivered.
                ~and_(
                    MentorQuestion.status == "answered",
                    settled_for(
                        ctx, "question_answered", "answered", MentorQuestion.id, (mentee_user,)
                    ),
                ),
                ~and_(
                    MentorQuestion.status == "deferred",
                    settled_for(
                        ctx, "question_answered", "deferred", MentorQuestion.id, (mentee_user,)
                    ),
                ),
                ~and_(
                    MentorQuestion.status == "open",
                    MentorQuestion.asked_at > ctx.now - reminder_after,
                    settled_for(ctx, "question_new", "new", MentorQuestion.id, (mentor_user,)),
                ),
            )
        )
    )
    admins = None
    escalate_after = timedelta(hours=ctx.config.question_escalation_hours)
    for row in rows:
        mentor, mentee = person_of(row, "mentor"), person_of(row, "mentee")
        waited = ctx.now - row.asked_at
        facts = {
            "question_id": str(row.id),
            "assignment_id": str(row.assignment_id),
            "mentor_name": mentor.name,
            "mentee_name": mentee.name,
            "hours_waiting": whole_hours(waited),
        }
        if row.status != "open":
            answer = {"question": row.question, "answer": row.answer or "", "status": row.status}
            yield Due("question_answered", str(row.id), row.status, mentee, {**facts, **answer})
            continue
        private = {**facts, "question": row.question, "source_link": row.source_link}
        yield Due("question_new", str(row.id), "new", mentor, private)
        if waited >= reminder_after:
            yield Due("question_new", str(row.id), "reminder", mentor, {**private, "late": True})
        if waited >= escalate_after:
            admins = program_admins(ctx.db) if admins is None else admins
            for person in admins:
                yield Due("question_escalation", str(row.id), "escalation", person, facts)
