"""Whether Slack takes our bot token, kept in the database so every replica (and
`/healthz` on each of them) sees the same answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from bot.services import audit
from models import SlackTokenState
from models.slack_token import THE_TOKEN


@dataclass(frozen=True)
class Refusal:
    """Slack refused our token with `error` (or told us so with an event) at `since`."""

    error: str
    since: datetime


def refuse(db: Session, *, error: str, now: datetime) -> bool:
    """Record that Slack refused our token. True when it was taken until now (the
    caller logs the news once); a refusal already recorded keeps its first time."""
    if current(db) is not None:
        return False
    if not _update(
        db, SlackTokenState.refused_error.is_(None), refused_error=error, refused_at=now
    ):
        try:
            with db.begin_nested():
                db.add(SlackTokenState(id=THE_TOKEN, refused_error=error, refused_at=now))
        except IntegrityError:  # another replica recorded it first
            return False
    audit.record(
        db,
        actor_id=None,
        action="slack.token_refused",
        entity_type="slack_token",
        entity_id=None,
        now=now,
        error=error,
    )
    return True


def accept(db: Session, *, now: datetime) -> bool:
    """A call succeeded: our token works. True when it had been refused until now."""
    if not _update(
        db, SlackTokenState.refused_error.is_not(None), refused_error=None, refused_at=None
    ):
        return False
    audit.record(
        db,
        actor_id=None,
        action="slack.token_accepted",
        entity_type="slack_token",
        entity_id=None,
        now=now,
    )
    return True


def current(db: Session) -> Refusal | None:
    """The refusal in force, or None while Slack takes our token."""
    row = db.execute(
        select(SlackTokenState.refused_error, SlackTokenState.refused_at).where(
            SlackTokenState.id == THE_TOKEN
        )
    ).first()
    if row is None or row.refused_error is None or row.refused_at is None:
        return None
    return Refusal(row.refused_error, row.refused_at)


def _update(db: Session, condition: ColumnElement[bool], **values: object) -> bool:
    """Change the one row where `condition` holds; True when it did."""
    changed = db.execute(
        update(SlackTokenState)
        .where(SlackTokenState.id == THE_TOKEN, condition)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(changed.rowcount)  # type: ignore[attr-defined]
