"""analytics summary: the program-wide figures App Home shows, kept by the sweep

App Home recomputed the mentor ranking and the program's ramp on every open (238 ms
and 59 ms of a mentor's 366 ms home at 100,000 mentees); the sweep now stores them
here and the home reads one row.

Revision ID: 0016_analytics_summary
Revises: 0015_idempotency
Create Date: 2026-12-06 07:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models.types import JSONB, UTCDateTime

revision: str = "0016_analytics_summary"
down_revision: str | Sequence[str] | None = "0015_idempotency"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "analytics_summary",
        sa.Column("key", sa.String(60), nullable=False),
        sa.Column("payload", JSONB, nullable=False),
        sa.Column("computed_at", UTCDateTime(), nullable=False),
        sa.Column("data_version", sa.String(60), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_analytics_summary")),
    )


def downgrade() -> None:
    op.drop_table("analytics_summary")
