"""the completion feedback in its own table, private to the pair (PostgreSQL)

A mentorship's `completion_notes`, `mentor_feedback` and `mentee_feedback` move from
`mentorship_assignments` to `mentorship_feedback`, one row per mentorship and kind, so
the session notes' row-level-security policy (0008) covers them: a transaction naming
its acting person sees only the feedback of mentorships that person takes part in.
The text already written moves with it, both ways.

Revision ID: 0012_feedback_privacy
Revises: 0011_questions_row_security
Create Date: 2026-12-06 07:40:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.types

revision: str = "0012_feedback_privacy"
down_revision: str | Sequence[str] | None = "0011_questions_row_security"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONDITION = "mentorbot_actor() IS NULL OR mentorbot_takes_part(assignment_id)"
#: Each kind, and who wrote the text already there (NULL: how it ended, the system's).
AUTHORS = {
    "completion_notes": "NULL",
    "mentor_feedback": "(SELECT m.user_id FROM mentors m WHERE m.id = a.mentor_id)",
    "mentee_feedback": "a.mentee_user_id",
}


def upgrade() -> None:
    op.create_table(
        "mentorship_feedback",
        sa.Column("id", sa.Uuid(), server_default=models.types.gen_random_uuid(), nullable=False),
        sa.Column("assignment_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("author_user_id", sa.Uuid(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            models.types.UTCDateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            models.types.UTCDateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('completion_notes', 'mentor_feedback', 'mentee_feedback')",
            name=op.f("ck_mentorship_feedback_kind_known"),
        ),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["mentorship_assignments.id"],
            name=op.f("fk_mentorship_feedback_assignment_id_mentorship_assignments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_user_id"],
            ["users.id"],
            name=op.f("fk_mentorship_feedback_author_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentorship_feedback")),
        sa.UniqueConstraint(
            "assignment_id", "kind", name=op.f("uq_mentorship_feedback_assignment_id_kind")
        ),
    )
    for kind, author in AUTHORS.items():
        op.execute(
            "INSERT INTO mentorship_feedback (assignment_id, kind, author_user_id, body, "
            f"created_at, updated_at) SELECT a.id, '{kind}', {author}, a.{kind}, "
            f"a.updated_at, a.updated_at FROM mentorship_assignments a "
            f"WHERE a.{kind} IS NOT NULL"
        )
    # In place (SQLite 3.35+ drops and adds columns natively): rebuilding the table would
    # cascade-delete its sessions, questions and feedback under foreign_keys=ON.
    with op.batch_alter_table("mentorship_assignments", recreate="never") as batch_op:
        for kind in AUTHORS:
            batch_op.drop_column(kind)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE mentorship_feedback ENABLE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY participants ON mentorship_feedback USING ({CONDITION}) "
            f"WITH CHECK ({CONDITION})"
        )


def downgrade() -> None:
    # In place (SQLite 3.35+ drops and adds columns natively): rebuilding the table would
    # cascade-delete its sessions, questions and feedback under foreign_keys=ON.
    with op.batch_alter_table("mentorship_assignments", recreate="never") as batch_op:
        for kind in AUTHORS:
            batch_op.add_column(sa.Column(kind, sa.Text(), nullable=True))
    for kind in AUTHORS:
        op.execute(
            f"UPDATE mentorship_assignments SET {kind} = (SELECT f.body FROM "
            "mentorship_feedback f WHERE f.assignment_id = mentorship_assignments.id "
            f"AND f.kind = '{kind}')"
        )
    # Dropping the table drops its policy with it.
    op.drop_table("mentorship_feedback")
