"""A proposed session time as people type it and see it: one to three options of date,
time (the proposer's timezone) and duration, checked field by field; and a time placed
in the viewer's timezone, marked when it falls outside their working hours."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.services import inputs
from bot.services.errors import InvalidInput
from bot.services.working_hours import WorkingDay, is_working_time, zone_of

MAX_OPTIONS = 3
MAX_MINUTES = 8 * 60
DEFAULT_MINUTES = 45


@dataclass(frozen=True)
class OptionInput:
    """One proposed time as typed: a day, a time of day (the proposer's) and minutes."""

    day: object = None
    time: object = None
    minutes: object = None

    @property
    def blank(self) -> bool:
        return not any(str(v or "").strip() for v in (self.day, self.time))


def option_field(index: int, what: str) -> str:
    """The modal's block id of option `index` (1-3): "day1", "time2", "minutes3"."""
    return f"{what}{index}"


# -- proposing --------------------------------------------------------------------------------
def parse_options(
    options: list[OptionInput], tz: object, now: datetime
) -> list[tuple[datetime, int]]:
    """The proposed starts (UTC) and durations, typed in `tz`. InvalidInput names each bad
    field: a time in the past or twice, a duration of 0 or over 8 hours, more than three
    times, none at all."""
    errors: dict[str, str] = {}
    if len(options) > MAX_OPTIONS:
        raise InvalidInput(
            {option_field(MAX_OPTIONS, "day"): f"Propose at most {MAX_OPTIONS} times."}
        )
    starts: list[tuple[datetime, int]] = []
    for index, option in enumerate(options, start=1):
        if index > 1 and option.blank:
            continue
        day_field, time_field = option_field(index, "day"), option_field(index, "time")
        day = inputs.parse_day(option.day, day_field, errors, what="a date")
        at = inputs.parse_time(option.time, time_field, errors)
        if at is None and time_field not in errors:
            errors[time_field] = "Pick a time."
        minutes = inputs.whole_number(
            option.minutes if str(option.minutes or "").strip() else DEFAULT_MINUTES,
            option_field(index, "minutes"),
            errors,
            what="the duration in minutes",
            low=1,
            high=MAX_MINUTES,
        )
        if day is None or at is None or minutes is None:
            continue
        starts_at = datetime.combine(day, at, tz).astimezone(UTC)  # type: ignore[arg-type]
        if starts_at <= now:
            errors[time_field] = "That time has already passed; pick a time in the future."
        elif any(s == starts_at for s, _ in starts):
            errors[time_field] = "You proposed this time already; pick another."
        else:
            starts.append((starts_at, minutes))
    if errors:
        raise InvalidInput(errors)
    if not starts:
        raise InvalidInput({option_field(1, "day"): "Propose at least one time."})
    return starts


def slot(when: dict[str, Any], timezone: str | None, work_day: list[Any]) -> dict[str, Any]:
    """A time (`{starts_at, minutes}`) as one person sees it: its start and end in their
    zone, the zone's name, and whether any of it falls outside their working hours
    (`work_day`: start hour, end hour, working days, default timezone, as the reminder
    facts carry them)."""
    day = WorkingDay(work_day[0], work_day[1], frozenset(work_day[2]), work_day[3])
    starts_at = datetime.fromisoformat(when["starts_at"])
    minutes = int(when["minutes"])
    zone = zone_of(timezone, day)
    local = starts_at.astimezone(zone)
    end = local + timedelta(minutes=minutes)
    inside = is_working_time(starts_at, timezone, day) and is_working_time(
        starts_at + timedelta(minutes=minutes - 1), timezone, day
    )
    return {"start": local, "end": end, "zone": zone.key, "outside": not inside}
