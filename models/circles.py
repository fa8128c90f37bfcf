"""Topic circles (issue 18): group mentorship by topic. A mentor hosts a circle on a
topic with a number of seats and a cadence; anyone in the program joins or leaves it."""

from __future__ import annotations

import uuid
from datetime import datetime

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
