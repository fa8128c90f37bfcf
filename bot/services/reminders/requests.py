"""Kinds "request_pending" and "request_fallback": a mentorship request waiting for the
mentor's answer (Mentor Role: confirmed within 48 hours)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from sqlalchemy import func, select

from bot.services import answers
from bot.services.mentors import paused_on
from bot.services.reminders.base import Due, DueContext, due_kind, whole_hours
from bot.services.reminders.people import (
    manager,
    mentee_user,
    person_columns,
    person_of,
    with_pair,
)
from models import Assignment


# -- a request waiting for the mentor's answer (Mentor Role: confirmed within 48 h) ----------
@due_kind("request_pending")
def pending_requests(ctx: DueContext) -> Iterator[Due]:
    """The mentor, once, when a request has waited `request_reminder_hours`."""
    waited_since = ctx.now - timedelta(hours=ctx.config.request_reminder_hours)
    rows = ctx.db.execute(
        with_pair(
            select(
                Assignment.id,
                Assignment.created_at,
                Assignment.start_date,
                Assignment.check_in_cadence,
                manager.name.label("manager_name"),
            )
        )
        .outerjoin(manager, manager.id == Assignment.assigned_by_user_id)
        .where(Assignment.status == "pending", Assignment.created_at <= waited_since)
    )
    for row in rows:
        mentor, mentee = person_of(row, "mentor"), person_of(row, "mentee")
        if paused_on(row.paused_until, ctx.today(mentor)):
            continue
        yield Due(
            "request_pending",
            str(row.id),
            "reminder",
            mentor,
            {
                "assignment_id": str(row.id),
                "mentee_name": mentee.name,
                "manager_name": row.manager_name,
                "requested_at": row.created_at.isoformat(),
                "hours_waiting": whole_hours(ctx.now - row.created_at),
                "cadence": row.check_in_cadence,
                "start_date": row.start_date.isoformat(),
            },
        )


# -- a request still unanswered at the fallback time (Mentor Role: confirmed within 48 h) -----
@due_kind("request_fallback")
def request_fallbacks(ctx: DueContext) -> Iterator[Due]:
    """Whoever asked (else the mentee's roster manager), once per request, when it has
    waited `request_fallback_hours`: delivered by bot/sweep_delivery.py as the next suggestion."""
    waiting = answers.unanswered_requests(
        ctx.db, now=ctx.now, older_than_hours=ctx.config.request_fallback_hours
    )
    if not waiting:
        return
    rows = ctx.db.execute(
        select(
            Assignment.id,
            Assignment.created_at,
            mentee_user.name.label("mentee_name"),
            *person_columns(manager, "manager"),
        )
        .join(mentee_user, mentee_user.id == Assignment.mentee_user_id)
        .join(
            manager,
            manager.id == func.coalesce(Assignment.assigned_by_user_id, mentee_user.manager_id),
        )
        .where(Assignment.id.in_(waiting))
    )
    for row in rows:
        yield Due(
            "request_fallback",
            str(row.id),
            "fallback",
            person_of(row, "manager"),
            {
                "assignment_id": str(row.id),
                "mentee_name": row.mentee_name,
                "hours_waiting": whole_hours(ctx.now - row.created_at),
            },
        )
