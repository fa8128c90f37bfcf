"""Timezone names as people and the roster give them: one check, used by the roster,
profiles, assignments and the program settings."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def is_valid_timezone(name: str) -> bool:
    """True for an IANA timezone name this machine knows (e.g. "Asia/Tokyo")."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def local_today(now: datetime, timezone: str | None) -> date:
    """The date it is for a person in `timezone` (UTC when unknown) at `now`."""
    if timezone and is_valid_timezone(timezone):
        return now.astimezone(ZoneInfo(timezone)).date()
    return now.date()
