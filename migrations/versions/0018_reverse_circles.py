"""reverse mentorship and topic circles

`mentorship_assignments.kind` is 'standard' or 'reverse'.

A reverse mentorship has a newer hire teach a veteran a topic (a tool, a market): it is
recorded like any other, labelled wherever it is shown, and kept apart in the analytics
(out of the ramp comparison and the new-hire coverage). Existing rows are standard.
`topic_circles` and `circle_members`: a mentor hosts a circle on a topic (seats,
cadence); anyone in the program joins or leaves it.

`mentors.reverse_only` marks a profile made for someone who teaches only in reverse
mentorships (they need not meet the tenure rule): never offered as a standard mentor.

Revision ID: 0018_reverse_circles
Revises: 0017_outbox
Create Date: 2026-12-06 08:45:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models.types import UTCDateTime, gen_random_uuid

revision: str = "0018_reverse_circles"
down_revision: str | Sequence[str] | None = "0017_outbox"
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
    op.create_table(
        "topic_circles",
        sa.Column("id", sa.Uuid(), server_default=gen_random_uuid(), nullable=False),
        sa.Column("host_mentor_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=75), nullable=False),
        sa.Column("topic", sa.String(length=75), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("cadence", sa.String(length=50), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="open", nullable=False),
        sa.Column("created_at", UTCDateTime(), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("seats >= 1", name=op.f("ck_topic_circles_seats_from_1")),
        sa.CheckConstraint(
            "status IN ('open', 'closed')", name=op.f("ck_topic_circles_status_known")
        ),
        sa.CheckConstraint(
            "cadence IN ('weekly', 'biweekly', 'monthly')",
            name=op.f("ck_topic_circles_cadence_known"),
        ),
        sa.ForeignKeyConstraint(
            ["host_mentor_id"],
            ["mentors.id"],
            name=op.f("fk_topic_circles_host_mentor_id_mentors"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_topic_circles")),
    )
    op.create_index("ix_topic_circles_host", "topic_circles", ["host_mentor_id"])
    op.create_table(
        "circle_members",
        sa.Column("id", sa.Uuid(), server_default=gen_random_uuid(), nullable=False),
        sa.Column("circle_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("joined_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["circle_id"],
            ["topic_circles.id"],
            name=op.f("fk_circle_members_circle_id_topic_circles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_circle_members_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_circle_members")),
        sa.UniqueConstraint(
            "circle_id", "user_id", name=op.f("uq_circle_members_circle_id_user_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("circle_members")
    op.drop_index("ix_topic_circles_host", table_name="topic_circles")
    op.drop_table("topic_circles")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(
            op.f("ck_mentorship_assignments_kind_known"), "mentorship_assignments", type_="check"
        )
    with op.batch_alter_table("mentorship_assignments", recreate="never") as batch_op:
        batch_op.drop_column("kind")
    with op.batch_alter_table("mentors", recreate="never") as batch_op:
        batch_op.drop_column("reverse_only")
