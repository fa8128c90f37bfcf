"""What every listener needs besides the Slack payload: settings, the database, the clock."""

from __future__ import annotations

import threading
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
    #: The reads of the Slack request this runtime serves (see `for_request`), None
    #: elsewhere.
    request_reads: RequestReads | None = None

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
        if self.request_reads is not None:
            # A thread holds one connection at a time, and nothing read before a write
            # is taken for what the database holds after it.
            self.request_reads.release()
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
        nothing through it; writes go through `db`. In a runtime made `for_request`,
        the request's first such block continues its middleware's reads (`RequestReads`)."""
        reads = self.request_reads
        lent = reads.take() if reads is not None else None
        if lent is None or reads is None:
            with self.session_factory(bind=self._autocommit) as session:
                yield session
            return
        try:
            yield lent
        finally:
            reads.give_back()

    @contextmanager
    def reading_on_the_way(self) -> Iterator[Session]:
        """`reading`, for a middleware on a Slack request's way to its listener: in a
        runtime made `for_request`, the session stays open after the block for the
        listener's first `reading` block (closed at the request's end if none comes)."""
        if self.request_reads is None:
            with self.reading() as session:
                yield session
            return
        try:
            yield self.request_reads.session()
        except BaseException:
            self.request_reads.release()
            raise
        self.request_reads.keep_rows()

    @cached_property
    def _autocommit(self) -> Engine:
        return self.session_factory.kw["bind"].execution_options(isolation_level="AUTOCOMMIT")

    def for_delivery(self, key: str) -> Runtime:
        """This runtime for one Slack request whose change must be made once, however
        often Slack delivers it (`key`: idempotency.delivery_key)."""
        return replace(self, claim=idempotency.Claim(key, self.now()))

    def for_request(self) -> Runtime:
        """This runtime for one Slack request served start to finish on this thread
        (middleware, then listener): its reads up to the listener's first `reading`
        block share one session (`RequestReads`). Call `end_request` when it is served."""
        return replace(self, request_reads=RequestReads(self._reading_session))

    def end_request(self) -> None:
        """The request this runtime was made `for_request` is served: its connection
        goes back to the pool if nothing gave it back yet."""
        if self.request_reads is not None:
            self.request_reads.release()

    def _reading_session(self) -> Session:
        return self.session_factory(bind=self._autocommit)

    def now(self) -> datetime:
        """The current instant, aware UTC. Edges read the clock; services get it passed in."""
        return self.clock()


class RequestReads:
    """The reads of one Slack request on its way to its listener (who asks; whether
    the delivery was handled) and its listener's first `reading` block, on one
    session: one pool check-out (and one ping) instead of one each, and the listener
    finds the asker in the session's identity map instead of reading them again.

    Only on the thread that serves the request. The session goes back at the end of
    that block, before the request's first write (`Runtime.db`: a thread holds one
    connection at a time, and no row read before a write is used after it) or at the
    request's end, whichever comes first: what the listener then waits on (Slack)
    holds no connection."""

    def __init__(self, open_session: Callable[[], Session]) -> None:
        self._open = open_session
        self._thread = threading.get_ident()
        self._session: Session | None = None
        self._in_use = False
        #: The rows read so far: a session holds its rows only while something else does.
        self._rows: list[object] = []

    def session(self) -> Session:
        """The session the middleware reads through, opened at the first call."""
        if self._session is None:
            self._session = self._open()
        return self._session

    def keep_rows(self) -> None:
        """Keep what the session has read in it for the listener (the asker's row)."""
        if self._session is not None:
            self._rows = list(self._session.identity_map.values())

    def take(self) -> Session | None:
        """The session for the listener's first `reading` block (then `give_back`),
        or None: none is open, it is in use, or this is another thread."""
        if self._session is None or self._in_use or threading.get_ident() != self._thread:
            return None
        self._in_use = True
        return self._session

    def give_back(self) -> None:
        """The block that took the session is done: it is closed, the connection
        returned."""
        self._in_use = False
        self.release()

    def release(self) -> None:
        """Close the session unless a block is using it or this is another thread."""
        if self._session is None or self._in_use or threading.get_ident() != self._thread:
            return
        session, self._session = self._session, None
        self._rows = []
        session.close()


def clock_starting_at(start: datetime) -> Callable[[], datetime]:
    """A clock that reads `start` now and runs on at the real rate: what `--now` means
    for a process that keeps running (`mentorbot scheduler --now`), so a rehearsal or
    a test can say what time it is without touching the machine's clock."""
    started = time.monotonic()
    return lambda: start + timedelta(seconds=time.monotonic() - started)
