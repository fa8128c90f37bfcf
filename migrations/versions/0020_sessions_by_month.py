"""analytics: attended sessions by date, for the monthly series

The program report counts the sessions attended in each of the last twelve months.
Ordered by mentorship, the existing session index makes that a walk over every
session with a month worked out per row; this partial index holds only attended
sessions of a mentorship, by date, so each month is one range of it, counted
index-only.

Revision ID: 0020_sessions_by_month
Revises: 0019_circle_sessions
Create Date: 2026-12-06 11:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020_sessions_by_month"
down_revision: str | Sequence[str] | None = "0019_circle_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ATTENDED = "attended AND assignment_id IS NOT NULL"


def upgrade() -> None:
    op.create_index(
        "ix_mentorship_sessions_attended_date",
        "mentorship_sessions",
        ["session_date"],
        postgresql_where=sa.text(ATTENDED),
        sqlite_where=sa.text(ATTENDED),
    )


def downgrade() -> None:
    op.drop_index("ix_mentorship_sessions_attended_date", table_name="mentorship_sessions")
