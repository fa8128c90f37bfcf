"""Logged mentorship sessions (PRD `mentorship_sessions`)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.assignments import Assignment
from models.base import Base, created_at, uuid_pk
from models.types import JSONB, TextArray, UTCDateTime, empty_array, empty_list


class MentorshipSession(Base):
    """One session of one mentorship.

    `action_items` holds `[{id, item, owner: 'mentor'|'mentee', due, done, done_at}]`
    (the PRD's shape plus a stable `id` so an item can be ticked off by button).
    A group session is one row per participating mentorship sharing a
    `group_session_id`; `attended` says whether that mentee was there."""

    __tablename__ = "mentorship_sessions"
    __table_args__ = (
        # Carries what the program report sums, so it reads sessions index-only.
        sa.Index(
            "idx_mentorship_sessions",
            "assignment_id",
            "session_date",
            postgresql_include=["attended", "group_session_id"],
        ),
        # Group seats alone, so counting the distinct group sessions reads only them.
        sa.Index(
            "ix_mentorship_sessions_group",
            "group_session_id",
            "assignment_id",
            postgresql_where=sa.text("group_session_id IS NOT NULL"),
            sqlite_where=sa.text("group_session_id IS NOT NULL"),
        ),
        # Attended sessions of a mentorship by date: each month of the report's
        # monthly series is one range of it, counted index-only.
        sa.Index(
            "ix_mentorship_sessions_attended_date",
            "session_date",
            postgresql_where=sa.text("attended AND assignment_id IS NOT NULL"),
            sqlite_where=sa.text("attended AND assignment_id IS NOT NULL"),
        ),
        # One 1:1 session a mentorship a day (group seats aside): of two logs of the
        # same day at once, the second is refused by the database, not by a read.
        sa.Index(
            "uq_mentorship_sessions_one_a_day",
            "assignment_id",
            "session_day",
            unique=True,
            postgresql_where=sa.text("group_session_id IS NULL"),
            sqlite_where=sa.text("group_session_id IS NULL"),
        ),
        # Sessions with an open action item due recently or ahead: the action-item
        # reminder reads only these, not every session's items on every sweep.
        sa.Index(
            "ix_mentorship_sessions_items_due_until",
            "items_due_until",
            postgresql_where=sa.text("items_due_until IS NOT NULL"),
            sqlite_where=sa.text("items_due_until IS NOT NULL"),
        ),
        sa.CheckConstraint(
            "mentee_confidence_before BETWEEN 1 AND 5", name="confidence_before_1_5"
        ),
        sa.CheckConstraint("mentee_confidence_after BETWEEN 1 AND 5", name="confidence_after_1_5"),
        sa.CheckConstraint("session_quality BETWEEN 1 AND 5", name="quality_1_5"),
        sa.CheckConstraint("duration_minutes > 0", name="duration_positive"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    assignment_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("mentorship_assignments.id", ondelete="CASCADE")
    )
    session_date: Mapped[datetime] = mapped_column(UTCDateTime())
    #: The day of the session as the person who logged it typed it (their calendar):
    #: what the one-a-day rule compares. None for rows made before the rule was a key.
    session_day: Mapped[date | None] = mapped_column(sa.Date)
    duration_minutes: Mapped[int | None]

    # Content
    topics_covered: Mapped[list[str]] = mapped_column(
        TextArray, default=list, server_default=empty_array()
    )
    summary: Mapped[str | None] = mapped_column(sa.Text)
    action_items: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, default=list, server_default=empty_list()
    )
    #: The latest due date of the open action items (`open_items_due_until`), set on
    #: every save of the row; None when no open item has a date.
    items_due_until: Mapped[date | None] = mapped_column(sa.Date)
    resources_shared: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, default=list, server_default=empty_list()
    )

    # Assessment
    mentee_confidence_before: Mapped[int | None]
    mentee_confidence_after: Mapped[int | None]
    session_quality: Mapped[int | None]

    logged_by: Mapped[str | None] = mapped_column(sa.String(20))  # 'mentor' or 'mentee'
    logged_by_user_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    group_session_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    attended: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    created_at: Mapped[datetime] = created_at()

    assignment: Mapped[Assignment | None] = relationship()


def item_due_date(item: object) -> date | None:
    """An action item's due date, when it has one that reads as a date (the date its
    reminders go by); None otherwise."""
    due = item.get("due") if isinstance(item, dict) else None
    try:
        return date.fromisoformat(str(due)) if due else None
    except ValueError:
        return None


def open_items_due_until(items: object) -> date | None:
    """The latest due date among the open (not done) items of `items`, None when none
    has one: a session whose items are all done, or all due long ago, has no reminder
    to send, and the sweep can tell so from this date alone."""
    listed = items if isinstance(items, list) else []
    dates = [
        due
        for item in listed
        if isinstance(item, dict) and not item.get("done")
        if (due := item_due_date(item)) is not None
    ]
    return max(dates, default=None)


@sa.event.listens_for(MentorshipSession, "before_insert")
@sa.event.listens_for(MentorshipSession, "before_update")
def _keep_items_due_until(_mapper: Any, _connection: Any, session: MentorshipSession) -> None:
    # Every write of a session goes through the ORM (its items are replaced, never
    # edited in place), so this keeps the date true without a second rule in SQL.
    session.items_due_until = open_items_due_until(session.action_items)
