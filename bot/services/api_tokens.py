"""Bearer tokens of the REST API, kept only as hashes.

A person makes their own with `/mentor api-token` and acts through it exactly as in
Slack (`access.py` decides). An operator makes a service token for a system with
`mentorbot api-tokens create --name onboarding --scope assignments:write,...`; it acts
for the program within its scopes and never reads private text."""

from __future__ import annotations

import contextlib
import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.services import access, audit
from bot.services.errors import Conflict, InvalidInput, NotFound
from models import ApiToken, User

#: What a service token may be allowed; a person's token needs none (their rights apply).
SCOPES = {
    "mentors:read": "list mentors and their profiles, and match suggestions",
    "assignments:read": "read mentorships' status (never private text)",
    "assignments:write": "ask a mentor to mentor a new hire",
    "milestones:read": "read ramp milestones",
    "milestones:write": "add ramp milestones and record achievements (system-tracked)",
    "analytics:read": "program analytics, ramp comparison, mentor effectiveness",
    "audit:read": "the audit log",
}
TOKEN_PREFIX = "mbt_"
MAX_TOKENS_PER_PERSON = 10
#: How stale `last_used_at` may get before a request refreshes it (one write per hour,
#: not one per request).
LAST_USED_RESOLUTION = timedelta(hours=1)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,62}$")


@dataclass(frozen=True)
class TokenView:
    id: uuid.UUID
    name: str
    prefix: str
    scopes: list[str]
    personal: bool
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class Issued:
    """The token itself (shown once, never stored) and its row."""

    token: str
    view: TokenView


@dataclass(frozen=True)
class Identity:
    """Who a valid token acts for: a person (`user_id`) or a system (its scopes)."""

    token_id: uuid.UUID
    name: str
    user_id: uuid.UUID | None
    scopes: frozenset[str]

    @property
    def client(self) -> str:
        """How audit rows name this client."""
        return f"token:{self.name}" if self.user_id else f"service:{self.name}"


def hash_token(token: str) -> str:
    """The SHA-256 kept for a token (tokens are random, so no salt is needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def parse_scopes(text: str) -> list[str]:
    """`assignments:write,analytics:read` -> the scopes; InvalidInput names unknown ones."""
    wanted = [s.strip() for s in text.split(",") if s.strip()]
    unknown = [s for s in wanted if s not in SCOPES]
    if unknown or not wanted:
        raise InvalidInput(
            {
                "scope": f"Unknown scope {', '.join(unknown)}. "
                if unknown
                else f"Give a scope. Choose from: {', '.join(sorted(SCOPES))}."
            }
        )
    return list(dict.fromkeys(wanted))


def issue_personal(db: Session, *, user_id: uuid.UUID, name: str | None, now: datetime) -> Issued:
    """A new token acting as this person (their Slack rights, nothing more)."""
    user = access.load_user(db, user_id)
    live = db.scalar(
        sa.select(sa.func.count())
        .select_from(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    )
    if (live or 0) >= MAX_TOKENS_PER_PERSON:
        raise Conflict(
            f"You have {live} live API tokens already. Revoke one with "
            "`/mentor api-token revoke NAME` first."
        )
    return _issue(
        db, name=name or f"{user.name} token", user_id=user.id, scopes=[], by=user.id, now=now
    )


def issue_service(
    db: Session, *, name: str, scopes: list[str], now: datetime, by: uuid.UUID | None = None
) -> Issued:
    """A new service token for a system, limited to `scopes`. Conflict when a live
    service token has this name already."""
    taken = db.scalar(
        sa.select(ApiToken.id).where(
            ApiToken.name == name, ApiToken.user_id.is_(None), ApiToken.revoked_at.is_(None)
        )
    )
    if taken is not None:
        raise Conflict(
            f"A service token named '{name}' exists; revoke it first or pick another name."
        )
    return _issue(db, name=name, user_id=None, scopes=scopes, by=by, now=now)


def _issue(
    db: Session,
    *,
    name: str,
    user_id: uuid.UUID | None,
    scopes: list[str],
    by: uuid.UUID | None,
    now: datetime,
) -> Issued:
    name = name.strip()
    if not _NAME.match(name):
        raise InvalidInput(
            {"name": "Name the token in letters, digits, spaces, dots or dashes (up to 63)."}
        )
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        name=name,
        token_hash=hash_token(token),
        prefix=token[:12],
        user_id=user_id,
        scopes=scopes,
        created_by_user_id=by,
        created_at=now,
    )
    db.add(row)
    db.flush()
    audit.record(
        db,
        actor_id=by,
        action="api_token.created",
        entity_type="api_token",
        entity_id=row.id,
        now=now,
        name=name,
        scopes=scopes,
        personal=user_id is not None,
    )
    return Issued(token, _view(row))


def list_tokens(db: Session, *, user_id: uuid.UUID | None) -> list[TokenView]:
    """A person's tokens (`user_id`), or every service token (None), newest first."""
    owner = ApiToken.user_id == user_id if user_id else ApiToken.user_id.is_(None)
    rows = db.scalars(sa.select(ApiToken).where(owner).order_by(ApiToken.created_at.desc()))
    return [_view(row) for row in rows]


def revoke(
    db: Session, *, user_id: uuid.UUID | None, ref: str, now: datetime, by: uuid.UUID | None = None
) -> TokenView:
    """Revoke a person's token (`user_id`) or a service token (None) by name, prefix or
    id; it stops working at once. Revoking twice changes nothing."""
    ref = ref.strip()
    owner = ApiToken.user_id == user_id if user_id else ApiToken.user_id.is_(None)
    matches = [ApiToken.name == ref, ApiToken.prefix == ref]
    with contextlib.suppress(ValueError):
        matches.append(ApiToken.id == uuid.UUID(ref))
    rows = list(
        db.scalars(
            sa.select(ApiToken)
            .where(owner, sa.or_(*matches))
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())
        )
    )
    if not rows:
        raise NotFound(f"No token called '{ref}'. List them with `list` to see names.")
    row = rows[0]
    if row.revoked_at is None:
        row.revoked_at = now
        db.flush()
        audit.record(
            db,
            actor_id=by or user_id,
            action="api_token.revoked",
            entity_type="api_token",
            entity_id=row.id,
            now=now,
            name=row.name,
        )
    return _view(row)


def authenticate(db: Session, token: str, *, now: datetime) -> Identity | None:
    """Who this bearer token acts for, or None: unknown, revoked, or its person gone."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = db.scalar(sa.select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None:
        return None
    if row.user_id is not None:
        user = db.get(User, row.user_id)
        if user is None or user.deactivated_at is not None:
            return None
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
        row.last_used_at = now
    return Identity(row.id, row.name, row.user_id, frozenset(row.scopes or []))


def _view(row: ApiToken) -> TokenView:
    return TokenView(
        row.id,
        row.name,
        row.prefix,
        list(row.scopes or []),
        row.user_id is not None,
        row.created_at,
        row.last_used_at,
        row.revoked_at,
    )
