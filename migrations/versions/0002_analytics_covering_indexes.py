"""analytics: covering indexes for the program report

The program report reads every session and every ramp milestone. With the
columns it needs carried in the indexes it already walks (sessions by
mentorship, milestones by hire) PostgreSQL reads them with index-only scans,
already in the order it groups them, instead of scanning and hashing the
tables; the template-first milestone index finds every hire's "fully ramped"
date without reading the other milestones. SQLite ignores INCLUDE and keeps
plain indexes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 20:55:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("idx_mentorship_sessions", table_name="mentorship_sessions")
    op.create_index(
        "idx_mentorship_sessions",
        "mentorship_sessions",
        ["assignment_id", "session_date"],
        postgresql_include=["attended", "group_session_id"],
    )
    op.drop_index("ix_mentee_ramp_milestones_mentee", table_name="mentee_ramp_milestones")
    op.create_index(
        "ix_mentee_ramp_milestones_mentee",
        "mentee_ramp_milestones",
        ["mentee_user_id", "template_key"],
        postgresql_include=["achieved_date"],
    )
    op.create_index(
        "ix_mentee_ramp_milestones_template",
        "mentee_ramp_milestones",
        ["template_key", "mentee_user_id"],
        postgresql_include=["achieved_date"],
    )


def downgrade() -> None:
    op.drop_index("ix_mentee_ramp_milestones_template", table_name="mentee_ramp_milestones")
    op.drop_index("ix_mentee_ramp_milestones_mentee", table_name="mentee_ramp_milestones")
    op.create_index(
        "ix_mentee_ramp_milestones_mentee",
        "mentee_ramp_milestones",
        ["mentee_user_id", "template_key"],
    )
    op.drop_index("idx_mentorship_sessions", table_name="mentorship_sessions")
    op.create_index(
        "idx_mentorship_sessions", "mentorship_sessions", ["assignment_id", "session_date"]
    )
