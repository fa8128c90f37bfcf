"""sessions: per-mentorship session tallies, and an index of group seats

The program report, the check-in nudges and the mentorship lists each aggregated
every session row; with a million sessions that pass dominated the report. Each
mentorship now carries its attended-session count, its group seats (and how many
were attended) and its latest attended session, recounted from the sessions in
the transaction of every session write (`bot/services/tallies.py`). The existing
rows are recounted here. The partial index lists group seats alone, so counting
the program's distinct group sessions no longer scans every session.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 22:40:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models.types import UTCDateTime

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TALLIES = ("sessions_logged", "group_seats", "group_seats_attended")


def upgrade() -> None:
    with op.batch_alter_table("mentorship_assignments") as batch:
        for name in TALLIES:
            batch.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("last_session_at", UTCDateTime(), nullable=True))
    op.execute(
        """
        UPDATE mentorship_assignments SET
          sessions_logged = (SELECT count(*) FROM mentorship_sessions AS s
                             WHERE s.assignment_id = mentorship_assignments.id AND s.attended),
          group_seats = (SELECT count(*) FROM mentorship_sessions AS s
                         WHERE s.assignment_id = mentorship_assignments.id
                           AND s.group_session_id IS NOT NULL),
          group_seats_attended = (SELECT count(*) FROM mentorship_sessions AS s
                                  WHERE s.assignment_id = mentorship_assignments.id
                                    AND s.group_session_id IS NOT NULL AND s.attended),
          last_session_at = (SELECT max(s.session_date) FROM mentorship_sessions AS s
                             WHERE s.assignment_id = mentorship_assignments.id AND s.attended)
        """
    )
    op.create_index(
        "ix_mentorship_sessions_group",
        "mentorship_sessions",
        ["group_session_id", "assignment_id"],
        postgresql_where=sa.text("group_session_id IS NOT NULL"),
        sqlite_where=sa.text("group_session_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_mentorship_sessions_group", table_name="mentorship_sessions")
    with op.batch_alter_table("mentorship_assignments") as batch:
        batch.drop_column("last_session_at")
        for name in reversed(TALLIES):
            batch.drop_column(name)
