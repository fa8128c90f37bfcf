"""curriculum: suggested topics per week of a mentorship, and mentors' own resources

`curriculum_topics` holds the program's suggested topics (with an optional link) for
each week of a mentorship; `mentorship_resources` the resources a mentor shares with
one mentorship (issue 18). Two new tables, nothing else.

Revision ID: 0014_curriculum
Revises: 0013_ramp_templates
Create Date: 2026-12-06 07:45:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.types

revision: str = "0014_curriculum"
down_revision: str | Sequence[str] | None = "0013_ramp_templates"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _created_at() -> sa.Column:
    return sa.Column(
        "created_at",
        models.types.UTCDateTime(timezone=True),
        server_default=sa.func.now(),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "curriculum_topics",
        sa.Column("id", sa.Uuid(), server_default=models.types.gen_random_uuid(), nullable=False),
        sa.Column("week", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), server_default="0", nullable=False),
        sa.Column("title", sa.String(length=75), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        _created_at(),
        sa.CheckConstraint("week >= 1", name=op.f("ck_curriculum_topics_week_from_1")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_curriculum_topics")),
    )
    op.create_index("ix_curriculum_topics_week", "curriculum_topics", ["week", "position"])
    op.create_table(
        "mentorship_resources",
        sa.Column("id", sa.Uuid(), server_default=models.types.gen_random_uuid(), nullable=False),
        sa.Column("assignment_id", sa.Uuid(), nullable=False),
        sa.Column("added_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        _created_at(),
        sa.ForeignKeyConstraint(
            ["added_by_user_id"],
            ["users.id"],
            name=op.f("fk_mentorship_resources_added_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["mentorship_assignments.id"],
            name=op.f("fk_mentorship_resources_assignment_id_mentorship_assignments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentorship_resources")),
    )
    op.create_index("ix_mentorship_resources_assignment", "mentorship_resources", ["assignment_id"])


def downgrade() -> None:
    op.drop_index("ix_mentorship_resources_assignment", table_name="mentorship_resources")
    op.drop_table("mentorship_resources")
    op.drop_index("ix_curriculum_topics_week", table_name="curriculum_topics")
    op.drop_table("curriculum_topics")
