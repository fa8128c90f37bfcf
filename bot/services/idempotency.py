"""Each Slack delivery handled once: a view submission, a button press or an event
whose change was saved leaves its key in `handled_interactions`, inserted in the same
transaction as the change. A second delivery of the same request (Slack retries an
event it thinks was lost, a person double-clicks a slow button, a submission is sent
twice) either finds the key at once or fails to insert it when it commits, so its
whole transaction rolls back: no second row, and AlreadyHandled tells the listener to
stay quiet instead of answering twice.

The key is bound to a request's transactions by `transaction()` (through
`Runtime.db()` of the request's runtime): the first of them that writes anything
claims it; a transaction that fails (a refused form) claims nothing, so the person can
correct the form and send it again."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from models import HandledInteraction
from models.db import session_scope

#: Slack retries an event for about an hour and a double click comes within seconds;
#: a key is kept well past both.
KEEP_FOR = timedelta(days=7)

_CLAIM = "mentorbot_claim"
_WROTE = "mentorbot_wrote"


class AlreadyHandled(Exception):
    """Another delivery of this request has already made its change: this one made none
    and must not answer (the person has had their answer)."""


@dataclass
class Claim:
    """One request's key and whether one of its transactions has committed it."""

    key: str
    #: When the request came (the runtime's clock), stored with the key.
    at: datetime
    held: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


#: Events whose handling may run again without changing anything twice, so that no key
#: is read and checked for them (three reads a delivery): opening App Home publishes a
#: view of saved state, and the first use it makes is made once (`ensure_for` makes
#: only what is missing), as when the person opens it twice.
SAFE_TWICE_EVENTS = frozenset({"app_home_opened"})


def delivery_key(body: dict[str, Any]) -> str | None:
    """The key of a Slack request that may change something, or None for one that
    carries no such key (a slash command: Slack never sends one twice)."""
    kind = body.get("type")
    if kind == "view_submission":
        view = body.get("view") or {}
        if view.get("id") and view.get("hash"):
            return f"view:{view['id']}:{view['hash']}"
    elif kind == "block_actions":
        actions = body.get("actions") or [{}]
        action = actions[0] if isinstance(actions[0], dict) else {}
        user = (body.get("user") or {}).get("id", "")
        if action.get("action_ts"):
            return f"action:{user}:{action.get('action_id', '')}:{action['action_ts']}"
    elif kind in ("message_action", "shortcut"):
        user = (body.get("user") or {}).get("id", "")
        if body.get("action_ts"):
            return f"shortcut:{user}:{body.get('callback_id', '')}:{body['action_ts']}"
    elif kind == "event_callback" and body.get("event_id"):
        event = body.get("event") or {}
        if isinstance(event, dict) and event.get("type") in SAFE_TWICE_EVENTS:
            return None
        return f"event:{body['event_id']}"
    return None


#: Built once (see roster._BY_SLACK_ID): every button press and event asks, and the
#: answer is a yes or no, not a row to load (Session.get builds its query each time).
_HANDLED = sa.select(sa.exists().where(HandledInteraction.key == sa.bindparam("key")))


def handled(db: Session, key: str) -> bool:
    """Whether a delivery with this key has already made its change."""
    return bool(db.scalar(_HANDLED, {"key": key}))


@contextmanager
def transaction(factory: sessionmaker[Session], claim: Claim) -> Iterator[Session]:
    """`session_scope`, for one request: if it writes, the request's key is inserted
    before it commits. AlreadyHandled when another delivery of the request has made its
    change, found at the start, at the commit, or as the reason this one failed."""
    try:
        with session_scope(factory) as db:
            if not claim.held and handled(db, claim.key):
                raise AlreadyHandled(claim.key)
            db.info[_CLAIM] = claim
            yield db
    except AlreadyHandled:
        raise
    except Exception as exc:
        # A twin that committed first may be why this one failed (a state it no longer
        # finds, a unique key, a locked SQLite file): then this one was never needed.
        if not claim.held and _handled_now(factory, claim.key):
            raise AlreadyHandled(claim.key) from exc
        raise


def _handled_now(factory: sessionmaker[Session], key: str) -> bool:
    with session_scope(factory) as db:
        return handled(db, key)


def forget_before(db: Session, now: datetime) -> None:
    """Drop the keys older than KEEP_FOR: no delivery of theirs comes again."""
    db.execute(sa.delete(HandledInteraction).where(HandledInteraction.created_at < now - KEEP_FOR))


@event.listens_for(Session, "after_flush")
def _note_flushed_change(db: Session, _context: Any) -> None:
    if _CLAIM in db.info and (db.new or db.dirty or db.deleted):
        db.info[_WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_change(state: Any) -> None:
    if _CLAIM in state.session.info and (state.is_insert or state.is_update or state.is_delete):
        state.session.info[_WROTE] = True


@event.listens_for(Session, "before_commit")
def _insert_key(db: Session) -> None:
    claim: Claim | None = db.info.get(_CLAIM)
    if claim is None or claim.held:
        return
    db.flush()
    if not db.info.get(_WROTE):
        # Nothing to save, perhaps because a twin delivery saved it a moment ago: then
        # this one must not answer as if it had done the work.
        if handled(db, claim.key):
            raise AlreadyHandled(claim.key)
        return
    try:
        # A Core insert, so the key goes in now, after the change and last of all:
        # a unique-key failure here can only be the twin's key.
        db.execute(sa.insert(HandledInteraction).values(key=claim.key, created_at=claim.at))
    except IntegrityError as exc:
        raise AlreadyHandled(claim.key) from exc
    forget_before(db, claim.at)
    db.info["mentorbot_claiming"] = True


@event.listens_for(Session, "after_commit")
def _mark_held(db: Session) -> None:
    claim: Claim | None = db.info.get(_CLAIM)
    if claim is not None and db.info.pop("mentorbot_claiming", False):
        with claim._lock:
            claim.held = True
