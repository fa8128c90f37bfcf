"""Who a transaction acts for, beside the arguments: the person behind an API request.

At the start of each transaction on PostgreSQL the person is named to the database
(`mentorbot.actor`), whose row-level-security policies (migration 0008) then show the
transaction only that person's private rows. None is the system: Slack listeners (after
access.py), the sweep, the command line, analytics aggregates."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import Connection, event, text
from sqlalchemy.orm import Session

_person: ContextVar[uuid.UUID | None] = ContextVar("mentorbot_acting_person", default=None)


@contextmanager
def as_person(user_id: uuid.UUID | None) -> Iterator[None]:
    """Transactions begun inside this block act for `user_id` (None: the system)."""
    reset = _person.set(user_id)
    try:
        yield
    finally:
        _person.reset(reset)


def person() -> uuid.UUID | None:
    """The person the current transaction acts for, or None for the system."""
    return _person.get()


@event.listens_for(Session, "after_begin")
def _tell_the_database(session: Session, transaction: Any, connection: Connection) -> None:
    # Only a person is named: a transaction that names nobody is the system.
    person = _person.get()
    if person is not None and connection.dialect.name == "postgresql":
        connection.execute(
            text("SELECT set_config('mentorbot.actor', :person, true)"), {"person": str(person)}
        )
