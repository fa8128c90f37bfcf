"""State a button or modal carries by a short key, kept on the server.

A button's value holds 2,000 characters and a modal's private metadata 3,000; what
may outgrow them (a `focus:` naming many skills) is kept here and the button or
modal carries the key. No audit row: keeping it changes nothing in the program,
it only remembers what a message offered."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.services import audit
from bot.services.errors import NotFound
from models import InteractionState

#: A button older than this finds nothing; Slack's own response_url lasts 30 minutes.
KEEP_FOR = timedelta(days=30)


def keep(db: Session, payload: dict[str, Any], *, now: datetime, actor_id: uuid.UUID) -> str:
    """Store `payload` for `actor_id`'s buttons and return its key (36 characters).
    Payloads past KEEP_FOR are forgotten on the way, so the table holds about a month
    of them; the audit row counts both."""
    pruned = db.execute(
        sa.delete(InteractionState).where(InteractionState.created_at < now - KEEP_FOR)
    )
    row = InteractionState(id=uuid.uuid4(), payload=payload, created_at=now)
    db.add(row)
    db.flush()
    audit.record(
        db,
        actor_id=actor_id,
        action="interaction_state.kept",
        entity_type="interaction_state",
        entity_id=None,  # the kept row and the pruned ones: see the details
        now=now,
        kept=row.id,
        pruned=int(pruned.rowcount or 0),  # type: ignore[attr-defined]
    )
    return str(row.id)


def recall(db: Session, key: str) -> dict[str, Any]:
    """The payload kept under `key`; NotFound, saying what to do, when it is gone."""
    try:
        row = db.get(InteractionState, uuid.UUID(key))
    except ValueError:
        row = None
    if row is None:
        raise NotFound("This button is too old to use now. Run the command again for a fresh one.")
    return dict(row.payload)


def focus_of(db: Session, focus_key: str | None) -> list[str]:
    """The `focus:` skills kept under `focus_key` (none without a key)."""
    return list(recall(db, focus_key).get("focus", [])) if focus_key else []
