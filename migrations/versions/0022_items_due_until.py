"""mentorship_sessions.items_due_until: the latest due date of a session's open items;
scheduled_sessions indexed by the logged session each became

The action-item reminder read every session's items on every sweep (100,000 sessions'
JSON every 5 minutes in the steady state of `bench.sweep`); with this date, indexed, it
reads only sessions with an open item due recently or ahead. Rows written before this
revision get it from their items, by the same rule the app keeps it with.

Deleting a session sets `scheduled_sessions.session_id` to NULL where it points at it;
without an index each deleted session read the whole table (a mentorship deleted with a
hundred sessions, a hundred reads of every scheduled session).

Revision ID: 0022_items_due_until
Revises: 0021_audit_kind
Create Date: 2026-12-07 06:40:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models.sessions import open_items_due_until
from models.types import JSONB

revision: str = "0022_items_due_until"
down_revision: str | Sequence[str] | None = "0021_audit_kind"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 5000


def upgrade() -> None:
    # A plain ADD COLUMN: SQLite's batch mode would copy the table, which a view reads.
    op.add_column("mentorship_sessions", sa.Column("items_due_until", sa.Date()))
    sessions = sa.table(
        "mentorship_sessions",
        sa.column("id", sa.Uuid()),
        sa.column("action_items", JSONB),
        sa.column("items_due_until", sa.Date()),
    )
    bind = op.get_bind()
    update = (
        sa.update(sessions)
        .where(sessions.c.id == sa.bindparam("row_id"))
        .values(items_due_until=sa.bindparam("due"))
    )
    # A batch at a time by id: a program's every session at once would not fit in memory.
    last: object = None
    while True:
        page = sa.select(sessions.c.id, sessions.c.action_items).order_by(sessions.c.id)
        if last is not None:
            page = page.where(sessions.c.id > last)
        rows = bind.execute(page.limit(_BATCH)).all()
        if not rows:
            break
        last = rows[-1][0]
        dated = [
            {"row_id": row_id, "due": due}
            for row_id, items in rows
            if (due := open_items_due_until(items)) is not None
        ]
        if dated:
            bind.execute(update, dated)
    op.create_index(
        "ix_mentorship_sessions_items_due_until",
        "mentorship_sessions",
        ["items_due_until"],
        postgresql_where=sa.text("items_due_until IS NOT NULL"),
        sqlite_where=sa.text("items_due_until IS NOT NULL"),
    )
    op.create_index(
        "ix_scheduled_sessions_session",
        "scheduled_sessions",
        ["session_id"],
        postgresql_where=sa.text("session_id IS NOT NULL"),
        sqlite_where=sa.text("session_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_scheduled_sessions_session", table_name="scheduled_sessions")
    op.drop_index("ix_mentorship_sessions_items_due_until", table_name="mentorship_sessions")
    op.drop_column("mentorship_sessions", "items_due_until")
