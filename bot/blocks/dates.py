"""The one way a person reads a date or a time in MentorBot, always in their own zone.

A day is "Tue 17 Nov 2026" (weekday, day, month, year: never ambiguous between
countries, never a bare ISO string); a time is "14:30" (24-hour); both together are
"Tue 17 Nov 2026, 14:30". An instant is placed in the reader's timezone before its day
is read, so a session at 23:30 in Chicago is not dated the next day by UTC."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UNKNOWN = "—"


def day(value: date | str | None, missing: str = UNKNOWN) -> str:
    """'Tue 17 Nov 2026' for a date (or an ISO date string, as reminder facts carry
    them); `missing` when there is none."""
    if value is None or value == "":
        return missing
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = value.date()
    return f"{value:%a} {value.day} {value:%b %Y}"


def clock(instant: datetime, zone: ZoneInfo | str | None) -> str:
    """'14:30': the time of `instant` on the reader's clock."""
    return f"{instant.astimezone(reader_zone(zone)):%H:%M}"


def local_day(instant: datetime | str | None, zone: ZoneInfo | str | None) -> str:
    """The day `instant` falls on for the reader ('Tue 17 Nov 2026')."""
    if instant is None or instant == "":
        return UNKNOWN
    if isinstance(instant, str):
        instant = datetime.fromisoformat(instant)
    return day(instant.astimezone(reader_zone(zone)).date())


def moment(instant: datetime, zone: ZoneInfo | str | None) -> str:
    """'Tue 17 Nov 2026, 14:30' on the reader's calendar and clock."""
    return f"{local_day(instant, zone)}, {clock(instant, zone)}"


def reader_zone(zone: ZoneInfo | str | None) -> ZoneInfo:
    """The reader's zone from a ZoneInfo or an IANA name; UTC when unknown."""
    if isinstance(zone, ZoneInfo):
        return zone
    try:
        return ZoneInfo(zone) if zone else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")
