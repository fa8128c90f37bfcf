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

from sqlalchemy import ColumnElement, Select, bindparam, func, select
from sqlalchemy.orm import Session

from bot.services.audit import PROFILE, PROGRAM
from models import AuditEntry

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
    it too. Two statements, each one lookup per kind in the audit log's index of
    (kind, time), whatever the size of the program."""
    newest_query, recent_query = _queries(tuple(sorted(kinds)) if kinds is not None else None)
    newest = db.execute(newest_query).one()
    if all(n is None for n in newest):
        return "empty"
    # A kind with no row yet counts nothing (a comparison with NULL holds for no row).
    since = {f"since_{i}": n - COMMIT_SKEW if n is not None else None for i, n in enumerate(newest)}
    recent = db.execute(recent_query, since).one()
    return " ".join(
        f"{n.isoformat()} {count}" if n is not None else "-"
        for n, count in zip(newest, recent, strict=True)
    )


@functools.cache
def _queries(kinds: tuple[str, ...] | None) -> tuple[Select[Any], Select[Any]]:
    """The newest row's time per kind, and the rows since a time per kind, each in one
    statement (built once per set of kinds: App Home asks on every open)."""
    of_kind: list[list[ColumnElement[bool]]] = (
        [[AuditEntry.kind == kind] for kind in kinds] if kinds is not None else [[]]
    )
    newest = select(
        *(select(func.max(AuditEntry.created_at)).where(*f).scalar_subquery() for f in of_kind)
    )
    recent = select(
        *(
            select(func.count())
            .select_from(AuditEntry)
            .where(*f, AuditEntry.created_at >= bindparam(f"since_{i}", required=True))
            .scalar_subquery()
            for i, f in enumerate(of_kind)
        )
    )
    return newest, recent
