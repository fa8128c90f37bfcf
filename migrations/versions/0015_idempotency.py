"""idempotency: Slack deliveries handled once, one 1:1 session a mentorship a day

`handled_interactions` keeps the key of every view submission, button press and event
whose change was saved, inserted in the same transaction as the change: a second
delivery of the same request (Slack retries, a double click) meets the key and changes
nothing. `mentorship_sessions.session_day` carries the day the logger typed, and a unique
index on (assignment_id, session_day) for 1:1 sessions turns the same-day rule from a
read into a constraint. Existing rows get their UTC day; where a mentorship already has
two 1:1 sessions on one day, the later ones keep no day (they stay as they are).

Revision ID: 0015_idempotency
Revises: 0014_curriculum
Create Date: 2026-12-06 07:40:00

"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from models.types import UTCDateTime

revision: str = "0015_idempotency"
down_revision: str | Sequence[str] | None = "0014_curriculum"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "handled_interactions",
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_handled_interactions")),
    )
    op.create_index("ix_handled_interactions_created_at", "handled_interactions", ["created_at"])
    op.add_column("mentorship_sessions", sa.Column("session_day", sa.Date(), nullable=True))
    _backfill_days()
    op.create_index(
        "uq_mentorship_sessions_one_a_day",
        "mentorship_sessions",
        ["assignment_id", "session_day"],
        unique=True,
        postgresql_where=sa.text("group_session_id IS NULL"),
        sqlite_where=sa.text("group_session_id IS NULL"),
    )


def _backfill_days() -> None:
    """Each existing 1:1 session's UTC day, the first of a mentorship's day only."""
    bind = op.get_bind()
    sessions = sa.table(
        "mentorship_sessions",
        sa.column("id", sa.Uuid()),
        sa.column("assignment_id", sa.Uuid()),
        sa.column("session_date", UTCDateTime()),
        sa.column("created_at", UTCDateTime()),
        sa.column("group_session_id", sa.Uuid()),
        sa.column("session_day", sa.Date()),
    )
    rows = bind.execute(
        sa.select(sessions.c.id, sessions.c.assignment_id, sessions.c.session_date)
        .where(sessions.c.group_session_id.is_(None), sessions.c.assignment_id.is_not(None))
        .order_by(sessions.c.session_date, sessions.c.created_at, sessions.c.id)
    )
    taken: set[tuple[object, object]] = set()
    for session_id, assignment_id, when in rows.all():
        if isinstance(when, str):
            when = datetime.fromisoformat(when)
        day = (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC).date()
        if (assignment_id, day) in taken:
            continue
        taken.add((assignment_id, day))
        bind.execute(sa.update(sessions).where(sessions.c.id == session_id).values(session_day=day))


def downgrade() -> None:
    op.drop_index("uq_mentorship_sessions_one_a_day", table_name="mentorship_sessions")
    if op.get_bind().dialect.name == "sqlite":
        # A plain DROP COLUMN: a batch copy of the table would break the views on it.
        op.execute("ALTER TABLE mentorship_sessions DROP COLUMN session_day")
    else:
        op.drop_column("mentorship_sessions", "session_day")
    op.drop_index("ix_handled_interactions_created_at", table_name="handled_interactions")
    op.drop_table("handled_interactions")
