"""What every benchmark does to its PostgreSQL database: make a throw-away one, and
bring data loaded around the app back to the state the app and autovacuum keep."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from bot.services import tallies
from models import ramp_facts
from models.db import make_session_factory
from models.migrate import upgrade


@contextmanager
def throwaway_database(server_url: str, *, keep: bool = False) -> Iterator[str]:
    """A new database on `server_url`'s server, migrated to head; its URL. Dropped at
    the end unless `keep`."""
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    name = f"mentorbot_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(server_url).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        yield url
    finally:
        if not keep:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def recount_derived_columns(engine: sa.Engine) -> None:
    """Rows written directly (COPY, bulk inserts), not through the app: recount what
    the app keeps per mentorship and per milestone, as it does on every write."""
    with make_session_factory(engine)() as db:
        tallies.refresh_tallies(db)
        ramp_facts.refresh(db)
        db.commit()


def vacuum(engine: sa.Engine) -> None:
    """What autovacuum does to a live database after so many rows changed: the
    planner's statistics and the visibility map the index-only scans rely on, rather
    than measuring tables that were only just written."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE"))
