"""ramp templates the program lead edits: skill, how verified, versions; LMS trainings

`milestone_templates` gains `skill`, `verification` (how a milestone is meant to be
verified) and `version` (raised when what a hire is given changes); each hire's milestone
remembers the `template_version` it was given, so an edit never rewrites history.
`mentor_trainings.source` tells a training the mentor marked done from one an LMS
export recorded (`mentorbot trainings import`). A database with no templates yet is
seeded with the customer-success ramp the code used to hard-wire (issue 18).

Revision ID: 0013_ramp_templates
Revises: 0012_feedback_privacy
Create Date: 2026-12-06 07:40:00

"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models.milestones import DEFAULT_TEMPLATES

revision: str = "0013_ramp_templates"
down_revision: str | Sequence[str] | None = "0012_feedback_privacy"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("milestone_templates", sa.Column("skill", sa.String(length=100), nullable=True))
    op.add_column(
        "milestone_templates",
        sa.Column(
            "verification", sa.String(length=30), server_default="mentor_verified", nullable=False
        ),
    )
    op.add_column(
        "milestone_templates",
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
    )
    op.add_column(
        "mentee_ramp_milestones", sa.Column("template_version", sa.Integer(), nullable=True)
    )
    op.add_column(
        "mentor_trainings",
        sa.Column("source", sa.String(length=30), server_default="self_report", nullable=False),
    )
    bind = op.get_bind()
    templates = sa.table(
        "milestone_templates",
        sa.column("id", sa.Uuid()),
        sa.column("key", sa.String()),
        sa.column("name", sa.String()),
        sa.column("description", sa.Text()),
        sa.column("days_from_hire", sa.Integer()),
        sa.column("position", sa.Integer()),
        sa.column("is_final", sa.Boolean()),
    )
    if bind.scalar(sa.select(sa.func.count()).select_from(templates)):
        # Hires given milestones before versions existed were given version 1.
        op.execute(
            "UPDATE mentee_ramp_milestones SET template_version = 1 WHERE template_key IS NOT NULL"
        )
        return
    op.bulk_insert(
        templates,
        [
            {
                "id": uuid.uuid4(),
                "key": key,
                "name": name,
                "description": description,
                "days_from_hire": days,
                "position": position,
                "is_final": final,
            }
            for position, (key, name, description, days, final) in enumerate(DEFAULT_TEMPLATES)
        ],
    )


def downgrade() -> None:
    with op.batch_alter_table("mentor_trainings") as batch:
        batch.drop_column("source")
    with op.batch_alter_table("mentee_ramp_milestones") as batch:
        batch.drop_column("template_version")
    with op.batch_alter_table("milestone_templates") as batch:
        batch.drop_column("version")
        batch.drop_column("verification")
        batch.drop_column("skill")
