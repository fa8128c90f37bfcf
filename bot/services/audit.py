"""The audit trail: one row per state change."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from models import AuditEntry

#: The API client a change comes through (set by the REST API around its transaction).
_api_client: ContextVar[str | None] = ContextVar("mentorbot_api_client", default=None)


@contextmanager
def through_api(client: str) -> Iterator[None]:
    """Audit rows written inside this block name `client` as the way the change came."""
    reset = _api_client.set(client)
    try:
        yield
    finally:
        _api_client.reset(reset)


def record(
    db: Session,
    *,
    actor_id: uuid.UUID | None,
    action: str,
    entity_type: str,
    entity_id: uuid.UUID | str | None,
    now: datetime,
    **details: Any,
) -> None:
    """Write who did what to which entity, in the caller's transaction.

    `details` must hold ids, statuses and counts only, never private text."""
    db.add(
        AuditEntry(
            actor_user_id=actor_id,
            api_client=_api_client.get(),
            action=action,
            entity_type=entity_type,
            entity_id=str(entity_id) if entity_id is not None else None,
            details={k: _jsonable(v) for k, v in details.items()},
            created_at=now,
        )
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, uuid.UUID | datetime):
        return str(value)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value
