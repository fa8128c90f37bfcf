"""Reminders end to end: the sweep against the real database and the fake Slack,
people clicking the buttons on what arrives."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.blocks import reminders as reminder_blocks
from bot.config import Settings
from bot.services import program
from bot.services.reminders import Due, Recipient
from bot.testing.harness import ServedApp
from models import Assignment, AuditEntry, User
from tests.factories import make_assignment, make_mentor, make_session
from tests.reminders_support import Sweep, at, sent, sweeper


@pytest.fixture
def sweep(served: ServedApp, settings: Settings) -> Sweep:
    return sweeper(served, settings)


def checkins(slack, who) -> list[str]:  # type: ignore[no-untyped-def]
    return [m.all_text for m in slack.dms(who) if "check-in" in m.text]


def test_a_weekly_nudge_reaches_mentor_and_mentee_once_with_its_buttons(
    slack, world, db, sweep
) -> None:  # type: ignore[no-untyped-def]
    mentor = make_mentor(db, world.veteran)
    assignment = make_assignment(db, mentor, world.new_hire, start=date(2026, 11, 9))
    db.commit()

    report = sweep(at("2026-11-16T15:00"))  # Monday 10:00 New York, 09:00 Chicago
    assert sent(report) == ["UNEWT", "UVERA"]
    for person, other in ((world.veteran, "Newt Newhire"), (world.new_hire, "Vera Veteran")):
        [nudge] = slack.dms(person)
        assert f"weekly* check-in with *{other}*" in nudge.all_text
        assert "No session logged yet" in nudge.all_text
        assert "[Log session] [Schedule next session] [Snooze a week]" in nudge.all_text
        assert nudge.blocks[-1]["elements"][0]["value"] == str(assignment.id)

    again = sweep(at("2026-11-16T18:00"))
    assert again.count("sent") == 0 and again.already_handled == 2
    assert len(slack.dms(world.veteran)) == 1 and len(slack.dms(world.new_hire)) == 1


def test_snooze_a_week_holds_the_nudges_for_both(slack, world, db, sweep, clock) -> None:  # type: ignore[no-untyped-def]
    mentor = make_mentor(db, world.veteran)
    assignment = make_assignment(db, mentor, world.new_hire, start=date(2026, 11, 9))
    db.commit()
    sweep(at("2026-11-16T15:00"))
    clock[0] = at("2026-11-16T15:30")

    slack.click(world.new_hire, "Snooze a week", message=slack.last_dm(world.new_hire))

    nudge = slack.last_dm(world.new_hire)
    assert "Snooze a week" not in nudge.all_text
    assert "Snoozed. The next nudge to you and Vera Veteran comes from Mon 23 Nov" in nudge.all_text
    db.expire_all()
    assert db.get(Assignment, assignment.id).snoozed_until == at("2026-11-23T15:30")
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "assignment.snoozed"))

    # Monday's cadence date arrives while the snooze still runs: nothing until it ends.
    assert sent(sweep(at("2026-11-23T15:00"))) == []
    assert sent(sweep(at("2026-11-23T16:00"))) == ["UNEWT", "UVERA"]
    assert len(checkins(slack, world.veteran)) == 2


def test_only_the_pair_can_snooze_their_nudges(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    mentor = make_mentor(db, world.veteran)
    assignment = make_assignment(db, mentor, world.new_hire)
    db.commit()
    # The manager somehow holds a copy of the nudge: pressing Snooze must change nothing.
    manager = Recipient(world.manager.user_id, world.manager.id, "Max", None, True)
    facts = {
        "assignment_id": str(assignment.id),
        "role": "mentor",
        "other_name": "Newt",
        "cadence": "weekly",
        "last_session": None,
        "start_date": "2026-11-02",
    }
    text, blocks = reminder_blocks.checkin(Due("checkin", "x", "p", manager, facts))
    slack.fake.api_chat_postMessage({"channel": world.manager.id, "text": text, "blocks": blocks})

    slack.click(world.manager, "Snooze a week")

    assert "Only the mentor or the mentee" in slack.last_ephemeral(world.manager).text
    db.expire_all()
    assert db.get(Assignment, assignment.id).snoozed_until is None


def test_two_months_of_a_weekly_mentorship_every_dm_at_its_time(
    slack, world, db, sweep, clock
) -> None:  # type: ignore[no-untyped-def]
    """Sweeps every three hours from Monday 16 November to 16 January; a session on
    Wednesday 25 November, "Snooze a week" on 2 December, a session on Saturday 12 December."""
    mentor = make_mentor(db, world.veteran)
    assignment = make_assignment(db, mentor, world.new_hire, start=date(2026, 11, 16))
    db.get(User, world.admin.user_id).is_admin = True
    # Nova stays without a mentor to show in the digest; the weekly coverage nudge her
    # manager would get besides is another test's subject (test_reminders_kinds).
    program.update(db, changes={"coverage_days": 90}, actor_id=None, now=clock[0])
    db.commit()
    arrivals: dict[str, list[tuple[datetime, str]]] = {}

    def record(now: datetime) -> None:
        for person in (world.veteran, world.new_hire, world.manager, world.admin):
            seen = arrivals.setdefault(person.id, [])
            for message in slack.dms(person)[len(seen) :]:
                seen.append((now, message.all_text))

    now = at("2026-11-16T00:00")
    while now < at("2027-01-16T00:00"):
        if now == at("2026-11-25T18:00"):
            make_session(db, assignment, when=at("2026-11-25T16:00"))
            db.commit()
        if now == at("2026-12-12T18:00"):
            make_session(db, assignment, when=at("2026-12-12T16:00"))  # a Saturday
            db.commit()
        sweep(now)
        record(now)
        if now == at("2026-12-02T15:00"):
            clock[0] = at("2026-12-02T15:30")
            slack.click(world.veteran, "Snooze a week", message=slack.last_dm(world.veteran))
        now += timedelta(hours=3)

    expected = [
        at("2026-11-23T15:00"),  # a week after the start: Monday 10:00 New York, 09:00 Chicago
        at("2026-12-02T15:00"),  # a week after the session of Wednesday 25 November
        at("2026-12-09T18:00"),  # the week's snooze ended at 15:30 that day
        at("2026-12-21T15:00"),  # due Saturday 19 December: held to Monday morning
        at("2026-12-28T15:00"),
        at("2027-01-04T15:00"),
        at("2027-01-11T15:00"),
    ]
    for person in (world.veteran, world.new_hire):
        assert [when for when, text in arrivals[person.id]] == expected, person.name
        assert all("check-in" in text for _, text in arrivals[person.id])
    assert "Your last logged session was on Sat 12 Dec" in arrivals[world.veteran.id][-1][1]

    mondays = [at("2026-11-16T15:00") + timedelta(weeks=n) for n in range(9)]
    assert [when for when, _ in arrivals[world.manager.id]] == mondays
    assert [when for when, _ in arrivals[world.admin.id]] == mondays
    digest = arrivals[world.manager.id][3][1]
    assert "Newt Newhire*: mentored by Vera Veteran" in digest
    assert "Nova Fresh* (hired" in digest and "no mentor yet" in digest
    assert "renewal playbook" not in digest  # the session's summary stays private
    assert "Active mentorships*\n1" in arrivals[world.admin.id][0][1]
