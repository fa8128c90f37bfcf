"""assignments: the PRD's mentee index carries the status

Who has been mentored, and who has an open mentorship, are asked of every hire by
the analytics (coverage) and of each hire whose ramp facts are recounted. With the
status beside the mentee in the PRD's `idx_mentorship_assignments_mentee` (same key
column), PostgreSQL answers from the index alone. SQLite ignores INCLUDE and keeps
the index as it was.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 08:40:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("idx_mentorship_assignments_mentee", table_name="mentorship_assignments")
    op.create_index(
        "idx_mentorship_assignments_mentee",
        "mentorship_assignments",
        ["mentee_user_id"],
        postgresql_include=["status"],
    )


def downgrade() -> None:
    op.drop_index("idx_mentorship_assignments_mentee", table_name="mentorship_assignments")
    op.create_index(
        "idx_mentorship_assignments_mentee", "mentorship_assignments", ["mentee_user_id"]
    )
