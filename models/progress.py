"""Skill progression (FR-4.2/4.3) and mentor progress notes (FR-4.4)."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, created_at, uuid_pk
from models.types import UTCDateTime


class SkillAssessment(Base):
    """A mentee's 1-5 self-rating of one skill at one moment; the rows are the trend."""

    __tablename__ = "skill_assessments"
    __table_args__ = (
        sa.Index("ix_skill_assessments_user_skill", "user_id", "skill", "assessed_at"),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name="rating_1_5"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    assignment_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("mentorship_assignments.id", ondelete="CASCADE")
    )
    skill: Mapped[str] = mapped_column(sa.String(100))
    rating: Mapped[int]
    assessed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ProgressNote(Base):
    """The mentor's private note on a mentee's progress, with an on-track flag."""

    __tablename__ = "progress_notes"
    __table_args__ = (
        sa.Index("ix_progress_notes_assignment", "assignment_id"),
        sa.CheckConstraint("flag IN ('on_track', 'at_risk')", name="flag_known"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    assignment_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("mentorship_assignments.id", ondelete="CASCADE")
    )
    author_user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(sa.Text)
    flag: Mapped[str] = mapped_column(sa.String(20))
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = created_at()
