"""What a served app does meanwhile (statements run, requests handed to Bolt),
counted from the outside."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa

from bot.testing.harness import ServedApp


@contextmanager
def statements_run(served: ServedApp) -> Iterator[list[str]]:
    """Every statement the app runs meanwhile, as one upper-case line each (work
    after an ack included only if the test waits for it: `slack.wait_idle`)."""
    engine = served.runtime.session_factory.kw["bind"]
    seen: list[str] = []

    def record(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        seen.append(" ".join(statement.split()).upper())

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


@contextmanager
def connections_taken(served: ServedApp) -> Iterator[list[int]]:
    """Each connection the app takes from its pool meanwhile (each pinged first on
    PostgreSQL: `pool_pre_ping`), as its DB-API connection's id; work after an ack
    included only if the test waits for it."""
    pool = served.runtime.session_factory.kw["bind"].pool
    taken: list[int] = []

    def record(dbapi_connection: Any, *args: Any) -> None:
        taken.append(id(dbapi_connection))

    sa.event.listen(pool, "checkout", record)
    try:
        yield taken
    finally:
        sa.event.remove(pool, "checkout", record)


#: A statement that reads a person by their roster id (a bound value, not a join): the
#: asker read again after the middleware read them by their Slack id.
BY_ROSTER_ID = re.compile(r"USERS\.ID = (\?|%\()")


@contextmanager
def work_done(served: ServedApp, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, list[Any]]]:
    """The statements the app runs and the requests Bolt is handed meanwhile, the work
    after each ack included."""
    handed: list[Any] = []
    dispatch = served.bolt.dispatch

    def counted(request: Any) -> Any:
        handed.append(request)
        return dispatch(request)

    monkeypatch.setattr(served.bolt, "dispatch", counted)
    with statements_run(served) as seen:
        yield {"statements": seen, "dispatched": handed}
        served.executor.wait_idle()
