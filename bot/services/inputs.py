"""Checking what people type (ratings, numbers, links) and placing instants in their
day. Each checker adds a message a person can act on to `errors` under the field's
name, so a service can report every bad field at once."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from bot.services import program

#: Dates people may enter: wide enough for any hire, session or term, narrow enough
#: that a day's bounds and a term's end stay within what `date` can hold.
FIRST_YEAR, LAST_YEAR = 1900, 2100
#: Line breaks and tabs are typing; any other control character (a NUL byte above
#: all, which PostgreSQL refuses to store) is not.
TYPED_CONTROLS = frozenset("\n\r\t")
#: Every character of Unicode's categories Cc (controls: U+0000-U+001F, U+007F-U+009F)
#: and Cs (surrogates) but TYPED_CONTROLS: one pattern instead of a category lookup
#: per character, as every `/mentor` command is parsed with it before its ack.
UNTYPED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
CONTROL_MESSAGE = "Remove the control character (e.g. a NUL byte) from this text."


def zone(db: Session, timezone: str | None) -> ZoneInfo:
    """The person's timezone, else the program's default, else UTC."""
    for name in (timezone, program.load(db).default_timezone):
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def local_day(instant: datetime, tz: ZoneInfo) -> date:
    """The calendar day `instant` falls on for someone in `tz`."""
    return instant.astimezone(tz).date()


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of `day` in `tz`, as UTC instants."""
    start = datetime.combine(day, time.min, tz).astimezone(UTC)
    end = datetime.combine(date.fromordinal(day.toordinal() + 1), time.min, tz).astimezone(UTC)
    return start, end


def rating(
    raw: object, field: str, errors: dict[str, str], *, what: str, required: bool = False
) -> int | None:
    """A 1-5 rating, or None when left empty (unless `required`)."""
    text = str(raw).strip() if raw is not None else ""
    if not text:
        if required:
            errors[field] = f"Give {what} from 1 to 5."
        return None
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 5:
        errors[field] = f"{what[0].upper()}{what[1:]} must be a whole number from 1 to 5."
        return None
    return value


def whole_number(
    raw: object, field: str, errors: dict[str, str], *, what: str, low: int, high: int
) -> int | None:
    """A required whole number within [low, high]."""
    text = str(raw).strip() if raw is not None else ""
    try:
        value = int(text)
    except ValueError:
        errors[field] = f"Enter {what} as a whole number from {low} to {high}."
        return None
    if not low <= value <= high:
        errors[field] = f"Enter {what} as a whole number from {low} to {high}."
        return None
    return value


def required_text(
    raw: object, field: str, errors: dict[str, str], *, what: str, limit: int = 3000
) -> str | None:
    """Non-empty text of at most `limit` characters, trimmed."""
    text = str(raw).strip() if raw is not None else ""
    if not text:
        errors[field] = f"Write {what}; it can't be empty."
        return None
    if has_control_characters(text):
        errors[field] = CONTROL_MESSAGE
        return None
    if len(text) > limit:
        errors[field] = f"Keep {what} under {limit} characters (it has {len(text)})."
        return None
    return text


def has_control_characters(text: str) -> bool:
    """True when `text` holds a character no one types: a control character (NUL,
    escape, ...) or half a surrogate pair, which no database can encode."""
    return UNTYPED.search(text) is not None


def without_control_characters(text: str) -> str:
    """`text` less every character `has_control_characters` finds."""
    return UNTYPED.sub("", text)


def is_web_link(text: str) -> bool:
    """True for an http(s) link with a host, e.g. https://wiki.example.com/qbr."""
    try:
        parsed = urlparse(text.strip().strip("<>"))
        parsed.port  # noqa: B018 -- a port that is no number raises only when read
    except ValueError:  # "https://[x": an IPv6 host left open
        return False
    return parsed.scheme in ("http", "https") and "." in parsed.netloc and " " not in text.strip()


def slug(name: str, fallback: str) -> str:
    """A lasting key made from a name: lower case, dashes, at most 90 characters."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:90] or fallback


def parse_day(raw: object, field: str, errors: dict[str, str], *, what: str) -> date | None:
    """A required ISO date (the datepicker's format) within FIRST_YEAR-LAST_YEAR."""
    text = str(raw).strip() if raw else ""
    try:
        return iso_date(text)
    except OutOfRange:
        errors[field] = date_range_message(what)
    except ValueError:
        errors[field] = f"Pick {what}."
    return None


class OutOfRange(ValueError):
    """A well-formed date outside the years people may enter."""


def iso_date(text: str) -> date:
    """`text` (like 2026-12-31) as a date; ValueError when it is none, OutOfRange when
    its year is outside FIRST_YEAR-LAST_YEAR (a term ending in 9999 can't be reminded of)."""
    day = date.fromisoformat(text.strip())
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise OutOfRange(date_range_message())
    return day


def date_range_message(what: str = "a date") -> str:
    """What to tell someone who typed a date outside FIRST_YEAR-LAST_YEAR."""
    return f"Pick {what} between {FIRST_YEAR} and {LAST_YEAR}."


def parse_time(raw: object, field: str, errors: dict[str, str]) -> time | None:
    """An HH:MM time (the timepicker's format), or None when left empty."""
    text = str(raw).strip() if raw else ""
    if not text:
        return None
    try:
        return time.fromisoformat(text)
    except ValueError:
        errors[field] = "Pick a time like 14:30."
        return None
