"""What every listener needs besides the Slack payload: settings, the database, the clock."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import cached_property

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.services import idempotency
from models.db import make_engine, make_session_factory, session_scope


@dataclass
class Runtime:
    settings: Settings
    session_factory: sessionmaker[Session]
    #: The clock; tests and the demo replace it to move through weeks in seconds.
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    #: The Slack delivery this runtime serves (see `for_delivery`), None elsewhere.
    claim: idempotency.Claim | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Runtime:
        # Work threads mostly wait on Slack, holding no connection meanwhile; at a peak
        # as many connections again may open, and a thread waits at most 10 s for one.
        size = settings.mentorbot_db_pool_size
        engine = make_engine(
            settings.database_url, pool_size=size, max_overflow=size, pool_timeout=10
        )
        return cls(settings, make_session_factory(engine))

    @contextmanager
    def db(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back on error. In a
        runtime made `for_delivery`, the first transaction that writes also records the
        delivery, and AlreadyHandled says another delivery of it got there first."""
        if self.claim is not None:
            with idempotency.transaction(self.session_factory, self.claim) as session:
                yield session
            return
        with session_scope(self.session_factory) as session:
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session that only reads, each statement on its own outside any transaction:
        no BEGIN or COMMIT on the way (the ack's path for a known person). Write
        nothing through it; writes go through `db`."""
        with self.session_factory(bind=self._autocommit) as session:
            yield session

    @cached_property
    def _autocommit(self) -> Engine:
        return self.session_factory.kw["bind"].execution_options(isolation_level="AUTOCOMMIT")

    def for_delivery(self, key: str) -> Runtime:
        """This runtime for one Slack request whose change must be made once, however
        often Slack delivers it (`key`: idempotency.delivery_key)."""
        return replace(self, claim=idempotency.Claim(key, self.now()))

    def now(self) -> datetime:
        """The current instant, aware UTC. Edges read the clock; services get it passed in."""
        return self.clock()


def clock_starting_at(start: datetime) -> Callable[[], datetime]:
    """A clock that reads `start` now and runs on at the real rate: what `--now` means
    for a process that keeps running (`mentorbot scheduler --now`), so a rehearsal or
    a test can say what time it is without touching the machine's clock."""
    started = time.monotonic()
    return lambda: start + timedelta(seconds=time.monotonic() - started)
