"""The database connections every request, the sweep and the API read through."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from bot.sweep_claims import claim_due
from bot.testing.harness import ServedApp
from models.db import make_engine


def _setting(engine: sa.Engine, name: str) -> str:
    with engine.connect() as conn:
        return str(conn.execute(sa.text(f"SHOW {name}")).scalar_one())


def test_postgres_connections_run_without_jit(served: ServedApp, backend: str) -> None:
    """PostgreSQL's JIT compiles any query the planner prices high, which a bot's short
    reads over a large program are: seconds of compiling for milliseconds of work. It is
    off on every connection the app's engine opens, however it came to be opened."""
    if backend != "postgresql":
        pytest.skip("JIT is PostgreSQL's")
    engine = served.runtime.session_factory.kw["bind"]
    assert _setting(engine, "jit") == "off"
    # A rolled-back transaction keeps it (it is set on the connection, not in one).
    with engine.connect() as conn:
        conn.execute(sa.text("SELECT 1"))
        conn.rollback()
        assert conn.execute(sa.text("SHOW jit")).scalar_one() == "off"
    # A connection opened after the pool was emptied (a restarted database) too.
    engine.dispose()
    assert _setting(engine, "jit") == "off"


def test_an_operators_options_in_the_url_still_apply(database_url: str, backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("libpq's options are PostgreSQL's")
    engine = make_engine(f"{database_url}?options=-c%20work_mem%3D8MB")
    try:
        assert (_setting(engine, "work_mem"), _setting(engine, "jit")) == ("8MB", "off")
    finally:
        engine.dispose()


def test_the_sweep_plans_each_statement_for_its_values_and_requests_keep_theirs(
    served: ServedApp, backend: str, clock
) -> None:  # type: ignore[no-untyped-def]
    """psycopg prepares a statement once it has run five times, and PostgreSQL may then keep
    one plan for any values; a finder's ledger test planned so compared every candidate
    with every ledger row (a pooled connection's sixth sweep took 5 s instead of 1.2 s
    in bench.sweep). The sweep's transaction plans each statement anew; requests, whose
    short reads gain from a kept plan, are left as they were."""
    if backend != "postgresql":
        pytest.skip("plan caching is PostgreSQL's")
    with served.runtime.session_factory() as db:
        claim_due(db, now=clock[0])
        assert db.execute(sa.text("SHOW plan_cache_mode")).scalar_one() == "force_custom_plan"
        db.commit()
        assert db.execute(sa.text("SHOW plan_cache_mode")).scalar_one() == "auto"
