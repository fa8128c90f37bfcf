"""topic circle sessions and their attendance; closed circles keep their history

`circle_sessions`: one row per session a circle's host logs (one a day per circle),
with its duration, topics and notes. `circle_attendance`: one row per member of the
circle when it was logged, attended or not. Kept apart from `mentorship_sessions` so a
circle never counts as a session of the host's mentorships (their milestones, tallies
and completion stay the pairs' own). `topic_circles.closed_at`: when the host closed it.

The notes are the circle's private text: on PostgreSQL, a transaction naming its acting
person sees only the sessions of circles they host or sit in (row-level security, as
the session notes in 0008).

Revision ID: 0019_circle_sessions
Revises: 0018_reverse_circles
Create Date: 2026-12-06 10:40:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models.types import UTCDateTime, gen_random_uuid

revision: str = "0019_circle_sessions"
down_revision: str | Sequence[str] | None = "0018_reverse_circles"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The circle's host or one of its members (current: someone who left no longer reads).
IN_CIRCLE = """
    CREATE FUNCTION mentorbot_in_circle(circle uuid) RETURNS boolean
    LANGUAGE sql STABLE AS $$
      SELECT EXISTS (
        SELECT 1 FROM topic_circles c JOIN mentors m ON m.id = c.host_mentor_id
        WHERE c.id = circle AND m.user_id = mentorbot_actor())
      OR EXISTS (
        SELECT 1 FROM circle_members cm
        WHERE cm.circle_id = circle AND cm.user_id = mentorbot_actor())
    $$
"""
CONDITION = "mentorbot_actor() IS NULL OR mentorbot_in_circle(circle_id)"


def upgrade() -> None:
    with op.batch_alter_table("topic_circles", recreate="never") as batch_op:
        batch_op.add_column(sa.Column("closed_at", UTCDateTime(), nullable=True))
    op.create_table(
        "circle_sessions",
        sa.Column("id", sa.Uuid(), server_default=gen_random_uuid(), nullable=False),
        sa.Column("circle_id", sa.Uuid(), nullable=False),
        sa.Column("session_day", sa.Date(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("topics", sa.String(length=300), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("logged_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTCDateTime(), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint(
            "duration_minutes >= 1", name=op.f("ck_circle_sessions_duration_from_1")
        ),
        sa.ForeignKeyConstraint(
            ["circle_id"],
            ["topic_circles.id"],
            name=op.f("fk_circle_sessions_circle_id_topic_circles"),
        ),
        sa.ForeignKeyConstraint(
            ["logged_by_user_id"],
            ["users.id"],
            name=op.f("fk_circle_sessions_logged_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_circle_sessions")),
        sa.UniqueConstraint(
            "circle_id", "session_day", name=op.f("uq_circle_sessions_circle_id_session_day")
        ),
    )
    op.create_table(
        "circle_attendance",
        sa.Column("id", sa.Uuid(), server_default=gen_random_uuid(), nullable=False),
        sa.Column("circle_session_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("attended", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["circle_session_id"],
            ["circle_sessions.id"],
            name=op.f("fk_circle_attendance_circle_session_id_circle_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_circle_attendance_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_circle_attendance")),
        sa.UniqueConstraint(
            "circle_session_id",
            "user_id",
            name=op.f("uq_circle_attendance_circle_session_id_user_id"),
        ),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(IN_CIRCLE)
        op.execute("ALTER TABLE circle_sessions ENABLE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY participants ON circle_sessions USING ({CONDITION}) "
            f"WITH CHECK ({CONDITION})"
        )


def downgrade() -> None:
    op.drop_table("circle_attendance")
    # Dropping the table drops its policy with it.
    op.drop_table("circle_sessions")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION mentorbot_in_circle(uuid)")
    with op.batch_alter_table("topic_circles", recreate="never") as batch_op:
        batch_op.drop_column("closed_at")
