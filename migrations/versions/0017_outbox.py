"""outbox: every Slack message a change causes, committed with the change

Notifications were posted after the change committed and lost when Slack was down;
they are now saved in the same transaction and posted by a delivery worker that
retries and posts each once (issue 14). A reminder in the ledger whose send may have
reached Slack is marked `in_doubt`, so it is looked up before it is sent again.

Revision ID: 0017_outbox
Revises: 0016_analytics_summary
Create Date: 2026-12-06 07:40:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models.types import JSONB, UTCDateTime, gen_random_uuid

revision: str = "0017_outbox"
down_revision: str | Sequence[str] | None = "0016_analytics_summary"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Uuid(), server_default=gen_random_uuid(), nullable=False),
        sa.Column("purpose", sa.String(50), nullable=False),
        sa.Column("dedupe_key", sa.String(300), nullable=True),
        sa.Column("channel", sa.String(40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("blocks", JSONB, nullable=True),
        sa.Column("status", sa.String(20), server_default="pending", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("in_doubt", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("sent_channel", sa.String(40), nullable=True),
        sa.Column("sent_ts", sa.String(40), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("dedupe_key", name="uq_outbox_dedupe_key"),
    )
    op.create_index("ix_outbox_status_next", "outbox", ["status", "next_attempt_at"])
    # A reminder whose send may have reached Slack (its sweep died, or Slack timed out):
    # the next sweep looks for it in Slack before sending it again.
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(
            sa.Column("in_doubt", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("in_doubt")
    op.drop_index("ix_outbox_status_next", table_name="outbox")
    op.drop_table("outbox")
