"""The mentors `/mentor match` ranks, and the settings it ranks them by, kept in this
process per version of the program's data, so a burst of matches reads the mentors
once instead of once per match.

The key comes from the database, never from this process: every change that can alter
a ranking (capacity taken or given back, a pause, an opt-out, a profile or its
expertise, a new mentor, the settings, a leaver, an import) writes an audit row in its
transaction, so `data_version` moves the moment it commits, whichever replica made
it. The program's day is part of the key too: a pause ends with the day alone."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.services import program
from bot.services.analytics.version import data_version
from bot.services.match_candidates import Candidates, load_candidates
from bot.services.program import ProgramConfig

#: Versions kept: the newest, and the one a request begun just before a change still
#: asks for. Each holds one row per available mentor (about 0.5 MB per 1,000).
KEPT_VERSIONS = 2


@dataclass(frozen=True)
class Pool:
    """Every mentor available on the program's `today`, with the settings in force,
    as of one version of the data. Shared between requests: read it, never change it."""

    version: str
    config: ProgramConfig
    today: date
    #: Without `offers`: `candidates.for_vocabulary` adds a mentee's.
    candidates: Candidates


_lock = threading.Lock()
_pools: OrderedDict[str, Pool] = OrderedDict()


def current(db: Session, now: datetime) -> Pool:
    """The pool for the data `db` sees now: kept, or read (the settings and every
    available mentor, in two statements) and kept. Only for a session that has written
    nothing in its transaction: what it sees is then what every replica sees."""
    # The version is read first: the rows read after it are at least as new, so a pool
    # is never older than its key.
    version = data_version(db)
    with _lock:
        kept = _pools.get(version)
    if kept is not None and kept.today == program.program_today(now, kept.config):
        return kept
    config = program.load(db)
    today = program.program_today(now, config)
    pool = Pool(version, config, today, load_candidates(db, today, {}))
    with _lock:
        _pools[version] = pool
        _pools.move_to_end(version)
        while len(_pools) > KEPT_VERSIONS:
            _pools.popitem(last=False)
    return pool


def clear() -> None:
    """Forget every pool (tests: another test's database may share a version)."""
    with _lock:
        _pools.clear()
