"""Kind "milestone_date": a ramp milestone's target date coming up or passed (PRD FR-4.1)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from sqlalchemy import select

from bot.services.mentors import paused_on
from bot.services.reminders.base import OVERDUE_LOOKBACK_DAYS, Due, DueContext, due_kind
from bot.services.reminders.people import (
    mentee_user,
    mentor_user,
    person_columns,
    person_of,
)
from models import Assignment, Mentor, RampMilestone


# -- milestone target dates (PRD FR-4.1) ---------------------------------------------------
@due_kind("milestone_date")
def milestone_dates(ctx: DueContext) -> Iterator[Due]:
    """The hire (and their active mentor) when a milestone is due within the program's
    notice (3 days by default), and once when it is overdue; each target date is
    announced once."""
    utc_today = ctx.now.date()
    notice = ctx.config.milestone_notice_days
    rows = ctx.db.execute(
        select(
            RampMilestone.id,
            RampMilestone.milestone_name,
            RampMilestone.target_date,
            Assignment.status.label("assignment_status"),
            Mentor.paused_until,
            *person_columns(mentee_user, "mentee"),
            *person_columns(mentor_user, "mentor"),
        )
        .join(mentee_user, mentee_user.id == RampMilestone.mentee_user_id)
        .outerjoin(Assignment, Assignment.id == RampMilestone.assignment_id)
        .outerjoin(Mentor, Mentor.id == Assignment.mentor_id)
        .outerjoin(mentor_user, mentor_user.id == Mentor.user_id)
        .where(
            RampMilestone.achieved_date.is_(None),
            RampMilestone.status.not_in(("submitted", "achieved")),
            RampMilestone.target_date.is_not(None),
            # One day either side of UTC covers every timezone's "today".
            RampMilestone.target_date <= utc_today + timedelta(days=notice + 1),
            RampMilestone.target_date >= utc_today - timedelta(days=OVERDUE_LOOKBACK_DAYS + 1),
        )
    )
    for row in rows:
        mentee = person_of(row, "mentee")
        recipients = [(mentee, "mentee")]
        if row.assignment_status == "active" and row.mentor_id is not None:
            recipients.append((person_of(row, "mentor"), "mentor"))
        for recipient, role in recipients:
            today = ctx.today(recipient)
            if role == "mentor" and paused_on(row.paused_until, today):
                continue
            days_left = (row.target_date - today).days
            if 0 <= days_left <= notice:
                kind = "milestone_soon"
            elif -OVERDUE_LOOKBACK_DAYS <= days_left < 0:
                kind = "milestone_overdue"
            else:
                continue
            yield Due(
                kind,
                str(row.id),
                row.target_date.isoformat(),
                recipient,
                {
                    "milestone_id": str(row.id),
                    "milestone_name": row.milestone_name,
                    "target_date": row.target_date.isoformat(),
                    "days_left": days_left,
                    "role": role,
                    "mentee_name": mentee.name,
                },
            )
