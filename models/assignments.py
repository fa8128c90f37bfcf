"""Mentorships (PRD `mentorship_assignments`) and cohort-match proposals."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, created_at, updated_at, uuid_pk
from models.mentors import Mentor
from models.types import JSONB, TextArray, UTCDateTime, empty_array, empty_list
from models.users import User

#: PRD statuses plus `declined` (the mentor said no; kept for history and analytics).
ASSIGNMENT_STATUSES = ("pending", "active", "completed", "cancelled", "declined")
CADENCES = ("weekly", "biweekly", "monthly")
#: Days between check-ins of each cadence (a month counted as 30 days). The one definition:
#: the next check-in people are shown, the nudges and the analytics' expected sessions use it.
CADENCE_DAYS = {"weekly": 7, "biweekly": 14, "monthly": 30}
#: Assignments that hold (or claim) a mentor's attention.
OPEN_STATUSES = ("pending", "active")
#: Mentorships that ran: their mentee counts as "mentored", their sessions were expected.
MENTORED_STATUSES = ("active", "completed")
#: A new hire is covered (PRD "100 % of new CSMs mentored") by a mentorship that is asked
#: for, running or done; a cancelled or declined one leaves them without a mentor.
COVERED_STATUSES = ("pending", "active", "completed")
#: A standard mentorship, or a reverse one: a newer hire teaches a veteran a topic (a
#: tool, a market). Reverse ones are labelled where shown and kept out of the ramp
#: comparison and the new-hire coverage.
KINDS = ("standard", "reverse")
KIND_LABELS = {"standard": "Mentorship", "reverse": "Reverse mentorship"}


class Assignment(Base):
    """One mentorship between a mentor and a mentee.

    `goals` holds `[{goal, target_date, achieved}]` as in the PRD; `milestones`
    holds the names of the ramp milestones agreed for this mentorship (the rows
    themselves live in `mentee_ramp_milestones`)."""

    __tablename__ = "mentorship_assignments"
    __table_args__ = (
        sa.Index("idx_mentorship_assignments_mentor", "mentor_id"),
        # Carries the status: who has been mentored, or has an open mentorship, is
        # answered from the index alone (analytics, ramp facts).
        sa.Index(
            "idx_mentorship_assignments_mentee", "mentee_user_id", postgresql_include=["status"]
        ),
        sa.Index("ix_mentorship_assignments_status", "status"),
        # The few reverse mentorships by status: the program report counts them.
        sa.Index(
            "ix_mentorship_assignments_reverse",
            "status",
            postgresql_where=sa.text("kind = 'reverse'"),
            sqlite_where=sa.text("kind = 'reverse'"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'active', 'completed', 'cancelled', 'declined')",
            name="status_known",
        ),
        sa.CheckConstraint(
            "check_in_cadence IN ('weekly', 'biweekly', 'monthly')", name="cadence_known"
        ),
        sa.CheckConstraint("kind IN ('standard', 'reverse')", name="kind_known"),
        sa.CheckConstraint("mentee_rating BETWEEN 1 AND 5", name="mentee_rating_1_5"),
        sa.CheckConstraint("mentor_rating BETWEEN 1 AND 5", name="mentor_rating_1_5"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    mentor_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("mentors.id"))
    mentee_user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    assigned_by_user_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))

    # Configuration
    start_date: Mapped[date]
    expected_end_date: Mapped[date | None]
    actual_end_date: Mapped[date | None]
    kind: Mapped[str] = mapped_column(sa.String(20), default="standard", server_default="standard")
    check_in_cadence: Mapped[str] = mapped_column(
        sa.String(50), default="weekly", server_default="weekly"
    )

    # Goals
    goals: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, default=list, server_default=empty_list()
    )
    milestones: Mapped[list[Any]] = mapped_column(JSONB, default=list, server_default=empty_list())
    #: Skills this mentorship focuses on (matching's skill gaps, the mentee's self-assessment).
    focus_skills: Mapped[list[str]] = mapped_column(
        TextArray, default=list, server_default=empty_array()
    )
    #: FR-2.5: the expectations text the manager confirmed, and when.
    expectations: Mapped[str | None] = mapped_column(sa.Text)
    expectations_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The match factors shown when this mentor was suggested (score, overlap, ...).
    match_factors: Mapped[dict[str, Any] | None] = mapped_column(JSONB)

    # Status
    status: Mapped[str] = mapped_column(sa.String(50), default="pending", server_default="pending")
    mentor_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decline_reason: Mapped[str | None] = mapped_column(sa.Text)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[str | None] = mapped_column(sa.Text)
    #: Reminders for this mentorship are held until then ("Snooze a week").
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: FR-4.4: the mentor's latest on-track / at-risk flag (the notes stay private).
    progress_flag: Mapped[str | None] = mapped_column(sa.String(20))

    # Completion (the PRD's text fields of the end live in `mentorship_feedback`)
    mentee_rating: Mapped[int | None]
    #: The mentor's satisfaction with the mentorship, 1-5 (PRD success metric).
    mentor_rating: Mapped[int | None]

    # Session tallies, recounted from `mentorship_sessions` by `sessions.refresh_tallies`
    # in the transaction of every session write: the analytics, the nudges and the
    # mentorship lists read one row per mentorship instead of every session.
    #: Sessions the mentee attended (a missed group session is not one).
    sessions_logged: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Seats at group sessions, attended or not, and how many of them were attended.
    group_seats: Mapped[int] = mapped_column(default=0, server_default="0")
    group_seats_attended: Mapped[int] = mapped_column(default=0, server_default="0")
    #: When the latest attended session took place.
    last_session_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()

    mentor: Mapped[Mentor] = relationship()
    mentee: Mapped[User] = relationship(foreign_keys=[mentee_user_id])
    assigned_by: Mapped[User | None] = relationship(foreign_keys=[assigned_by_user_id])


class MatchProposal(Base):
    """A cohort matching proposal waiting for an admin's one-click approval."""

    __tablename__ = "match_proposals"

    id: Mapped[uuid.UUID] = uuid_pk()
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    #: [{mentor_id, mentee_user_id, score, factors}], plus totals.
    pairs: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, default=list, server_default=empty_list()
    )
    total_score: Mapped[float] = mapped_column(sa.Float, default=0.0, server_default="0")
    greedy_score: Mapped[float] = mapped_column(sa.Float, default=0.0, server_default="0")
    status: Mapped[str] = mapped_column(
        sa.String(20), default="proposed", server_default="proposed"
    )
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = created_at()
