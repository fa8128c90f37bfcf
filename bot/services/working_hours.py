"""The recipient's day: when a reminder may reach a person, in their own timezone.

Working hours and days come from the program settings (default 09:00-17:00,
Monday-Friday); a person's timezone comes from their Slack profile, else the
program's default timezone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.services.program import ProgramConfig


@dataclass(frozen=True)
class WorkingDay:
    """The settings that decide whether now is someone's working time."""

    start_hour: int
    end_hour: int
    work_days: frozenset[int]  # Monday = 0
    default_timezone: str

    @classmethod
    def of(cls, config: ProgramConfig) -> WorkingDay:
        return cls(
            config.work_start_hour,
            config.work_end_hour,
            frozenset(config.work_days),
            config.default_timezone,
        )


@lru_cache(maxsize=512)
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def zone_of(timezone: str | None, day: WorkingDay) -> ZoneInfo:
    """The person's zone; an unknown or missing name falls back to the program default
    (and to UTC if even that is unknown), so a bad profile never stops a reminder."""
    return _zone(timezone or "") or _zone(day.default_timezone) or ZoneInfo("UTC")


def local_date(now: datetime, timezone: str | None, day: WorkingDay) -> date:
    """The calendar date it is for this person at `now`."""
    return now.astimezone(zone_of(timezone, day)).date()


def is_working_time(now: datetime, timezone: str | None, day: WorkingDay) -> bool:
    """True when `now` falls in the person's working hours on one of their working days."""
    local = now.astimezone(zone_of(timezone, day))
    if local.weekday() not in day.work_days:
        return False
    return day.start_hour <= local.hour < day.end_hour


def next_working_start(now: datetime, timezone: str | None, day: WorkingDay) -> datetime:
    """`now` if it is working time for this person, else the start of their next working
    morning (aware UTC). That is when a held reminder goes out."""
    if is_working_time(now, timezone, day):
        return now
    zone = zone_of(timezone, day)
    local = now.astimezone(zone)
    if not day.work_days:
        return now  # no working days configured: nothing to wait for
    for offset in range(8):
        candidate_date = local.date() + timedelta(days=offset)
        if candidate_date.weekday() not in day.work_days:
            continue
        start = datetime.combine(candidate_date, time(day.start_hour), zone)
        if start > local:
            return start.astimezone(UTC)
    raise AssertionError("a working day always comes within a week")  # pragma: no cover
