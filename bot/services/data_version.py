"""Has the program's data changed? Every state change writes an audit row in its
transaction, so the audit log tells the data's version: what a cache of figures or
charts is keyed by. Each row says what kind of data it changed (`audit.kind_of`), so a
cache can follow only the kinds it shows: App Home's figures and the kept mentors of
`/mentor match` stay through a morning of first contacts."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from sqlalchemy import Select, func, literal_column, select
from sqlalchemy.orm import Session

from bot.services.audit import PROFILE, PROGRAM
from models import AuditEntry
from models.sql_dates import minutes_before

#: Longer than any transaction that writes audit rows lasts. A row is stamped with
#: its request's time, not its commit's, so a slow change can commit after a newer
#: row: the rows stamped this long before the newest are counted too.
COMMIT_SKEW = timedelta(minutes=10)

#: What figures are counted from (mentorships, sessions, ratings, circles, settings).
FIGURES = (PROGRAM,)
#: Those and the people's names and timezones Slack tells of: what ranks mentors, and
#: what names people beside their figures.
WITH_PROFILES = (PROGRAM, PROFILE)


def data_version(db: Session, kinds: Iterable[str] | None = None) -> str:
    """A string that changes whenever a state change of one of `kinds` (default: any)
    is saved: per kind, the newest audit row's time and how many rows were stamped
    within COMMIT_SKEW of it, so a change that began first and committed last changes
    it too. One statement, two lookups per kind in the audit log's index of (kind,
    time), whatever the size of the program."""
    row = db.execute(_query(tuple(sorted(kinds)) if kinds is not None else None)).one()
    pairs = [(row[i], row[i + 1]) for i in range(0, len(row), 2)]
    if all(newest is None for newest, _ in pairs):
        return "empty"
    return " ".join(
        f"{newest.isoformat()} {recent}" if newest is not None else "-" for newest, recent in pairs
    )


@functools.cache
def _query(kinds: tuple[str, ...] | None) -> Select[Any]:
    """Per kind, the newest row's time and the rows stamped within COMMIT_SKEW of it
    (built once per set of kinds: App Home asks on every open)."""
    skew = literal_column(str(int(COMMIT_SKEW.total_seconds() // 60)))
    columns: list[Any] = []
    for of_kind in [[AuditEntry.kind == kind] for kind in kinds] if kinds is not None else [[]]:
        newest = select(func.max(AuditEntry.created_at)).where(*of_kind).scalar_subquery()
        recent = (
            select(func.count())
            .select_from(AuditEntry)
            .where(*of_kind, AuditEntry.created_at >= minutes_before(newest, skew))
            .scalar_subquery()
        )
        columns += [newest, recent]
    return select(*columns)
