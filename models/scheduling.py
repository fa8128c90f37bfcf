"""Sessions scheduled ahead and questions to the mentor (issue 17).

A `ScheduledSession` starts as a proposal of one to three times; the other side
confirms one of them (or proposes another, which supersedes it). A confirmed session
is then held (logged), missed (a no-show) or cancelled. A `MentorQuestion` is a
mentee's question to their mentor, answered in writing or kept for the next session."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, created_at, updated_at, uuid_pk
from models.types import JSONB, UTCDateTime, empty_list

#: proposed -> confirmed -> held | missed; proposed | confirmed -> cancelled | rescheduled.
SCHEDULE_STATUSES = ("proposed", "confirmed", "held", "missed", "cancelled", "rescheduled")
#: Statuses whose session was scheduled to happen (the PRD's "of scheduled").
SCHEDULED_STATUSES = ("confirmed", "held", "missed")
QUESTION_STATUSES = ("open", "answered", "deferred")


class ScheduledSession(Base):
    """A session proposed (and perhaps confirmed) ahead of time.

    `options` holds `[{starts_at: ISO-8601 UTC, minutes: int}]`, one to three; the
    confirmed one is copied to `starts_at` and `duration_minutes`. Confirming is a
    compare-and-set on `status`, so of two clicks at once only one confirms."""

    __tablename__ = "scheduled_sessions"
    __table_args__ = (
        # The sweep's finders: upcoming and just-ended confirmed sessions, open proposals.
        sa.Index("ix_scheduled_sessions_status_starts", "status", "starts_at"),
        sa.Index("ix_scheduled_sessions_status_proposed", "status", "proposed_at"),
        sa.Index("ix_scheduled_sessions_assignment", "assignment_id", "status"),
        # The logged session a scheduled one became: deleting sessions (a mentorship's,
        # with it) finds what points at each through this, not by reading the table.
        sa.Index(
            "ix_scheduled_sessions_session",
            "session_id",
            postgresql_where=sa.text("session_id IS NOT NULL"),
            sqlite_where=sa.text("session_id IS NOT NULL"),
        ),
        # One pair cannot have two sessions confirmed at the same instant.
        sa.Index(
            "uq_scheduled_sessions_confirmed_time",
            "assignment_id",
            "starts_at",
            unique=True,
            postgresql_where=sa.text("status = 'confirmed'"),
            sqlite_where=sa.text("status = 'confirmed'"),
        ),
        sa.CheckConstraint(
            "status IN ('proposed', 'confirmed', 'held', 'missed', 'cancelled', 'rescheduled')",
            name="status_known",
        ),
        sa.CheckConstraint(
            "duration_minutes IS NULL OR duration_minutes BETWEEN 1 AND 480",
            name="duration_1_480",
        ),
        sa.CheckConstraint(
            "status IN ('proposed', 'cancelled', 'rescheduled') "
            "OR (starts_at IS NOT NULL AND duration_minutes IS NOT NULL)",
            name="scheduled_has_time",
        ),
        sa.CheckConstraint("missed_by IN ('mentor', 'mentee')", name="missed_by_known"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    assignment_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("mentorship_assignments.id", ondelete="CASCADE")
    )
    proposed_by_user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    #: Who must answer the proposal: the other side of the mentorship.
    answer_by_user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    options: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, default=list, server_default=empty_list()
    )
    objectives: Mapped[str | None] = mapped_column(sa.Text)
    materials: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(
        sa.String(20), default="proposed", server_default="proposed"
    )
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: The latest proposed start: past it, an unanswered proposal is moot.
    last_option_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: When the proposal was answered (confirmed, or another time proposed instead).
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    duration_minutes: Mapped[int | None]
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_by_user_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    #: A no-show: which side did not come.
    missed_by: Mapped[str | None] = mapped_column(sa.String(10))
    #: The logged session it became.
    session_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("mentorship_sessions.id", ondelete="SET NULL")
    )
    #: The proposal or session this one replaces ("Propose another", "Reschedule").
    replaces_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("scheduled_sessions.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


class MentorQuestion(Base):
    """A mentee's question to their mentor (Mentor Role: inquiries answered within 24 h).
    The question and the answer are private to the pair, like session notes."""

    __tablename__ = "mentor_questions"
    __table_args__ = (
        sa.Index("ix_mentor_questions_status_asked", "status", "asked_at"),
        sa.Index("ix_mentor_questions_mentor", "mentor_user_id", "asked_at"),
        sa.CheckConstraint("status IN ('open', 'answered', 'deferred')", name="status_known"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    assignment_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("mentorship_assignments.id", ondelete="CASCADE")
    )
    asked_by_user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    #: The mentor at the time of asking, for the per-mentor response times.
    mentor_user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    question: Mapped[str] = mapped_column(sa.Text)
    #: The Slack message it was asked from ("Ask my mentor" shortcut), if any.
    source_link: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(20), default="open", server_default="open")
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: Answered in writing, or "Talk in our next session": either is a response.
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answer: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = created_at()
