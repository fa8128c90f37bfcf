"""Has the program's data changed? Every state change writes an audit row in its
transaction, so the newest audit row's time is the data's version: what a cache of
figures or charts is keyed by."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import AuditEntry

#: Built once (see roster._BY_SLACK_ID): App Home asks on every open.
_NEWEST = select(func.max(AuditEntry.created_at))


def data_version(db: Session) -> str:
    """A string that changes whenever a state change is saved (read from the audit
    log's time index: one index lookup, whatever the size of the program)."""
    newest = db.scalar(_NEWEST)
    return newest.isoformat() if newest is not None else "empty"
