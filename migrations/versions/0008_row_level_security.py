"""row-level security on the private tables (PostgreSQL), and the session status view

A second wall behind access.py: on PostgreSQL, a transaction that names its acting
person (`SELECT set_config('mentorbot.actor', <user id>, true)`, as the REST API does for
a person's token) sees only the private rows of mentorships that person takes part in:
session notes and action items (`mentorship_sessions`), the mentor's progress notes
(`progress_notes`), milestone submissions and their feedback (`milestone_submissions`).
A transaction that names nobody is the system (Slack listeners after access.py, the
sweep, the command line, analytics aggregates) and sees every row.

`mentorship_session_status` shows the non-private columns of the sessions the acting
person may see the status of (their own, their reports', everyone's for an admin): what
a manager may know of their reports' sessions. SQLite has no row-level security; there
the view is a plain projection and access.py alone decides.

The policies bind only roles that do not own the tables: run the app as such a role
(README, "Two database roles"); `mentorbot db upgrade` grants it what it needs.

Revision ID: 0008_row_level_security
Revises: 0007_api_tokens
Create Date: 2026-12-06 04:50:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008_row_level_security"
down_revision: str | Sequence[str] | None = "0007_api_tokens"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUS_COLUMNS = (
    "id, assignment_id, session_date, duration_minutes, logged_by, attended, "
    "mentee_confidence_before, mentee_confidence_after, session_quality, created_at"
)

FUNCTIONS = [
    # The acting person, or NULL for the system.
    """
    CREATE FUNCTION mentorbot_actor() RETURNS uuid LANGUAGE sql STABLE AS $$
      SELECT NULLIF(current_setting('mentorbot.actor', true), '')::uuid
    $$
    """,
    # access.READ_PRIVATE: the mentor or the mentee of this mentorship.
    """
    CREATE FUNCTION mentorbot_takes_part(assignment uuid) RETURNS boolean
    LANGUAGE sql STABLE AS $$
      SELECT EXISTS (
        SELECT 1 FROM mentorship_assignments a JOIN mentors m ON m.id = a.mentor_id
        WHERE a.id = assignment
          AND (a.mentee_user_id = mentorbot_actor() OR m.user_id = mentorbot_actor()))
    $$
    """,
    # access.READ_NOTES: the mentor of this mentorship.
    """
    CREATE FUNCTION mentorbot_mentors(assignment uuid) RETURNS boolean
    LANGUAGE sql STABLE AS $$
      SELECT EXISTS (
        SELECT 1 FROM mentorship_assignments a JOIN mentors m ON m.id = a.mentor_id
        WHERE a.id = assignment AND m.user_id = mentorbot_actor())
    $$
    """,
    # A milestone's review: the mentee, and a mentor of theirs (milestone_views.list_for).
    """
    CREATE FUNCTION mentorbot_reviews(milestone uuid) RETURNS boolean
    LANGUAGE sql STABLE AS $$
      SELECT EXISTS (
        SELECT 1 FROM mentee_ramp_milestones r
        WHERE r.id = milestone AND r.mentee_user_id = mentorbot_actor())
      OR EXISTS (
        SELECT 1 FROM mentee_ramp_milestones r
        JOIN mentorship_assignments a ON a.mentee_user_id = r.mentee_user_id
        JOIN mentors m ON m.id = a.mentor_id
        WHERE r.id = milestone AND m.user_id = mentorbot_actor()
          AND a.status IN ('active', 'completed'))
    $$
    """,
    # access.VIEW_STATUS: the two of them, an admin, or anyone above the mentee.
    """
    CREATE FUNCTION mentorbot_may_view(assignment uuid) RETURNS boolean
    LANGUAGE sql STABLE AS $$
      SELECT mentorbot_takes_part(assignment)
      OR EXISTS (SELECT 1 FROM users WHERE id = mentorbot_actor() AND is_admin)
      OR EXISTS (
        WITH RECURSIVE above(id, depth) AS (
          SELECT u.manager_id, 1 FROM mentorship_assignments a
          JOIN users u ON u.id = a.mentee_user_id WHERE a.id = assignment
          UNION ALL
          SELECT u.manager_id, above.depth + 1 FROM above JOIN users u ON u.id = above.id
          WHERE above.depth < 50)
        SELECT 1 FROM above WHERE id = mentorbot_actor())
    $$
    """,
]

POLICIES = {
    "mentorship_sessions": "mentorbot_takes_part(assignment_id)",
    "progress_notes": "mentorbot_mentors(assignment_id)",
    "milestone_submissions": "mentorbot_reviews(milestone_id)",
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.execute(
            f"CREATE VIEW mentorship_session_status AS SELECT {STATUS_COLUMNS} "
            "FROM mentorship_sessions"
        )
        return
    for function in FUNCTIONS:
        op.execute(function)
    for table, rule in POLICIES.items():
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        condition = f"mentorbot_actor() IS NULL OR {rule}"
        op.execute(
            f"CREATE POLICY participants ON {table} USING ({condition}) WITH CHECK ({condition})"
        )
    # The view runs with its owner's rights (past the policies), so it filters itself.
    op.execute(
        f"CREATE VIEW mentorship_session_status WITH (security_barrier) AS "
        f"SELECT {STATUS_COLUMNS} FROM mentorship_sessions "
        "WHERE mentorbot_actor() IS NULL OR mentorbot_may_view(assignment_id)"
    )


def downgrade() -> None:
    op.execute("DROP VIEW mentorship_session_status")
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in POLICIES:
        op.execute(f"DROP POLICY participants ON {table}")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    for name in ("may_view", "reviews", "mentors", "takes_part", "actor"):
        args = "()" if name == "actor" else "(uuid)"
        op.execute(f"DROP FUNCTION mentorbot_{name}{args}")
