"""analytics: indexes that let the ramp report merge instead of hash

The ramp report folds every hire's milestones in user order, then needs each
hire's hire date and whether they were mentored. With the hire date beside the
user id, and the status carried in the PRD's mentee index, PostgreSQL reads both
index-only in the same user order and merges them with the folded milestones,
instead of hashing every user and probing every mentorship for each hire. SQLite
ignores INCLUDE and keeps the mentee index as it was.

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
    op.create_index("ix_users_id_hire_date", "users", ["id", "hire_date"])
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
    op.drop_index("ix_users_id_hire_date", table_name="users")
