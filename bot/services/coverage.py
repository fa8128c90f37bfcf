"""Coverage (PRD success metric "100 % of new CSMs mentored"): find new hires who
have no mentor yet, so their manager is nudged with suggestions and nobody falls
through the cracks.

`is_covered_sql` is the one rule of who is covered: the coverage nudges, the weekly
digest, App Home and the analytics' coverage metric all ask it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from bot.services import audit, matching, program
from bot.services.program import new_hire_since, program_today
from models import COVERED_STATUSES, OPEN_STATUSES, Assignment, Notification, User

#: How many mentors a coverage nudge suggests.
NUDGE_SUGGESTIONS = 3


@dataclass(frozen=True)
class UncoveredHire:
    """A new hire who is not covered (`is_covered_sql`)."""

    user_id: uuid.UUID
    slack_user_id: str
    name: str
    hire_date: date
    days_since_hire: int
    manager_id: uuid.UUID | None
    manager_slack_user_id: str | None


@dataclass(frozen=True)
class CoverageNudge:
    """What to DM about one uncovered hire, and to whom."""

    mentee_id: uuid.UUID
    mentee_slack_user_id: str
    mentee_name: str
    days_since_hire: int
    manager_slack_user_id: str | None  # None: no (active) manager, tell the admins
    ranking: matching.Ranking


def is_covered_sql(
    user_id: sa.ColumnElement[uuid.UUID] | uuid.UUID,
) -> sa.ColumnElement[bool]:
    """SQL: the person `user_id` (a column or an id) is covered: a mentorship of theirs
    is pending, active or completed (COVERED_STATUSES); cancelled and declined ones
    don't count, nor does a reverse mentorship (its learner is taught a topic, not
    mentored into the job). Only `Assignment` is its own, so it also works inside a query that
    joins assignments itself."""
    return _mentorship_in(user_id, COVERED_STATUSES, Assignment.kind == "standard")


def has_open_mentorship_sql(
    user_id: sa.ColumnElement[uuid.UUID] | uuid.UUID,
) -> sa.ColumnElement[bool]:
    """SQL: the person `user_id` has an active mentorship or a request waiting for an
    answer: they are in the program right now (a completed mentorship is history)."""
    return _mentorship_in(user_id, OPEN_STATUSES)


def _mentorship_in(
    user_id: sa.ColumnElement[uuid.UUID] | uuid.UUID,
    statuses: tuple[str, ...],
    *more: sa.ColumnElement[bool],
) -> sa.ColumnElement[bool]:
    return (
        sa.exists()
        .where(Assignment.mentee_user_id == user_id, Assignment.status.in_(statuses), *more)
        .correlate_except(Assignment)
    )


def covering_mentorship_sql(user_id: sa.ColumnElement[uuid.UUID]) -> sa.ScalarSelect[uuid.UUID]:
    """SQL: the id of the mentorship that covers the person (None if they are not
    covered): the active one, else the request waiting, else the latest completed."""
    preference = sa.case(
        (Assignment.status == "active", 0), (Assignment.status == "pending", 1), else_=2
    )
    return (
        sa.select(Assignment.id)
        .where(
            Assignment.mentee_user_id == user_id,
            Assignment.status.in_(COVERED_STATUSES),
            Assignment.kind == "standard",
        )
        .order_by(preference, Assignment.start_date.desc(), Assignment.created_at.desc())
        .limit(1)
        .correlate_except(Assignment)
        .scalar_subquery()
    )


def new_hires_without_mentor(
    db: Session, *, today: date, hired_since: date, hired_until: date | None = None
) -> list[UncoveredHire]:
    """People hired between `hired_since` and `hired_until` (default today), inclusive,
    who are not covered (`is_covered_sql`), earliest hire first."""
    manager = aliased(User)
    rows = db.execute(
        sa.select(
            User.id,
            User.slack_user_id,
            User.name,
            User.hire_date,
            User.manager_id,
            manager.slack_user_id,
        )
        .outerjoin(manager, manager.id == User.manager_id)
        .where(
            User.hire_date.is_not(None),
            User.hire_date >= hired_since,
            User.hire_date <= (hired_until or today),
            User.is_bot.is_(False),
            User.deactivated_at.is_(None),
            ~is_covered_sql(User.id),
        )
        .order_by(User.hire_date, User.name)
    ).all()
    return [
        UncoveredHire(
            user_id=row[0],
            slack_user_id=row[1],
            name=row[2],
            hire_date=row[3],
            days_since_hire=(today - row[3]).days,
            manager_id=row[4],
            manager_slack_user_id=row[5],
        )
        for row in rows
    ]


def uncovered_new_hires(db: Session, now: datetime) -> list[UncoveredHire]:
    """New hires (hired within the program's new-hire window) who still have no mentor
    `coverage_days` (setting, default 7) after their hire date: their managers should
    be nudged. The reminders sweep calls this; each hire is nudged once by its ledger."""
    config = program.load(db)
    today = program_today(now, config)
    return new_hires_without_mentor(
        db,
        today=today,
        hired_since=new_hire_since(now, config),
        hired_until=today - timedelta(days=config.coverage_days),
    )


def coverage_nudge(db: Session, *, mentee_id: uuid.UUID, now: datetime) -> CoverageNudge | None:
    """The nudge about this hire: their manager (None: tell the program admins) and the
    best mentors for them. None when the hire is covered by now."""
    mentee = db.get(User, mentee_id)
    if mentee is None or mentee.deactivated_at is not None:
        return None
    if is_covered(db, mentee_id):
        return None
    manager = mentee.manager
    active_manager = manager if manager is not None and manager.deactivated_at is None else None
    ranking = matching.rank(db, mentee_id=mentee_id, now=now, limit=NUDGE_SUGGESTIONS)
    today = program.todays_date(db, now)
    days = (today - mentee.hire_date).days if mentee.hire_date else 0
    return CoverageNudge(
        mentee_id=mentee.id,
        mentee_slack_user_id=mentee.slack_user_id,
        mentee_name=mentee.name,
        days_since_hire=days,
        manager_slack_user_id=active_manager.slack_user_id if active_manager else None,
        ranking=ranking,
    )


def program_admins(db: Session) -> list[str]:
    """Slack ids of the active program admins, by name."""
    return list(
        db.scalars(
            sa.select(User.slack_user_id)
            .where(User.is_admin.is_(True), User.deactivated_at.is_(None))
            .order_by(User.name)
        )
    )


def is_covered(db: Session, mentee_id: uuid.UUID) -> bool:
    """True when the person is covered (`is_covered_sql`)."""
    return bool(db.scalar(sa.select(is_covered_sql(mentee_id))))


def claim_join_nudge(db: Session, *, slack_user_id: str, now: datetime) -> uuid.UUID | None:
    """Someone joined the workspace (`team_join`). If they are a new hire in the roster
    with no mentor, return their user id, once: a Slack retry or a second join event
    finds the claim already made (a unique key in the notification ledger) and gets None."""
    user = db.scalar(sa.select(User).where(User.slack_user_id == slack_user_id))
    if user is None or user.hire_date is None or user.is_bot:
        return None
    config = program.load(db)
    if not (new_hire_since(now, config) <= user.hire_date <= program_today(now, config)):
        return None
    if is_covered(db, user.id):
        return None
    nudge = Notification(
        kind="coverage.team_join",
        target=str(user.id),
        period="join",
        recipient_user_id=user.manager_id,
        status="sent",
        attempts=1,
        claimed_at=now,
        sent_at=now,
    )
    try:
        with db.begin_nested():
            db.add(nudge)
    except IntegrityError:
        return None
    audit.record(
        db,
        actor_id=None,
        action="coverage.join_nudged",
        entity_type="user",
        entity_id=user.id,
        now=now,
        notification=nudge.id,
    )
    return user.id
