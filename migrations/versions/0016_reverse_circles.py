"""reverse mentorship: `mentorship_assignments.kind` is 'standard' or 'reverse'

A reverse mentorship has a newer hire teach a veteran a topic (a tool, a market): it is
recorded like any other, labelled wherever it is shown, and kept apart in the analytics
(out of the ramp comparison and the new-hire coverage). Existing rows are standard.
`mentors.reverse_only` marks a profile made for someone who teaches only in reverse
mentorships (they need not meet the tenure rule): never offered as a standard mentor.

Revision ID: 0016_reverse_circles
Revises: 0015_idempotency
Create Date: 2026-12-06 08:45:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_reverse_circles"
down_revision: str | Sequence[str] | None = "0015_idempotency"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # In place (SQLite 3.35+ adds and drops columns natively): rebuilding either table
    # would cascade-delete the rows that refer to it under foreign_keys=ON.
    with op.batch_alter_table("mentors", recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("reverse_only", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("mentorship_assignments", recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=20), server_default="standard", nullable=False)
        )
    # SQLite can't add a CHECK in place; there the service's `KINDS` check stands alone.
    if op.get_bind().dialect.name == "postgresql":
        op.create_check_constraint(
            op.f("ck_mentorship_assignments_kind_known"),
            "mentorship_assignments",
            "kind IN ('standard', 'reverse')",
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(
            op.f("ck_mentorship_assignments_kind_known"), "mentorship_assignments", type_="check"
        )
    with op.batch_alter_table("mentorship_assignments", recreate="never") as batch_op:
        batch_op.drop_column("kind")
    with op.batch_alter_table("mentors", recreate="never") as batch_op:
        batch_op.drop_column("reverse_only")
