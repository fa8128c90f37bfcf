"""The program's curriculum (issue 18): suggested topics and resources per week of a
mentorship, and the resources a mentor adds to one mentorship of their own
(Mentor Role: "Can provide supplementary resources")."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, created_at, uuid_pk

#: Slack's limit on an option's text: a topic is offered in the session log's topic list.
TOPIC_TITLE_LIMIT = 75


class CurriculumTopic(Base):
    """One suggested topic (with an optional link to a resource) for week `week` of every
    mentorship, counted from its start date (week 1 is its first seven days)."""

    __tablename__ = "curriculum_topics"
    __table_args__ = (
        sa.Index("ix_curriculum_topics_week", "week", "position"),
        sa.CheckConstraint("week >= 1", name="week_from_1"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    week: Mapped[int]
    position: Mapped[int] = mapped_column(default=0, server_default="0")
    title: Mapped[str] = mapped_column(sa.String(TOPIC_TITLE_LIMIT))
    url: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = created_at()


class MentorshipResource(Base):
    """A resource a mentor shared with one mentorship, shown to the pair."""

    __tablename__ = "mentorship_resources"
    __table_args__ = (sa.Index("ix_mentorship_resources_assignment", "assignment_id"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    assignment_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("mentorship_assignments.id", ondelete="CASCADE")
    )
    added_by_user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(sa.String(200))
    url: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = created_at()
