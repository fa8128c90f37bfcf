"""scheduling and questions: sessions scheduled ahead, and mentees' questions to their mentor

`scheduled_sessions` holds each proposal of one to three times, the confirmed time, and
what became of it (held, missed, cancelled, rescheduled); `mentor_questions` holds each
question with its answer and when it came (issue 17). Two new tables, nothing else.

Revision ID: 0010_scheduling_questions
Revises: 0009_interaction_state
Create Date: 2026-12-06 04:20:40

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.types

revision: str = "0010_scheduling_questions"
down_revision: str | Sequence[str] | None = "0009_interaction_state"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mentor_questions",
        sa.Column("id", sa.Uuid(), server_default=models.types.gen_random_uuid(), nullable=False),
        sa.Column("assignment_id", sa.Uuid(), nullable=False),
        sa.Column("asked_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("mentor_user_id", sa.Uuid(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("source_link", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), server_default="open", nullable=False),
        sa.Column("asked_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answered_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            models.types.UTCDateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('open', 'answered', 'deferred')",
            name=op.f("ck_mentor_questions_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["asked_by_user_id"],
            ["users.id"],
            name=op.f("fk_mentor_questions_asked_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["mentorship_assignments.id"],
            name=op.f("fk_mentor_questions_assignment_id_mentorship_assignments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mentor_user_id"], ["users.id"], name=op.f("fk_mentor_questions_mentor_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentor_questions")),
    )
    with op.batch_alter_table("mentor_questions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_mentor_questions_mentor", ["mentor_user_id", "asked_at"], unique=False
        )
        batch_op.create_index(
            "ix_mentor_questions_status_asked", ["status", "asked_at"], unique=False
        )

    op.create_table(
        "scheduled_sessions",
        sa.Column("id", sa.Uuid(), server_default=models.types.gen_random_uuid(), nullable=False),
        sa.Column("assignment_id", sa.Uuid(), nullable=False),
        sa.Column("proposed_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("answer_by_user_id", sa.Uuid(), nullable=False),
        sa.Column(
            "options", models.types.JSONB, server_default=models.types.empty_list(), nullable=False
        ),
        sa.Column("objectives", sa.Text(), nullable=True),
        sa.Column("materials", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), server_default="proposed", nullable=False),
        sa.Column("proposed_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_option_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answered_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("starts_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("duration_minutes", sa.Integer(), nullable=True),
        sa.Column("cancelled_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cancelled_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("missed_by", sa.String(length=10), nullable=True),
        sa.Column("session_id", sa.Uuid(), nullable=True),
        sa.Column("replaces_id", sa.Uuid(), nullable=True),
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
            "missed_by IN ('mentor', 'mentee')", name=op.f("ck_scheduled_sessions_missed_by_known")
        ),
        sa.CheckConstraint(
            "status IN ('proposed', 'cancelled', 'rescheduled') OR (starts_at IS NOT NULL AND duration_minutes IS NOT NULL)",
            name=op.f("ck_scheduled_sessions_scheduled_has_time"),
        ),
        sa.CheckConstraint(
            "status IN ('proposed', 'confirmed', 'held', 'missed', 'cancelled', 'rescheduled')",
            name=op.f("ck_scheduled_sessions_status_known"),
        ),
        sa.CheckConstraint(
            "duration_minutes IS NULL OR duration_minutes BETWEEN 1 AND 480",
            name=op.f("ck_scheduled_sessions_duration_1_480"),
        ),
        sa.ForeignKeyConstraint(
            ["answer_by_user_id"],
            ["users.id"],
            name=op.f("fk_scheduled_sessions_answer_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["mentorship_assignments.id"],
            name=op.f("fk_scheduled_sessions_assignment_id_mentorship_assignments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["cancelled_by_user_id"],
            ["users.id"],
            name=op.f("fk_scheduled_sessions_cancelled_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_user_id"],
            ["users.id"],
            name=op.f("fk_scheduled_sessions_proposed_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["replaces_id"],
            ["scheduled_sessions.id"],
            name=op.f("fk_scheduled_sessions_replaces_id_scheduled_sessions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["mentorship_sessions.id"],
            name=op.f("fk_scheduled_sessions_session_id_mentorship_sessions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_sessions")),
    )
    with op.batch_alter_table("scheduled_sessions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_scheduled_sessions_assignment", ["assignment_id", "status"], unique=False
        )
        batch_op.create_index(
            "ix_scheduled_sessions_status_proposed", ["status", "proposed_at"], unique=False
        )
        batch_op.create_index(
            "ix_scheduled_sessions_status_starts", ["status", "starts_at"], unique=False
        )
        batch_op.create_index(
            "uq_scheduled_sessions_confirmed_time",
            ["assignment_id", "starts_at"],
            unique=True,
            postgresql_where=sa.text("status = 'confirmed'"),
            sqlite_where=sa.text("status = 'confirmed'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("scheduled_sessions", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_scheduled_sessions_confirmed_time",
            postgresql_where=sa.text("status = 'confirmed'"),
            sqlite_where=sa.text("status = 'confirmed'"),
        )
        batch_op.drop_index("ix_scheduled_sessions_status_starts")
        batch_op.drop_index("ix_scheduled_sessions_status_proposed")
        batch_op.drop_index("ix_scheduled_sessions_assignment")

    op.drop_table("scheduled_sessions")
    with op.batch_alter_table("mentor_questions", schema=None) as batch_op:
        batch_op.drop_index("ix_mentor_questions_status_asked")
        batch_op.drop_index("ix_mentor_questions_mentor")

    op.drop_table("mentor_questions")
