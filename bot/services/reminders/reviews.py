"""Kind "review_waiting": milestone submissions waiting for the mentor's review (Mentor Role:
reviews within 24-48 hours), escalated to the admins."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from sqlalchemy import func, select

from bot.services.mentors import paused_on
from bot.services.milestone_views import reviewer_mentorship
from bot.services.reminders.base import Due, DueContext, due_kind, whole_hours
from bot.services.reminders.people import person_of, program_admins, with_pair
from models import Assignment, MilestoneSubmission, RampMilestone


# -- milestone submissions waiting for review (Mentor Role: reviews within 24-48 h) ----------
@due_kind("review_waiting")
def reviews_waiting(ctx: DueContext) -> Iterator[Due]:
    """The mentor after `review_reminder_hours`; every admin after `review_escalation_hours`."""
    earliest = ctx.now - timedelta(
        hours=min(ctx.config.review_reminder_hours, ctx.config.review_escalation_hours)
    )
    rows = list(
        ctx.db.execute(
            with_pair(
                select(
                    MilestoneSubmission.id,
                    MilestoneSubmission.submitted_at,
                    MilestoneSubmission.evidence,
                    RampMilestone.milestone_name,
                    Assignment.status,
                )
                .join(RampMilestone, RampMilestone.id == MilestoneSubmission.milestone_id)
                # Whoever may review it now; with nobody, the mentorship it was
                # submitted under (ended), so that the admins still hear of it.
                .join(
                    Assignment,
                    Assignment.id
                    == func.coalesce(
                        reviewer_mentorship(RampMilestone.mentee_user_id),
                        RampMilestone.assignment_id,
                    ),
                )
            ).where(
                MilestoneSubmission.decision.is_(None),
                MilestoneSubmission.submitted_at <= earliest,
            )
        )
    )
    admins = program_admins(ctx.db) if rows else []
    for row in rows:
        waited = ctx.now - row.submitted_at
        mentor, mentee = person_of(row, "mentor"), person_of(row, "mentee")
        facts = {
            "submission_id": str(row.id),
            "milestone_name": row.milestone_name,
            "mentee_name": mentee.name,
            "mentor_name": mentor.name,
            "submitted_at": row.submitted_at.isoformat(),
            "hours_waiting": whole_hours(waited),
        }
        if (
            waited >= timedelta(hours=ctx.config.review_reminder_hours)
            and row.status == "active"  # a mentor whose mentorship ended may not review it
            and not paused_on(row.paused_until, ctx.today(mentor))
        ):
            # The evidence is the mentee's work for their mentor's eyes; admins don't get it.
            yield Due(
                "review_waiting",
                str(row.id),
                "reminder",
                mentor,
                {**facts, "evidence": row.evidence},
            )
        if waited >= timedelta(hours=ctx.config.review_escalation_hours):
            for admin in admins:
                yield Due("review_escalation", str(row.id), "escalation", admin, facts)
