"""The words said at the end of a mentorship (PRD `completion_notes`, `mentor_feedback`,
`mentee_feedback`), in their own table so that PostgreSQL's row-level security keeps
them to the pair like the session notes (migration 0012)."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, created_at, updated_at, uuid_pk

#: The PRD's three text fields of a mentorship's end: how it ended (whoever completed
#: it, or the sweep), the mentor's words, the mentee's. One row per mentorship and kind.
FEEDBACK_KINDS = ("completion_notes", "mentor_feedback", "mentee_feedback")


class MentorshipFeedback(Base):
    """One of the texts a mentorship's end leaves, and who wrote it (None: the system)."""

    __tablename__ = "mentorship_feedback"
    __table_args__ = (
        sa.UniqueConstraint("assignment_id", "kind"),
        sa.CheckConstraint(
            "kind IN ('completion_notes', 'mentor_feedback', 'mentee_feedback')",
            name="kind_known",
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    assignment_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("mentorship_assignments.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(sa.String(30))
    author_user_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()
