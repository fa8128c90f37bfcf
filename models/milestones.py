"""Ramp milestones (PRD `mentee_ramp_milestones`), their templates and reviews."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, created_at, updated_at, uuid_pk
from models.types import UTCDateTime

VERIFICATION_METHODS = ("self_report", "mentor_verified", "system_tracked")
#: open -> submitted -> (changes_requested -> submitted ...) -> achieved
MILESTONE_STATUSES = ("open", "submitted", "changes_requested", "achieved")

#: The customer-success ramp a program starts with (key, name, description, days from
#: hire, fully ramped): migration 0013 seeds it, and so does the first use of an empty
#: program (bot/services/milestone_templates.py).
DEFAULT_TEMPLATES: list[tuple[str, str, str, int, bool]] = [
    (
        "product-certification",
        "Product certification passed",
        "Passes the product certification course.",
        14,
        False,
    ),
    (
        "shadowed-calls",
        "Shadowed five customer calls",
        "Joins five calls led by a senior CSM.",
        21,
        False,
    ),
    ("first-call-solo", "First customer call led solo", "Leads a customer call alone.", 30, False),
    (
        "first-qbr-solo",
        "First QBR run solo",
        "Runs a quarterly business review without a senior CSM leading it.",
        60,
        False,
    ),
    ("first-renewal", "First renewal closed", "Closes a renewal as the account owner.", 75, False),
    ("fully-ramped", "Fully ramped", "Owns a full book of business on their own.", 90, True),
]


class MilestoneTemplate(Base):
    """A program ramp milestone every new hire gets, due `days_from_hire` after hire.
    The template marked `is_final` is "fully ramped" for the ramp comparison. An edit of
    what a hire is given (name, description, days) raises `version`; hires keep the
    version they were given (`RampMilestone.template_version`) until an admin applies
    the new one. A retired template (`is_active` false) is no longer given."""

    __tablename__ = "milestone_templates"

    id: Mapped[uuid.UUID] = uuid_pk()
    key: Mapped[str] = mapped_column(sa.String(100), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(sa.Text)
    days_from_hire: Mapped[int]
    position: Mapped[int] = mapped_column(default=0, server_default="0")
    is_final: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    is_active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    created_at: Mapped[datetime] = created_at()
    #: The program skill this milestone shows (optional).
    skill: Mapped[str | None] = mapped_column(sa.String(100))
    #: How it is meant to be verified: one of VERIFICATION_METHODS.
    verification: Mapped[str] = mapped_column(
        sa.String(30), default="mentor_verified", server_default="mentor_verified"
    )
    version: Mapped[int] = mapped_column(default=1, server_default="1")


class RampMilestone(Base):
    """One milestone of one hire, mentored or not (so ramp can be compared)."""

    __tablename__ = "mentee_ramp_milestones"
    __table_args__ = (
        # Both carry the achieved date, so the ramp report reads milestones index-only.
        sa.Index(
            "ix_mentee_ramp_milestones_mentee",
            "mentee_user_id",
            "template_key",
            postgresql_include=["achieved_date"],
        ),
        sa.Index(
            "ix_mentee_ramp_milestones_template",
            "template_key",
            "mentee_user_id",
            postgresql_include=["achieved_date"],
        ),
        sa.Index("ix_mentee_ramp_milestones_assignment", "assignment_id"),
        # The ramp comparison reads its histograms from here in group order, and the
        # days to "fully ramped" of each mentee (models/ramp_facts.py).
        sa.Index(
            "ix_mentee_ramp_milestones_ramp",
            "template_key",
            "ramp_cohort",
            "ramp_mentored",
            "ramp_days",
            postgresql_include=["mentee_user_id"],
            postgresql_where=sa.text("ramp_counted"),
            sqlite_where=sa.text("ramp_counted"),
        ),
        sa.Index(
            "ix_mentee_ramp_milestones_hires",
            "ramp_cohort",
            "ramp_mentored",
            postgresql_where=sa.text("ramp_hire_row"),
            sqlite_where=sa.text("ramp_hire_row"),
        ),
        sa.CheckConstraint(
            "verification_method IN ('self_report', 'mentor_verified', 'system_tracked')",
            name="verification_known",
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    assignment_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.ForeignKey("mentorship_assignments.id")
    )
    mentee_user_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    milestone_name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(sa.Text)
    target_date: Mapped[date | None]
    achieved_date: Mapped[date | None]
    verification_method: Mapped[str | None] = mapped_column(sa.String(50))
    verified_by_user_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    #: The template this row came from (None for a mentorship goal).
    template_key: Mapped[str | None] = mapped_column(sa.String(100))
    #: The template's version this row was given (None for a goal, or before versions).
    template_version: Mapped[int | None]
    status: Mapped[str] = mapped_column(sa.String(30), default="open", server_default="open")
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()

    # Ramp facts, beyond the PRD: recounted from the hire's date, mentorships and
    # milestones by models/ramp_facts.py, read by the ramp comparison.
    ramp_cohort: Mapped[int | None]
    ramp_mentored: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    ramp_days: Mapped[int | None]
    ramp_counted: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    ramp_hire_row: Mapped[bool] = mapped_column(default=False, server_default=sa.false())


class MilestoneSubmission(Base):
    """One round of the Mentor Role's review process: evidence in, decision out."""

    __tablename__ = "milestone_submissions"
    __table_args__ = (sa.Index("ix_milestone_submissions_milestone", "milestone_id"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    milestone_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("mentee_ramp_milestones.id", ondelete="CASCADE")
    )
    submitted_by_user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id"))
    evidence: Mapped[str] = mapped_column(sa.Text)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: None while waiting; then 'approved' or 'changes_requested'.
    decision: Mapped[str | None] = mapped_column(sa.String(30))
    feedback: Mapped[str | None] = mapped_column(sa.Text)
    reviewed_by_user_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
