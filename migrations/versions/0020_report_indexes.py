"""analytics: indexes for the program report's monthly series and reverse count

The program report counts the sessions attended in each of the last twelve months.
Ordered by mentorship, the existing session index makes that a walk over every
session with a month worked out per row; a partial index of the attended sessions of
a mentorship, by date, makes each month one range of it, counted index-only.

It also counts the reverse mentorships that ran or run: a partial index of the
reverse ones by status answers that without scanning every mentorship.

Revision ID: 0020_report_indexes
Revises: 0019_circle_sessions
Create Date: 2026-12-06 11:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020_report_indexes"
down_revision: str | Sequence[str] | None = "0019_circle_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (index, table, column, the rows it holds)
INDEXES = [
    (
        "ix_mentorship_sessions_attended_date",
        "mentorship_sessions",
        "session_date",
        "attended AND assignment_id IS NOT NULL",
    ),
    ("ix_mentorship_assignments_reverse", "mentorship_assignments", "status", "kind = 'reverse'"),
]


def upgrade() -> None:
    for name, table, column, rows in INDEXES:
        op.create_index(
            name,
            table,
            [column],
            postgresql_where=sa.text(rows),
            sqlite_where=sa.text(rows),
        )


def downgrade() -> None:
    for name, table, _column, _rows in reversed(INDEXES):
        op.drop_index(name, table_name=table)
