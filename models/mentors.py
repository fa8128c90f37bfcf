"""Mentors (PRD `mentors`) and their training record (FR-1.4)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, created_at, updated_at, uuid_pk
from models.types import TextArray, UTCDateTime, empty_array
from models.users import User


class Mentor(Base):
    """A person who opted in to mentor. `current_mentee_count` is kept equal to
    the number of active assignments by the assignment service, in the same
    transaction, and the CHECK below is the database's backstop for capacity."""

    __tablename__ = "mentors"
    __table_args__ = (
        sa.Index("idx_mentors_active", "is_active", "current_mentee_count"),
        sa.CheckConstraint("max_mentees >= 1", name="max_mentees_positive"),
        sa.CheckConstraint(
            "current_mentee_count >= 0 AND current_mentee_count <= max_mentees",
            name="capacity_respected",
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"), unique=True)
    is_active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    max_mentees: Mapped[int] = mapped_column(default=2, server_default="2")
    current_mentee_count: Mapped[int] = mapped_column(default=0, server_default="0")
    expertise_areas: Mapped[list[str]] = mapped_column(
        TextArray, default=list, server_default=empty_array()
    )
    availability_notes: Mapped[str | None] = mapped_column(sa.Text)
    total_mentees_to_date: Mapped[int] = mapped_column(default=0, server_default="0")
    average_rating: Mapped[Decimal | None] = mapped_column(sa.Numeric(3, 2))
    is_certified: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    certified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Not matched until this date (inclusive); `/mentor pause until`.
    paused_until: Mapped[date | None]
    opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Made for someone who teaches only in reverse mentorships (no tenure rule for
    #: that): never offered, nor asked, as a standard mentor.
    reverse_only: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()

    user: Mapped[User] = relationship()
    trainings: Mapped[list[MentorTraining]] = relationship(
        back_populates="mentor", cascade="all, delete-orphan"
    )

    @property
    def remaining_capacity(self) -> int:
        return max(self.max_mentees - self.current_mentee_count, 0)


class MentorTraining(Base):
    """One required training a mentor has completed (keys come from program settings)."""

    __tablename__ = "mentor_trainings"
    __table_args__ = (sa.UniqueConstraint("mentor_id", "training_key"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    mentor_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("mentors.id", ondelete="CASCADE"))
    training_key: Mapped[str] = mapped_column(sa.String(100))
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = created_at()
    #: 'self_report' (the mentor marked it done) or 'system_tracked' (an LMS export).
    source: Mapped[str] = mapped_column(
        sa.String(30), default="self_report", server_default="self_report"
    )

    mentor: Mapped[Mentor] = relationship(back_populates="trainings")
