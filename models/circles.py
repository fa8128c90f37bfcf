"""Topic circles (issue 18): group mentorship by topic. A mentor hosts a circle on a
topic with a number of seats and a cadence; anyone in the program joins or leaves it.
The host logs the circle's sessions with who attended: rows of their own, never
`mentorship_sessions`, so a circle is not credited to the host's mentorships."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, created_at, updated_at, uuid_pk
from models.mentors import Mentor
from models.types import UTCDateTime

CIRCLE_NAME_LIMIT = 75
CIRCLE_TOPIC_LIMIT = 75
MAX_SEATS = 50


class TopicCircle(Base):
    """One circle. `status` is "open" (listed, joinable) or "closed"."""

    __tablename__ = "topic_circles"
    __table_args__ = (
        sa.Index("ix_topic_circles_host", "host_mentor_id"),
        sa.CheckConstraint("seats >= 1", name="seats_from_1"),
        sa.CheckConstraint("status IN ('open', 'closed')", name="status_known"),
        sa.CheckConstraint("cadence IN ('weekly', 'biweekly', 'monthly')", name="cadence_known"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    host_mentor_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("mentors.id"))
    name: Mapped[str] = mapped_column(sa.String(CIRCLE_NAME_LIMIT))
    topic: Mapped[str] = mapped_column(sa.String(CIRCLE_TOPIC_LIMIT))
    seats: Mapped[int]
    cadence: Mapped[str] = mapped_column(sa.String(50))
    status: Mapped[str] = mapped_column(sa.String(20), default="open", server_default="open")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()

    host: Mapped[Mentor] = relationship()


class CircleMember(Base):
    """A person in a circle; leaving deletes the row (the audit log keeps the history)."""

    __tablename__ = "circle_members"
    __table_args__ = (sa.UniqueConstraint("circle_id", "user_id"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    circle_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("topic_circles.id", ondelete="CASCADE")
    )
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime())


#: The topics line of a circle session (pre-filled with the circle's topic).
CIRCLE_SESSION_TOPICS_LIMIT = 300


class CircleSession(Base):
    """One session of a circle, logged by its host (or an admin): one a day per circle.
    `notes` is the circle's private text (row-level security on PostgreSQL)."""

    __tablename__ = "circle_sessions"
    __table_args__ = (
        sa.UniqueConstraint("circle_id", "session_day"),
        sa.CheckConstraint("duration_minutes >= 1", name="duration_from_1"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    circle_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("topic_circles.id"))
    session_day: Mapped[date] = mapped_column(sa.Date)
    duration_minutes: Mapped[int]
    topics: Mapped[str] = mapped_column(sa.String(CIRCLE_SESSION_TOPICS_LIMIT))
    notes: Mapped[str | None] = mapped_column(sa.Text)
    logged_by_user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = created_at()


class CircleAttendance(Base):
    """A member of the circle when the session was logged, and whether they came."""

    __tablename__ = "circle_attendance"
    __table_args__ = (sa.UniqueConstraint("circle_session_id", "user_id"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    circle_session_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("circle_sessions.id", ondelete="CASCADE")
    )
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    attended: Mapped[bool]
