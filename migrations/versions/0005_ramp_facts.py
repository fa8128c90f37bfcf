"""milestones: ramp facts on each template milestone, and the indexes that read them

The ramp comparison pivoted every milestone into one row per hire and joined every
hire to their hire date and mentorships, each time it ran. Each milestone row now
carries its hire's quarter, whether they were mentored, its days from hire, and
whether it is the row counted for its hire and template (and for its hire), recounted
by `models/ramp_facts.py` whenever a source changes. The existing rows are counted
here; the partial indexes hold the counted rows in the order the report groups them.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 09:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FLAGS = ("ramp_mentored", "ramp_counted", "ramp_hire_row")

# The hire's quarter and the days from hire, as each database spells them.
QUARTER = {
    "postgresql": "CAST(date_part('year', {d}) AS INTEGER) * 10"
    " + (CAST(date_part('month', {d}) AS INTEGER) + 2) / 3",
    "sqlite": "CAST(strftime('%Y', {d}) AS INTEGER) * 10"
    " + (CAST(strftime('%m', {d}) AS INTEGER) + 2) / 3",
}
DAYS = {
    "postgresql": "{later} - {earlier}",
    "sqlite": "CAST(julianday({later}) - julianday({earlier}) AS INTEGER)",
}


def upgrade() -> None:
    with op.batch_alter_table("mentee_ramp_milestones") as batch:
        batch.add_column(sa.Column("ramp_cohort", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("ramp_days", sa.Integer(), nullable=True))
        for name in FLAGS:
            batch.add_column(
                sa.Column(name, sa.Boolean(), nullable=False, server_default=sa.false())
            )
    dialect = op.get_bind().dialect.name
    op.execute(
        f"""
        UPDATE mentee_ramp_milestones SET
          ramp_cohort = facts.cohort, ramp_days = facts.days, ramp_mentored = facts.mentored,
          ramp_counted = facts.counted, ramp_hire_row = facts.hire_row
        FROM (
          SELECT m.id,
            {QUARTER[dialect].format(d="u.hire_date")} AS cohort,
            {DAYS[dialect].format(later="m.achieved_date", earlier="u.hire_date")} AS days,
            mentored.user_id IS NOT NULL AS mentored,
            (m.template_key IS NOT NULL AND m.mentee_user_id IS NOT NULL
             AND row_number() OVER (PARTITION BY m.mentee_user_id, m.template_key
                                    ORDER BY m.achieved_date IS NULL, m.achieved_date, m.id) = 1
            ) AS counted,
            (m.template_key IS NOT NULL AND m.mentee_user_id IS NOT NULL
             AND row_number() OVER (PARTITION BY m.mentee_user_id
                                    ORDER BY m.template_key IS NULL, m.id) = 1
            ) AS hire_row
          FROM mentee_ramp_milestones AS m
          LEFT JOIN users AS u ON u.id = m.mentee_user_id
          LEFT JOIN (SELECT DISTINCT mentee_user_id AS user_id FROM mentorship_assignments
                     WHERE status IN ('active', 'completed')) AS mentored
            ON mentored.user_id = m.mentee_user_id
        ) AS facts
        WHERE mentee_ramp_milestones.id = facts.id
        """
    )
    op.create_index(
        "ix_mentee_ramp_milestones_ramp",
        "mentee_ramp_milestones",
        ["template_key", "ramp_cohort", "ramp_mentored", "ramp_days"],
        postgresql_include=["mentee_user_id"],
        postgresql_where=sa.text("ramp_counted"),
        sqlite_where=sa.text("ramp_counted"),
    )
    op.create_index(
        "ix_mentee_ramp_milestones_hires",
        "mentee_ramp_milestones",
        ["ramp_cohort", "ramp_mentored"],
        postgresql_where=sa.text("ramp_hire_row"),
        sqlite_where=sa.text("ramp_hire_row"),
    )


def downgrade() -> None:
    op.drop_index("ix_mentee_ramp_milestones_hires", table_name="mentee_ramp_milestones")
    op.drop_index("ix_mentee_ramp_milestones_ramp", table_name="mentee_ramp_milestones")
    with op.batch_alter_table("mentee_ramp_milestones") as batch:
        for name in reversed(FLAGS):
            batch.drop_column(name)
        batch.drop_column("ramp_days")
        batch.drop_column("ramp_cohort")
