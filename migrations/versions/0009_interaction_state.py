"""interaction state: what a Slack button or modal carries by a short key

A button's value holds 2,000 characters and a modal's private metadata 3,000; a
`/mentor match @x focus: ...` naming many skills outgrew both, and the cut JSON no
longer parsed. Such state is now kept here and the button carries its id.

Revision ID: 0009_interaction_state
Revises: 0008_row_level_security
Create Date: 2026-12-06 05:20:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models.types import JSONB, UTCDateTime, gen_random_uuid

revision: str = "0009_interaction_state"
down_revision: str | Sequence[str] | None = "0008_row_level_security"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "interaction_state",
        sa.Column("id", sa.Uuid(), server_default=gen_random_uuid(), nullable=False),
        sa.Column("payload", JSONB, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interaction_state")),
    )
    op.create_index("ix_interaction_state_created_at", "interaction_state", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_interaction_state_created_at", table_name="interaction_state")
    op.drop_table("interaction_state")
