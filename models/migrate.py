"""Alembic, driven from code so `mentorbot db upgrade` works from any folder."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from models.db import make_engine, normalize_url

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(database_url: str) -> Config:
    """An Alembic Config pointing at our migrations and at `database_url`."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser treats % as interpolation; URLs may contain it (encoded passwords).
    config.set_main_option("sqlalchemy.url", normalize_url(database_url).replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Apply migrations up to `revision` (`alembic upgrade head`)."""
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    """Revert migrations down to `revision`."""
    command.downgrade(alembic_config(database_url), revision)


def pending_revisions(database_url: str) -> list[str]:
    """Revisions not yet applied to the database, newest first (empty at head)."""
    script = ScriptDirectory.from_config(alembic_config(database_url))
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_heads()
    finally:
        engine.dispose()
    if set(current) == set(script.get_heads()):
        return []
    return [rev.revision for rev in script.iterate_revisions("heads", current or "base")]


class RoleProblem(Exception):
    """The app role can't be used as one (missing, a superuser, or the tables' owner)."""


def grant_app_role(database_url: str, role: str) -> None:
    """Give the app's role what `serve` needs and nothing more: use the tables, never own
    them, so the row-level-security policies bind it (PostgreSQL; SQLite has no roles)."""
    engine = make_engine(database_url)
    try:
        if engine.dialect.name != "postgresql":
            return
        with engine.begin() as connection:
            found = connection.execute(
                sa.text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :r"),
                {"r": role},
            ).first()
            if found is None:
                raise RoleProblem(f"there is no database role '{role}': create it first")
            if found.rolsuper or found.rolbypassrls:
                raise RoleProblem(
                    f"'{role}' is a superuser (or bypasses row-level security): the app "
                    "must run as a plain role"
                )
            owner = connection.scalar(
                sa.text("SELECT tableowner FROM pg_tables WHERE tablename = 'mentorship_sessions'")
            )
            if owner == role:
                raise RoleProblem(
                    f"'{role}' owns the tables (it ran the migrations): give the app another role"
                )
            quoted = connection.dialect.identifier_preparer.quote(role)
            for grant in (
                f"GRANT USAGE ON SCHEMA public TO {quoted}",
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}",
                f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}",
                f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {quoted}",
            ):
                connection.execute(sa.text(grant))
    finally:
        engine.dispose()
