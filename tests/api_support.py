"""Tokens for API tests, made as `/mentor api-token` and `mentorbot api-tokens` make them."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from bot.services import api_tokens
from bot.testing.people import Person

NOW = datetime(2026, 11, 17, 15, 0, tzinfo=UTC)


def person_token(db: Session, person: Person) -> str:
    """`person`'s own token (their Slack rights)."""
    issued = api_tokens.issue_personal(db, user_id=person.user_id, name=None, now=NOW)
    db.commit()
    return issued.token


def service_token(db: Session, name: str, *scopes: str) -> str:
    """A service token for a system, with these scopes."""
    issued = api_tokens.issue_service(db, name=name, scopes=list(scopes), now=NOW)
    db.commit()
    return issued.token
