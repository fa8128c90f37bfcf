"""Has the program's data changed? Every state change writes an audit row in its
transaction, so the audit log tells the data's version: what a cache of figures or
charts is keyed by."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from models import AuditEntry

#: Longer than any transaction that writes audit rows lasts. A row is stamped with
#: its request's time, not its commit's, so a slow change can commit after a newer
#: row: the rows stamped this long before the newest are counted too.
COMMIT_SKEW = timedelta(minutes=10)

#: Built once (see roster._BY_SLACK_ID): App Home asks on every open. Both read the
#: audit log's time index only.
_NEWEST = select(func.max(AuditEntry.created_at))
_RECENT = (
    select(func.count())
    .select_from(AuditEntry)
    .where(AuditEntry.created_at >= bindparam("since", required=True))
)


def data_version(db: Session) -> str:
    """A string that changes whenever a state change is saved: the newest audit row's
    time and how many rows were stamped within COMMIT_SKEW of it, so a change that
    began first and committed last changes it too (two lookups in the audit log's
    time index, whatever the size of the program)."""
    newest = db.scalar(_NEWEST)
    if newest is None:
        return "empty"
    recent = db.scalar(_RECENT, {"since": newest - COMMIT_SKEW})
    return f"{newest.isoformat()} {recent}"
