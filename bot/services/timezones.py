"""Timezone names as people and the roster give them: one check, used by the roster,
profiles, assignments and the program settings."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def is_valid_timezone(name: str) -> bool:
    """True for an IANA timezone name this machine knows (e.g. "Asia/Tokyo")."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
