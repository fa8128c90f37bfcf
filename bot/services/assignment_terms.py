"""Are the terms typed for a mentorship valid? Its kind, start and expected end, and
goals written one per line, as the assign modal and the edit modal (`term`) send them."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from bot.services import inputs
from bot.services.errors import InvalidInput
from models import KINDS

MAX_GOALS = 10
GOAL_LIMIT = 300
#: How far ahead a mentorship may start, and how long it may run.
MAX_START_AHEAD_DAYS = 365
MAX_DURATION_WEEKS = 104
_GOAL_WITH_DATE = re.compile(r"^(?P<goal>.*?)\s+by\s+(?P<date>\d{4}-\d{1,2}-\d{1,2})\s*$", re.I)


def checked_kind(kind: str) -> str:
    """The mentorship kind asked for; InvalidInput on `kind` unless standard or reverse."""
    if kind not in KINDS:
        raise InvalidInput({"kind": "A mentorship is standard or reverse."})
    return kind


def parse_goals(text: str, start: date) -> list[dict[str, Any]]:
    """Goals typed one per line, each optionally ending in " by YYYY-MM-DD", as the PRD's
    `[{goal, target_date, achieved}]`. InvalidInput on `goals` names the bad line."""
    goals: list[dict[str, Any]] = []
    problems: list[str] = []
    lines = [line.strip().lstrip("-•*").strip() for line in text.splitlines()]
    numbered = [(n, line) for n, line in enumerate(lines, 1) if line]
    for n, line in numbered:
        target: date | None = None
        found = _GOAL_WITH_DATE.match(line)
        if found:
            try:
                target = inputs.iso_date(_zero_pad(found["date"]))
            except inputs.OutOfRange as exc:
                problems.append(f"line {n}: {exc}")
                continue
            except ValueError:
                problems.append(f"line {n}: '{found['date']}' is not a date like 2026-12-31")
                continue
            line = found["goal"].strip()
            if target < start:
                problems.append(f"line {n}: the target date {target} is before the start {start}")
                continue
        if len(line) > GOAL_LIMIT:
            problems.append(f"line {n}: keep a goal under {GOAL_LIMIT} characters")
            continue
        goals.append(
            {"goal": line, "target_date": target.isoformat() if target else None, "achieved": False}
        )
    if len(numbered) > MAX_GOALS:
        problems.append(f"at most {MAX_GOALS} goals ({len(numbered)} given)")
    if problems:
        raise InvalidInput(
            {
                "goals": "Goals: " + "; ".join(problems) + ". Write one goal per line, e.g. "
                "“Run a QBR solo by 2026-12-15”."
            }
        )
    return goals


def _zero_pad(raw: str) -> str:
    year, month, day = raw.split("-")
    return f"{year}-{int(month):02d}-{int(day):02d}"


def parse_period(start_raw: str | None, end_raw: str | None, today: date) -> tuple[date, date]:
    """The start and expected end typed for a new mentorship; InvalidInput on
    `start_date` and `expected_end` says what is wrong with each."""
    errors: dict[str, str] = {}
    start = _parse_date(start_raw)
    end = _parse_date(end_raw)
    if start is None:
        errors["start_date"] = "Pick the start date (e.g. today)."
    elif start > today + timedelta(days=MAX_START_AHEAD_DAYS):
        errors["start_date"] = "Pick a start date within the next year."
    if end is None:
        errors["expected_end"] = "Pick the expected end date (e.g. 12 weeks after the start)."
    elif start is not None and end <= start:
        errors["expected_end"] = f"The expected end must be after the start ({start})."
    elif start is not None and end > start + timedelta(weeks=MAX_DURATION_WEEKS):
        errors["expected_end"] = f"A mentorship can run at most {MAX_DURATION_WEEKS} weeks."
    if errors:
        raise InvalidInput(errors)
    assert start is not None and end is not None
    return start, end


def _parse_date(raw: str | None) -> date | None:
    try:
        return inputs.iso_date(raw) if raw else None
    except ValueError:
        return None
