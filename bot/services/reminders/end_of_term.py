"""Kinds "end_of_term" and "term_closed": the end of a mentorship. Before its expected
end both sides and the mentee's manager are asked to complete or extend it; when nobody
completed it `auto_complete_after_days` after that, it completes by itself and whoever
has not answered is offered the feedback survey (delivered by bot/sweep_delivery.py, which closes
it first)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from sqlalchemy import and_, or_, select

from bot.services import feedback_texts
from bot.services.program import program_today
from bot.services.reminders.base import OVERDUE_LOOKBACK_DAYS, Due, DueContext, due_kind
from bot.services.reminders.people import (
    manager,
    mentee_user,
    person_columns,
    person_of,
    with_pair,
)
from bot.services.term import AUTO_CLOSED_NOTE
from models import Assignment


@due_kind("end_of_term")
def end_of_term(ctx: DueContext) -> Iterator[Due]:
    """`end_of_term_notice_days` before an active mentorship's expected end (in each
    recipient's calendar), mentor, mentee and the mentee's manager, once per end date:
    an extension moves the date, and the prompt comes again before the new one."""
    notice = ctx.config.end_of_term_notice_days
    grace = ctx.config.auto_complete_after_days
    utc_today = ctx.now.date()
    rows = ctx.db.execute(
        with_pair(select(Assignment.id, Assignment.expected_end_date, mentee_user.manager_id))
        .add_columns(*person_columns(manager, "manager"))
        .outerjoin(manager, manager.id == mentee_user.manager_id)
        .where(
            Assignment.status == "active",
            # One day either side of UTC covers every timezone's "today".
            Assignment.expected_end_date <= utc_today + timedelta(days=notice + 1),
            Assignment.expected_end_date >= utc_today - timedelta(days=grace + 1),
        )
    )
    for row in rows:
        mentor, mentee = person_of(row, "mentor"), person_of(row, "mentee")
        people = [(mentor, "mentor"), (mentee, "mentee")]
        if row.manager_id is not None and row.manager_id not in (mentor.user_id, mentee.user_id):
            people.append((person_of(row, "manager"), "manager"))
        end = row.expected_end_date
        for recipient, role in people:
            days_left = (end - ctx.today(recipient)).days
            if not -grace <= days_left <= notice:
                continue
            yield Due(
                "end_of_term",
                str(row.id),
                end.isoformat(),
                recipient,
                {
                    "assignment_id": str(row.id),
                    "role": role,
                    "mentor_name": mentor.name,
                    "mentee_name": mentee.name,
                    "end_date": end.isoformat(),
                    "days_left": days_left,
                    "closes_after": (end + timedelta(days=grace)).isoformat(),
                },
            )


@due_kind("term_closed")
def closed_terms(ctx: DueContext) -> Iterator[Due]:
    """Each side who has not given feedback on a mentorship whose expected end is more
    than `auto_complete_after_days` past: still active (the delivery closes it), or
    closed that way already (the other side's survey may still be waiting for their
    working hours). Once per side and end date."""
    grace = ctx.config.auto_complete_after_days
    # The program's day, as the delivery that closes it (term.close_without_feedback).
    last_end = program_today(ctx.now, ctx.config) - timedelta(days=grace + 1)
    rows = ctx.db.execute(
        with_pair(
            select(
                Assignment.id,
                Assignment.expected_end_date,
                Assignment.mentor_rating,
                Assignment.mentee_rating,
            )
        ).where(
            Assignment.expected_end_date <= last_end,
            or_(
                Assignment.status == "active",
                and_(
                    Assignment.status == "completed",
                    feedback_texts.notes_begin_with(AUTO_CLOSED_NOTE),
                    # Surveys left unanswered this long are history.
                    Assignment.expected_end_date
                    >= last_end - timedelta(days=OVERDUE_LOOKBACK_DAYS),
                ),
            ),
        )
    )
    for row in rows:
        mentor, mentee = person_of(row, "mentor"), person_of(row, "mentee")
        for recipient, role, other, rating in (
            (mentor, "mentor", mentee, row.mentor_rating),
            (mentee, "mentee", mentor, row.mentee_rating),
        ):
            if rating is not None:
                continue
            yield Due(
                "term_closed",
                str(row.id),
                row.expected_end_date.isoformat(),
                recipient,
                {
                    "assignment_id": str(row.id),
                    "role": role,
                    "other_name": other.name,
                    "end_date": row.expected_end_date.isoformat(),
                    "after_days": grace,
                },
            )
