"""Who a transaction acts for, beside the arguments: the person behind an API request.

Read by the PostgreSQL row-level-security hook (models/rls.py) at the start of each
transaction; None is the system (Slack listeners check rights in access.py, the sweep,
the command line)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

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
