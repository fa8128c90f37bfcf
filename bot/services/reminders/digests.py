"""Kind "digest": the weekly digest, managers their reports' status (PRD FR-4.5), admins
the program figures (FR-5)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.types import Text

from bot.services import coverage, ledger
from bot.services.program import ProgramConfig, hired_since, new_hire_since, program_today
from bot.services.reminders.base import Due, DueContext, due_kind, take, week_of
from bot.services.reminders.people import (
    manager,
    mentor_user,
    person_columns,
    person_of,
    program_admins,
)
from bot.services.reminders.zones import Zone, by_zone, zone_table
from models import (
    Assignment,
    Mentor,
    MentorshipSession,
    MilestoneSubmission,
    Notification,
    RampMilestone,
    User,
)


# -- the weekly digest (PRD FR-4.5 manager visibility, FR-5 program figures) ---------------
@due_kind("digest")
def weekly_digests(ctx: DueContext) -> Iterator[Due]:
    """Once per ISO week (the recipient's week): managers get their direct reports'
    mentorship status, admins the program figures. Only recipients in their working
    hours who have not had this week's digest are computed, so a sweep stays cheap:
    while nobody is in working hours, or everyone has had theirs, it costs one or two
    small queries."""
    zones = {value: zone for value, zone in zone_table(ctx).items() if zone.working}
    if not zones:
        return
    managers = [
        person_of(row, "manager")
        for row in ctx.db.execute(
            select(*person_columns(manager, "manager"))
            .where(
                # Only managers with someone to report on, so none is left waiting.
                manager.id.in_(select(User.manager_id).where(_in_digest(ctx))),
                manager.deactivated_at.is_(None),
                manager.is_bot.is_(False),
                func.coalesce(manager.timezone, "").in_(list(zones)),
                ~_digest_settled(manager, "digest_manager", zones, ctx.now),
            )
            .order_by(manager.slack_user_id)
        )
    ]
    admins = program_admins(ctx.db)
    wanted = [
        *((a, "admin") for a in admins if a.reachable and ctx.working(a)),
        *((m, "manager") for m in managers),
    ]
    keys = {
        (recipient, audience): Due(
            f"digest_{audience}", "week", week_of(ctx.today(recipient)), recipient
        ).key
        for recipient, audience in wanted
    }
    settled = ledger.settled(
        ctx.db, [keys[(a, "admin")] for a, audience in wanted if audience == "admin"], now=ctx.now
    )
    todo = [pair for pair in wanted if keys[pair] not in settled]
    # Admins come first; the managers past the limit are the next sweeps' (a digest is
    # computed only when it is about to be sent).
    limit = take(ctx, "digest", len(todo), always=True)
    todo = todo[:limit]
    if not todo:
        return
    report_lines = _report_lines(ctx, [r.user_id for r, a in todo if a == "manager"])
    figures = (
        program_figures(ctx.db, ctx.now, ctx.config) if any(a == "admin" for _, a in todo) else {}
    )
    for recipient, audience in todo:
        week = week_of(ctx.today(recipient))
        if audience == "manager":
            reports = [
                _in_their_day(ctx, report, recipient)
                for report in report_lines.get(recipient.user_id, [])
            ]
            if not reports:
                continue
            yield Due("digest_manager", "week", week, recipient, {"week": week, "reports": reports})
        else:
            yield Due("digest_admin", "week", week, recipient, {"week": week, **figures})


def _in_their_day(ctx: DueContext, report: dict[str, Any], manager: Any) -> dict[str, Any]:
    """A report line with its last session dated on the manager's calendar (a session
    at 20:00 in Chicago is the next day in UTC), as every reminder's facts are."""
    last = report["last_session"]
    if last is None:
        return report
    local = ctx.local_day_of(datetime.fromisoformat(last), manager)
    return {**report, "last_session": local.isoformat()}


def _digest_settled(
    person: Any, kind: str, zones: dict[str, Zone], now: datetime
) -> ColumnElement[bool]:
    """`person` has had (or is being sent) this week's digest: the week is theirs,
    looked up by their timezone value among `zones`. A claim whose sweep died, or a
    failed send due again, does not count: that digest is computed and sent again."""
    timezone = func.coalesce(person.timezone, "")
    week = by_zone({value: week_of(zone.today) for value, zone in zones.items()}, timezone, Text())
    return (
        select(Notification.id)
        .where(
            Notification.kind == kind,
            Notification.target == literal("week/") + person.slack_user_id,
            Notification.period == week,
            ledger.settled_clause(now),
        )
        .exists()
    )


def _in_digest(ctx: DueContext) -> ColumnElement[bool]:
    """A `User` their manager's digest lists: still here, and in a pending or active
    mentorship or a new hire."""
    return and_(
        User.deactivated_at.is_(None),
        or_(
            coverage.has_open_mentorship_sql(User.id),
            User.hire_date >= new_hire_since(ctx.now, ctx.config),
        ),
    )


def _report_lines(
    ctx: DueContext, manager_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[dict[str, Any]]]:
    """Per manager: each direct report who is in the program or a new hire, with their
    mentorship's status, never its private content (no summaries, notes or items).
    One query, with each mentorship's sessions and each hire's milestones grouped in it."""
    if not manager_ids:
        return {}
    today = program_today(ctx.now, ctx.config)
    week_ago = ctx.now - timedelta(days=7)
    # The mentorship that covers them, so a hire whose mentorship completed is shown as
    # mentored, not as "no mentor yet" (coverage.is_covered_sql).
    covering = Assignment.id == coverage.covering_mentorship_sql(User.id)
    sessions = (
        select(
            MentorshipSession.assignment_id,
            func.max(MentorshipSession.session_date).label("last_at"),
            func.sum(case((MentorshipSession.session_date >= week_ago, 1), else_=0)).label(
                "recent"
            ),
        )
        .group_by(MentorshipSession.assignment_id)
        .subquery("session_stats")
    )
    milestones = (
        select(
            RampMilestone.mentee_user_id,
            func.count(RampMilestone.achieved_date).label("achieved"),
            func.count().label("total"),
            func.sum(case((_overdue_milestone(today), 1), else_=0)).label("overdue"),
        )
        .group_by(RampMilestone.mentee_user_id)
        .subquery("milestone_stats")
    )
    rows = ctx.db.execute(
        select(
            User.id,
            User.manager_id,
            User.name,
            User.hire_date,
            Assignment.status,
            Assignment.progress_flag,
            mentor_user.name.label("mentor_name"),
            sessions.c.last_at,
            sessions.c.recent,
            milestones.c.achieved,
            milestones.c.total,
            milestones.c.overdue,
        )
        .outerjoin(Assignment, covering)
        .outerjoin(Mentor, Mentor.id == Assignment.mentor_id)
        .outerjoin(mentor_user, mentor_user.id == Mentor.user_id)
        .outerjoin(sessions, sessions.c.assignment_id == Assignment.id)
        .outerjoin(milestones, milestones.c.mentee_user_id == User.id)
        .where(User.manager_id.in_(manager_ids), _in_digest(ctx))
        .order_by(User.name)
    ).all()
    by_manager: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        last_at = _utc(row.last_at)
        by_manager[row.manager_id].append(
            {
                "name": row.name,
                "status": row.status or "no mentor",
                "mentor_name": row.mentor_name,
                "hire_date": row.hire_date.isoformat() if row.hire_date else None,
                "sessions_this_week": int(row.recent or 0),
                "last_session": last_at.isoformat() if last_at else None,
                "milestones_achieved": int(row.achieved or 0),
                "milestones_total": int(row.total or 0),
                "milestones_overdue": int(row.overdue or 0),
                "progress_flag": row.progress_flag,
            }
        )
    return by_manager


def program_figures(db: Session, now: datetime, config: ProgramConfig) -> dict[str, int]:
    """The admins' weekly figures: counts only."""
    week_ago = now - timedelta(days=7)
    today = program_today(now, config)
    hire_cutoff = hired_since(today, config)

    def count(*where: Any, of: Any = Assignment.id) -> int:
        return int(db.scalar(select(func.count(of)).where(*where)) or 0)

    return {
        "active_mentorships": count(Assignment.status == "active"),
        "pending_requests": count(Assignment.status == "pending"),
        "active_mentors": count(Mentor.is_active.is_(True), of=Mentor.id),
        "mentors_with_room": count(
            Mentor.is_active.is_(True),
            Mentor.current_mentee_count < Mentor.max_mentees,
            of=Mentor.id,
        ),
        "sessions_this_week": count(
            MentorshipSession.session_date >= week_ago, of=MentorshipSession.id
        ),
        "new_hires_without_mentor": count(
            User.hire_date >= hire_cutoff,
            User.deactivated_at.is_(None),
            User.is_bot.is_(False),
            ~coverage.is_covered_sql(User.id),
            of=User.id,
        ),
        "reviews_waiting": count(MilestoneSubmission.decision.is_(None), of=MilestoneSubmission.id),
        "milestones_overdue": count(_overdue_milestone(today), of=RampMilestone.id),
    }


def _overdue_milestone(today: date) -> ColumnElement[bool]:
    """A ramp milestone not achieved by its target date. The digests count it on the
    program's day (`program_today`), the same for every manager and admin: a count
    for the week, not a nudge to one person (milestones.py dates those on theirs)."""
    return and_(RampMilestone.achieved_date.is_(None), RampMilestone.target_date < today)


def _utc(value: datetime | None) -> datetime | None:
    # Aggregates bypass the UTCDateTime column type; SQLite hands back a naive UTC value.
    from datetime import UTC

    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
