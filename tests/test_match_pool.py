"""`/mentor match` ranks from mentors kept in memory per version of the data
(bot/services/match_pool.py): every change that alters a ranking shows at the very
next match, whichever app instance made it, and a pause ends with the day alone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import sqlalchemy as sa

from bot.testing.driver import SlackDriver
from bot.testing.harness import ServedApp
from models import Mentor
from tests.conftest import SIGNING_SECRET
from tests.factories import make_mentor
from tests.flows import assign


def _match(slack, world) -> str:  # type: ignore[no-untyped-def]
    """What the admin is shown for Nova (whom no change below asks a mentor for)."""
    return slack.mentor(world.admin, f"match {world.tokyo_hire.mention}").all_text


def _vera(shown: str) -> str:
    """Vera's part of what the match shows."""
    return shown.split("Vera Veteran* ·", 1)[1].split("[Assign]", 1)[0]


def _vera_and_keiko(db, world) -> None:  # type: ignore[no-untyped-def]
    make_mentor(db, world.veteran, expertise=["Renewals"], max_mentees=1)
    make_mentor(db, world.tokyo_veteran, expertise=["Negotiation"])
    db.commit()


def _pause(slack, world) -> None:  # type: ignore[no-untyped-def]
    slack.mentor(world.veteran, "pause until 2026-12-31")


def _opt_out(slack, world) -> None:  # type: ignore[no-untyped-def]
    slack.mentor(world.veteran, "optout")


def _edit_profile(**answers: object) -> Callable[..., None]:
    def edit(slack, world) -> None:  # type: ignore[no-untyped-def]
        slack.slash(world.veteran, "/mentor", "optin")
        assert slack.submit(world.veteran, answers).ok

    return edit


def _new_mentor(slack, world) -> None:  # type: ignore[no-untyped-def]
    slack.slash(world.londoner, "/mentor", "optin")
    assert slack.submit(world.londoner, {"Expertise": ["Renewals"], "Capacity": "2"}).ok


def _weights(slack, world) -> None:  # type: ignore[no-untyped-def]
    assert slack.slash(world.admin, "/mentor", "admin") == []
    slack.click(world.admin, "Matching")
    assert slack.submit(world.admin, {"Match weight: location": "90"}).ok


def _slack_profile(**changes: object) -> Callable[..., None]:
    """Slack tells of a profile change (`user_change`), as it does when someone moves."""

    def change(slack, world) -> None:  # type: ignore[no-untyped-def]
        slack.fake.users[world.veteran.id].update(changes)
        event = {"type": "user_change", "user": dict(slack.fake.users[world.veteran.id])}
        assert slack.event(event).status == 200
        slack.wait_idle()

    return change


def _leaves(slack, world) -> None:  # type: ignore[no-untyped-def]
    slack.fake.deactivate(world.veteran.id)
    event = {"type": "user_change", "user": dict(slack.fake.users[world.veteran.id])}
    assert slack.event(event).status == 200
    slack.wait_idle()


def _request_takes_her_only_slot(slack, world) -> None:  # type: ignore[no-untyped-def]
    done = assign(slack, world.manager, world.veteran, world.new_hire)
    assert done.ok, done.errors


#: A change made through the app, and what Nova's next match must show because of it.
CHANGES: dict[str, tuple[Callable[..., None], Callable[[str], bool]]] = {
    "pause": (_pause, lambda shown: "Vera Veteran" not in shown),
    "opt-out": (_opt_out, lambda shown: "Vera Veteran" not in shown),
    "capacity": (_edit_profile(Capacity="3"), lambda shown: "3 of 3 slots free" in shown),
    "expertise": (
        _edit_profile(Expertise=["Product knowledge"]),
        lambda shown: "covers 1 of 3 skill gaps (Product knowledge)" in _vera(shown),
    ),
    "timezone in the profile": (
        _edit_profile(Capacity="1"),  # the modal saves the timezone Slack has now
        lambda shown: "(0 h apart)" in _vera(shown),
    ),
    "a new mentor": (_new_mentor, lambda shown: "Omar Okafor" in shown),
    "settings": (_weights, lambda shown: True),
    "profile refresh": (
        _slack_profile(tz="Asia/Tokyo"),
        lambda shown: "(0 h apart)" in _vera(shown),
    ),
    "leaver": (_leaves, lambda shown: "Vera Veteran" not in shown),
    "request": (_request_takes_her_only_slot, lambda shown: "Vera Veteran" not in shown),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_each_change_shows_at_the_next_match(slack, world, db, change: str) -> None:  # type: ignore[no-untyped-def]
    _vera_and_keiko(db, world)
    for someone in (world.veteran, world.londoner, world.manager):
        slack.mentor(someone, "help")  # a first contact moves the version: not the change
    slack.wait_idle()
    before = _match(slack, world)  # ranked from a shortlist
    assert "Vera Veteran" in before and "1 of 1 slot free" in before
    assert _match(slack, world) == before  # the same version again: every mentor kept
    assert _match(slack, world) == before  # from those kept
    make, shows = CHANGES[change]
    if change == "timezone in the profile":
        slack.fake.users[world.veteran.id]["tz"] = "Asia/Tokyo"  # read when the modal opens
    make(slack, world)
    after = _match(slack, world)
    assert after != before
    assert shows(after), after
    assert _match(slack, world) == after  # kept again, as they are now
    assert _match(slack, world) == after


def test_a_change_made_by_another_instance_shows_too(  # type: ignore[no-untyped-def]
    slack, world, db, settings, fake_slack
) -> None:
    _vera_and_keiko(db, world)
    for _ in range(3):  # the second match keeps every mentor, the third ranks from them
        assert "Vera Veteran" in _match(slack, world)
    other = ServedApp(settings).start()
    try:
        elsewhere = SlackDriver(fake_slack, other.url, SIGNING_SECRET, other.executor.wait_idle)
        elsewhere.mentor(world.veteran, "pause until 2026-12-31")
        elsewhere.wait_idle()
    finally:
        other.stop()
    assert "Vera Veteran" not in _match(slack, world)


def test_a_pause_ends_with_the_day_alone(slack, world, db, clock) -> None:  # type: ignore[no-untyped-def]
    _vera_and_keiko(db, world)
    slack.mentor(world.veteran, "pause until 2026-11-20")
    clock[0] += timedelta(days=3)  # the 20th: still paused
    for _ in range(3):  # the second match keeps every mentor, the third ranks from them
        assert "Vera Veteran" not in _match(slack, world)
    clock[0] += timedelta(days=1)  # nothing written since, but it is the 21st
    assert "Vera Veteran" in _match(slack, world)


def test_a_first_contact_keeps_the_kept_mentors_and_a_change_still_shows(  # type: ignore[no-untyped-def]
    slack, world, db, served
) -> None:
    """A morning of first contacts ranks no mentor differently: the kept mentors stay
    (a capacity changed behind the app's back, with no audited change, shows they were
    not read again), and the next real change is seen at once."""
    _vera_and_keiko(db, world)
    for _ in range(3):  # the second match keeps every mentor, the third ranks from them
        assert "1 of 1 slot free" in _vera(_match(slack, world))
    # Not through `db`, whose commits forget the kept mentors (see tests/conftest.py).
    with served.runtime.session_factory() as behind:
        behind.execute(
            sa.update(Mentor).where(Mentor.user_id == world.veteran.user_id).values(max_mentees=3)
        )
        behind.commit()
    slack.mentor(world.londoner, "help")  # Omar's first contact: audited
    slack.wait_idle()
    assert "1 of 1 slot free" in _vera(_match(slack, world))
    slack.mentor(world.tokyo_veteran, "pause until 2026-12-31")  # Keiko: a real change
    assert "3 of 3 slots free" in _vera(_match(slack, world))
