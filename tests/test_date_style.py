"""One date style wherever a person reads a date ("Tue 17 Nov 2026", times "14:30"),
always on the reader's own calendar: the manager's weekly digest included."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from bot.blocks import dates
from bot.config import Settings
from bot.testing.harness import ServedApp
from tests.factories import make_assignment, make_mentor, make_session
from tests.reminders_support import Sweep, at, sweeper

#: Anything that looks like a date in another style: ISO, "Nov 17", "17/11", "Dec 07".
OTHER_STYLES = re.compile(
    r"\b20\d\d-\d\d-\d\d\b"
    r"|\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{1,2}\b"
    r"|\b\d\d?/\d\d?\b"
)


@pytest.fixture
def sweep(served: ServedApp, settings: Settings) -> Sweep:
    return sweeper(served, settings)


def test_the_style() -> None:
    assert dates.day(date(2026, 12, 7)) == "Mon 7 Dec 2026"
    assert dates.day("2027-01-05") == "Tue 5 Jan 2027"
    assert dates.day(None) == "—"
    evening = at("2026-11-17T02:30")  # 20:30 the evening before in Chicago
    assert dates.moment(evening, "America/Chicago") == "Mon 16 Nov 2026, 20:30"
    assert dates.local_day(evening, "Asia/Tokyo") == "Tue 17 Nov 2026"
    assert dates.local_day(evening, "Mars/Olympus") == "Tue 17 Nov 2026"  # unknown: UTC


def test_the_managers_digest_dates_a_session_on_the_managers_calendar(  # type: ignore[no-untyped-def]
    slack, world, db, sweep
) -> None:
    """Newt and Vera met on Monday 16 November at 21:30 New York time, which is already
    Tuesday in UTC. Max (New York) reads "Mon 16 Nov 2026" in his weekly digest."""
    mentor = make_mentor(db, world.veteran)
    pair = make_assignment(db, mentor, world.new_hire, start=date(2026, 11, 2))
    make_session(db, pair, when=at("2026-11-17T02:30"))
    db.commit()
    sweep(at("2026-11-17T15:00"))  # Tuesday 10:00 in New York: the digest goes out
    [digest] = [m for m in slack.dms(world.manager) if "Your team's mentorships" in m.all_text]
    line = next(x for x in digest.all_text.splitlines() if "Newt Newhire" in x)
    assert "last Mon 16 Nov 2026" in line, line
    assert not OTHER_STYLES.search(digest.all_text), digest.all_text


def test_a_status_card_and_a_reminder_read_the_same_style(slack, world, db, sweep) -> None:  # type: ignore[no-untyped-def]
    mentor = make_mentor(db, world.veteran)
    pair = make_assignment(db, mentor, world.new_hire, start=date(2026, 10, 26))
    make_session(db, pair, when=at("2026-11-03T02:00"))  # Mon 2 Nov, 20:00 in Chicago
    db.commit()
    status = slack.mentor(world.new_hire, "status").all_text
    assert "Mon 26 Oct 2026" in status and "Mon 2 Nov 2026" in status
    assert not OTHER_STYLES.search(status), status
    sweep(at("2026-11-16T15:00") + timedelta(days=1))
    [nudge] = [m for m in slack.dms(world.new_hire) if "last logged session" in m.all_text]
    assert "Mon 2 Nov 2026" in nudge.all_text
    assert not OTHER_STYLES.search(nudge.all_text), nudge.all_text
