"""The mentors `/mentor match` ranks, and the settings it ranks them by, kept in this
process per version of the program's data, so a burst of matches reads the mentors
once instead of once per match.

The key comes from the database, never from this process: every change that can alter
a ranking (capacity taken or given back, a pause, an opt-out, a profile or its
expertise, a new mentor, the settings, a leaver, an import, a timezone from Slack)
writes an audit row in its transaction, so `data_version` moves the moment it commits,
whichever replica made it; a first contact does not (it ranks no mentor differently).
The program's day is part of the key too: a pause ends with the day alone.

Reading every available mentor costs more than a shortlist for one mentee
(`match_candidates`): 2-3x at 10,000 mentors. So the first match after a change ranks
from a shortlist, as ever, and only a second match of the same version reads and keeps
every mentor: a program that changes between any two matches pays two index lookups
more. A program with more than KEEP_AT_MOST available mentors keeps none: each match
ranks from a shortlist, as the ranking benchmark at 10,000 mentors wants."""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.services import program
from bot.services.data_version import WITH_PROFILES, data_version
from bot.services.match_candidates import Candidates, load_candidates
from bot.services.mentors import available_filter
from bot.services.program import ProgramConfig
from models import Mentor

#: Above this many available mentors, reading them all takes longer than the ranking
#: may (bench/match.py): every match ranks from a shortlist.
KEEP_AT_MOST = 2_000

#: Versions kept: the newest, and the one a request begun just before a change still
#: asks for. Each holds one row per available mentor (about 0.6 MB per 1,000).
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
#: The versions matched before, and whether a match of one may read its pool (False:
#: more than KEEP_AT_MOST mentors are available).
_asked: OrderedDict[str, bool] = OrderedDict()
#: The versions whose pool a request is reading: others rank from a shortlist meanwhile,
#: rather than every request of a burst reading every mentor at once.
_reading: set[str] = set()


def current(db: Session, now: datetime) -> Pool | None:
    """The pool for the data `db` sees now: kept, or read (the settings, how many
    mentors may be available, and those mentors) and kept; None when a shortlist
    ranks better (the version's first match, too many mentors, or another request is
    reading them). Only for a session that has written nothing in its transaction:
    what it sees is then what every replica sees."""
    # The version is read first: the rows read after it are at least as new, so a pool
    # is never older than its key.
    version = data_version(db, WITH_PROFILES)
    with _lock:
        kept = _pools.get(version)
        readable = _asked.get(version)  # None: the first match of this version
        _keep(_asked, version, readable is not False)
    if kept is not None and kept.today == program.program_today(now, kept.config):
        return kept
    with _lock:
        if not readable or version in _reading:
            return None
        _reading.add(version)
    try:
        config = program.load(db)
        today = program.program_today(now, config)
        if (db.scalar(_available_count(today)) or 0) > KEEP_AT_MOST:
            with _lock:
                _keep(_asked, version, False)
            return None
        pool = Pool(version, config, today, load_candidates(db, today, {}))
        with _lock:
            _keep(_pools, version, pool)
    finally:
        with _lock:
            _reading.discard(version)
    return pool


@functools.lru_cache(maxsize=4)
def _available_count(today: date) -> sa.Select[tuple[int]]:
    """How many mentors may be available today, at most (capacity not counted): one
    pass over the mentors alone."""
    return (
        sa.select(sa.func.count())
        .select_from(Mentor)
        .where(available_filter(today), Mentor.opted_out_at.is_(None))
    )


def _keep(kept: OrderedDict[str, Any], version: str, value: Any) -> None:
    kept[version] = value
    kept.move_to_end(version)
    while len(kept) > KEPT_VERSIONS:
        kept.popitem(last=False)


def clear() -> None:
    """Forget every pool and version asked for (tests: another test's database may
    share a version)."""
    with _lock:
        _pools.clear()
        _asked.clear()
