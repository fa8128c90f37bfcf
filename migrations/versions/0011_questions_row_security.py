"""row-level security on mentees' questions (PostgreSQL)

A question to the mentor and its answer are private to the pair, like session notes
(issue 17): the same policy as `mentorship_sessions` (0008), so a transaction naming its
acting person sees only the questions of mentorships that person takes part in.

Revision ID: 0011_questions_row_security
Revises: 0010_scheduling_questions
Create Date: 2026-12-06 06:25:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011_questions_row_security"
down_revision: str | Sequence[str] | None = "0010_scheduling_questions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONDITION = "mentorbot_actor() IS NULL OR mentorbot_takes_part(assignment_id)"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE mentor_questions ENABLE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY participants ON mentor_questions USING ({CONDITION}) "
        f"WITH CHECK ({CONDITION})"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP POLICY participants ON mentor_questions")
    op.execute("ALTER TABLE mentor_questions DISABLE ROW LEVEL SECURITY")
