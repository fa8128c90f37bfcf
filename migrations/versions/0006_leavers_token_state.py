"""leavers and a dead token: when each account was last confirmed, and whether Slack
still takes our bot token

`users.profile_checked_at` lets the reminder sweep re-check the people it reminds
once a day (Slack keeps delivering DMs to a deactivated account, so only
`users.info` tells). `slack_token_state` holds, for every replica, the error with
which Slack last refused our token, until a call succeeds again; `/healthz` reads it.

Revision ID: 0006_leavers_token_state
Revises: 0005
Create Date: 2026-12-06 04:40:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.types

revision: str = "0006_leavers_token_state"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("profile_checked_at", models.types.UTCDateTime(timezone=True), nullable=True)
        )
    op.create_table(
        "slack_token_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("refused_error", sa.String(length=64), nullable=True),
        sa.Column("refused_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slack_token_state")),
    )


def downgrade() -> None:
    op.drop_table("slack_token_state")
    if op.get_bind().dialect.name == "sqlite":
        # SQLite drops a column itself (3.35+); a batch copy of `users` would trip the
        # foreign keys of every row that points at a person.
        op.execute("ALTER TABLE users DROP COLUMN profile_checked_at")
    else:
        op.drop_column("users", "profile_checked_at")
