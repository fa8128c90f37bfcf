"""The sweep's fallbacks to managers (an unanswered request, a new hire without a mentor),
monthly check-ins, and the PostgreSQL check-in query against the portable one."""

from __future__ import annotations

import json
import random
import uuid
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.services import mentorships, reminders
from bot.services.program import ProgramConfig
from bot.services.reminders import action_items as action_item_kind
from bot.services.reminders import checkins as checkin_kind
from bot.testing.harness import ServedApp
from models import Mentor, Notification, User
from tests.factories import make_assignment, make_mentor, make_session
from tests.reminders_support import Sweep, at, clocked_sweeper, sent


@pytest.fixture
def sweep(served: ServedApp, settings: Settings, clock: list[datetime]) -> Sweep:
    return clocked_sweeper(served, settings, clock)


def _vera_asked_for_newt(db, world, when: datetime) -> None:  # type: ignore[no-untyped-def]
    """Max asked Vera to mentor Newt at `when`; she has not answered."""
    vera = make_mentor(db, world.veteran, expertise=["Renewals"])
    make_assignment(
        db, vera, world.new_hire, status="pending", assigned_by=world.manager, created_at=when
    )
    db.commit()


def test_an_unanswered_request_offers_the_manager_the_next_mentor_once(
    slack, world, db, sweep
) -> None:  # type: ignore[no-untyped-def]
    make_mentor(db, world.londoner, expertise=["Product knowledge"])
    _vera_asked_for_newt(db, world, at("2026-11-16T15:00"))

    assert sent(sweep(at("2026-11-18T14:00")), "request_fallback") == []  # 47 hours
    assert sent(sweep(at("2026-11-18T15:00")), "request_fallback") == ["UMAX"]
    offer = slack.last_dm(world.manager)
    assert "Vera Veteran hasn't answered the request to mentor Newt Newhire" in offer.all_text
    assert "Omar Okafor" in offer.all_text
    assert sent(sweep(at("2026-11-18T18:00")), "request_fallback") == []
    assert sent(sweep(at("2026-11-19T15:00")), "request_fallback") == []
    assert len([m for m in slack.dms(world.manager) if "hasn't answered" in m.all_text]) == 1

    slack.click(world.manager, "Assign", message=offer, near="Omar")
    assert "Ask *Omar Okafor* to mentor *Newt Newhire*" in slack.modal_text(world.manager)


def test_the_fallback_waits_for_the_managers_working_hours(slack, world, db, sweep) -> None:  # type: ignore[no-untyped-def]
    _vera_asked_for_newt(db, world, at("2026-11-16T03:00"))
    night = sweep(at("2026-11-18T03:00"))  # 22:00 in New York
    assert [d.recipient.slack_user_id for d, _ in night.held if d.kind == "request_fallback"] == [
        "UMAX"
    ]
    assert slack.dms(world.manager) == []
    assert sent(sweep(at("2026-11-18T14:00")), "request_fallback") == ["UMAX"]


def test_a_new_hire_without_a_mentor_gets_the_manager_a_weekly_nudge(
    slack, world, db, sweep
) -> None:  # type: ignore[no-untyped-def]
    make_mentor(db, world.veteran, expertise=["Product knowledge"])
    make_assignment(db, make_mentor(db, world.tokyo_veteran), world.tokyo_hire)  # Nova is covered
    db.commit()
    # Newt was hired on Thursday 12 November: a week later, still nobody.
    assert sent(sweep(at("2026-11-18T15:00")), "coverage") == []
    assert sent(sweep(at("2026-11-19T15:00")), "coverage") == ["UMAX"]
    nudge = slack.last_dm(world.manager)
    assert "*Newt Newhire* (<@UNEWT>) started 7 days ago and has no mentor yet" in nudge.all_text
    assert "1. Vera Veteran" in nudge.all_text
    assert sent(sweep(at("2026-11-20T15:00")), "coverage") == []  # once this week
    assert sent(sweep(at("2026-11-23T15:00")), "coverage") == ["UMAX"]  # a new week

    slack.click(world.manager, "Assign", message=nudge, near="Vera Veteran")
    assert "Ask *Vera Veteran* to mentor *Newt Newhire*" in slack.modal_text(world.manager)
    coverage_dms = [m for m in slack.dms(world.manager) if "has no mentor yet" in m.all_text]
    assert len(coverage_dms) == 2

    make_assignment(db, db.get(Mentor, _mentor_id(db, world.veteran)), world.new_hire)
    db.commit()
    assert sent(sweep(at("2026-11-30T15:00")), "coverage") == []


def _mentor_id(db, person) -> uuid.UUID:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    return db.scalar(select(Mentor.id).where(Mentor.user_id == person.user_id))


def test_monthly_mentorships_are_nudged_on_the_date_people_are_shown(
    slack, world, db, sweep
) -> None:  # type: ignore[no-untyped-def]
    start = date(2026, 10, 13)
    assignment = make_assignment(
        db, make_mentor(db, world.veteran), world.new_hire, start=start, cadence="monthly"
    )
    db.commit()
    shown = mentorships.next_check_in("monthly", start, None)
    assert shown == date(2026, 11, 12)

    assert sent(sweep(at("2026-11-11T15:00"))) == []
    assert sent(sweep(at("2026-11-12T15:00"))) == ["UNEWT", "UVERA"]
    assert "*monthly* check-in" in slack.last_dm(world.veteran).all_text
    assert sent(sweep(at("2026-11-20T15:00"))) == []

    make_session(db, assignment, when=at("2026-11-20T16:00"))
    db.commit()
    shown = mentorships.next_check_in("monthly", start, date(2026, 11, 20))
    assert shown == date(2026, 12, 20)
    assert sent(sweep(at("2026-12-18T15:00"))) == []
    # Sunday the 20th is the date; the nudge waits for Monday morning.
    assert sent(sweep(at("2026-12-21T15:00"))) == ["UNEWT", "UVERA"]


def test_app_home_shows_the_next_check_in_the_nudge_comes_on(slack, world, db, sweep) -> None:  # type: ignore[no-untyped-def]
    """Newt and Vera met at 20:00 on Tue 17 Nov in Chicago (02:00 on the 18th in UTC):
    their weekly check-in is due Tue 24 Nov in Newt's calendar, as App Home says and
    as the nudge comes, not a day later by UTC's date."""
    assignment = make_assignment(db, make_mentor(db, world.veteran), world.new_hire)
    make_session(db, assignment, when=at("2026-11-18T02:00"))
    db.commit()
    home = json.dumps(slack.open_home(world.new_hire))
    assert "last: Tue 17 Nov 2026" in home and "next check-in: Tue 24 Nov 2026" in home, home
    assert "UNEWT" in sent(sweep(at("2026-11-24T15:00")))


# -- the PostgreSQL query and the portable path agree ---------------------------------------
TIMEZONES = [
    "America/New_York",
    "Asia/Tokyo",
    "Europe/London",
    "Pacific/Kiritimati",
    None,
    "Mars/Base",
]


def _random_program(db, rng: random.Random, count: int) -> None:  # type: ignore[no-untyped-def]
    """`count` mentorships in every state the check-in rules care about."""
    base = at("2026-11-17T15:00")
    people = []
    for index in range(count * 2):
        person = User(
            slack_user_id=f"URND{index:04d}",
            name=rng.choice([f"Person {index}", ""]),
            timezone=rng.choice(TIMEZONES),
            is_bot=rng.random() < 0.03,
            deactivated_at=base if rng.random() < 0.03 else None,
        )
        db.add(person)
        people.append(person)
    db.flush()
    for index in range(count):
        paused = rng.choice(
            [None, None, date(2026, 11, 16), date(2026, 11, 17), date(2026, 11, 30)]
        )
        mentor = Mentor(
            user_id=people[2 * index].id,
            expertise_areas=["Renewals"],
            max_mentees=3,
            paused_until=paused,
        )
        db.add(mentor)
        db.flush()
        status = rng.choice(["active"] * 8 + ["pending", "completed"])
        snoozed = rng.choice(
            [None, None, None, base - timedelta(days=2, hours=3), base + timedelta(hours=5)]
        )
        assignment = make_assignment(
            db,
            mentor,
            type("P", (), {"user_id": people[2 * index + 1].id})(),
            status=status,
            start=base.date() - timedelta(days=rng.randint(0, 100)),
            cadence=rng.choice(["weekly", "biweekly", "monthly"]),
            snoozed_until=snoozed,
        )
        for _ in range(rng.choice([0, 0, 1, 2])):
            make_session(
                db,
                assignment,
                when=base - timedelta(hours=rng.randint(0, 24 * 60)),
                attended=rng.random() < 0.85,
            )
    db.commit()


def _found(db, now: datetime, portable: bool, monkeypatch, skip_settled: bool = False):  # type: ignore[no-untyped-def]
    if portable:
        monkeypatch.setattr(checkin_kind, "recipient_zones", lambda ctx: None)
    context = reminders.DueContext(db, ProgramConfig(), now, skip_settled=skip_settled)
    found = reminders.collect_due(context, ["checkin"])
    monkeypatch.undo()
    db.rollback()
    return {(d.key, _facts(d), d.recipient) for d in found}, context.settled


def _facts(due: Any) -> str:
    """A due reminder's facts, comparable: they may hold lists (a week's curriculum
    topics), so as canonical JSON."""
    return json.dumps(due.facts, sort_keys=True, default=str)


def test_the_postgresql_checkin_query_finds_what_the_portable_path_finds(
    backend, db, world, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    if backend != "postgresql":
        pytest.skip("the check-in query is PostgreSQL's; SQLite always takes the portable path")
    _random_program(db, random.Random(17), 150)
    for now in (
        at("2026-11-17T15:00"),
        at("2026-11-17T23:30"),  # already Wednesday in Tokyo and Kiritimati
        at("2026-11-21T10:00"),
        at("2026-12-01T04:00"),
    ):
        in_sql, _ = _found(db, now, False, monkeypatch)
        portable, _ = _found(db, now, True, monkeypatch)
        assert in_sql == portable, now
        assert len(in_sql) > 20, now  # the comparison is not vacuous

    # With a ledger: settled keys of people in working hours are left out and counted;
    # a failed send due for its retry still comes back.
    now = at("2026-11-17T15:00")
    found, _ = _found(db, now, False, monkeypatch)
    keys = sorted(
        (key for key, _, recipient in found if _working(recipient, now)),
        key=lambda k: (k.target, k.period),
    )
    _settle_four_of_five(db, keys, now)
    settled_keys = set(keys[:4])
    remaining, settled = _found(db, now, False, monkeypatch, skip_settled=True)
    assert {key for key, _, _ in remaining} == {key for key, _, _ in found} - settled_keys
    assert settled == len(settled_keys) == 4
    assert keys[4] in {key for key, _, _ in remaining}


def test_the_postgresql_checkin_query_counts_held_check_ins_the_portable_path_lists(
    backend, db, world, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    if backend != "postgresql":
        pytest.skip("the check-in query is PostgreSQL's; SQLite always takes the portable path")
    _random_program(db, random.Random(23), 150)
    for now in (at("2026-11-17T15:00"), at("2026-11-17T22:30"), at("2026-11-18T09:30")):
        portable, _ = _found(db, now, True, monkeypatch)
        context = reminders.DueContext(db, ProgramConfig(), now, count_held=True)
        in_sql = reminders.collect_due(context, ["checkin"])
        db.rollback()
        working = {item for item in portable if _working(item[2], now)}
        assert {(d.key, _facts(d), d.recipient) for d in in_sql} == working
        assert context.held["checkin"] == len(portable) - len(working), now
        assert working and len(portable) > len(working), now  # both sides are exercised

        # Capped, it returns the longest due of them and counts the rest as deferred.
        capped = reminders.DueContext(db, ProgramConfig(), now, count_held=True, limit=5)
        first = reminders.collect_due(capped, ["checkin"])
        db.rollback()
        assert len(first) == 5 and capped.deferred["checkin"] == len(working) - 5
        assert [d.period for d in first] == sorted(d.period for d in in_sql)[:5]


def _settle_four_of_five(db, keys, now: datetime) -> None:  # type: ignore[no-untyped-def]
    """Ledger rows for the first five keys: sent, dead, claimed and failed (both still
    waiting), and a failed send due for its retry (which is not settled)."""
    statuses = ["sent", "dead", "claimed", "failed", "failed"]
    retry_at = [None, None, now + timedelta(minutes=5), now + timedelta(minutes=5), now]
    for key, status, next_attempt_at in zip(keys, statuses, retry_at, strict=False):
        db.add(
            Notification(
                kind=key.kind,
                target=key.target,
                period=key.period,
                status=status,
                attempts=1,
                claimed_at=now,
                next_attempt_at=next_attempt_at,
            )
        )
    db.commit()


def _working(recipient, now: datetime) -> bool:  # type: ignore[no-untyped-def]
    from bot.services.working_hours import WorkingDay, is_working_time

    return is_working_time(now, recipient.timezone, WorkingDay.of(ProgramConfig()))


def test_the_postgresql_action_item_filter_keeps_every_item_that_may_be_due(
    backend, db, world, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    if backend != "postgresql":
        pytest.skip("the action items are expanded in SQL on PostgreSQL only")
    rng = random.Random(5)
    mentor = make_mentor(db, world.veteran, max_mentees=200)
    odd_items = [
        {"id": "t", "item": "done as text", "owner": "mentee", "due": "2026-11-18", "done": "yes"},
        {"id": "n", "item": "due as a number", "owner": "mentor", "due": 20261118},
        {"id": "b", "item": "basic format", "owner": "mentee", "due": "20261116", "done": False},
        {"id": "m", "item": "no due date", "owner": "mentee"},
        {"id": "o", "item": "nobody's", "owner": "manager", "due": "2026-11-18"},
        "a bare string",
    ]
    for index in range(60):
        mentee = User(slack_user_id=f"UITEM{index:03d}", name=f"Item {index}", timezone=None)
        db.add(mentee)
        db.flush()
        assignment = make_assignment(
            db, mentor, type("P", (), {"user_id": mentee.id})(), start=date(2026, 9, 1)
        )
        items = [
            {
                "id": f"i{n}",
                "item": "Send the deck",
                "owner": rng.choice(["mentor", "mentee"]),
                "due": (date(2026, 11, 17) + timedelta(days=rng.randint(-45, 10))).isoformat(),
                "done": rng.random() < 0.3,
            }
            for n in range(rng.randint(0, 3))
        ]
        if index % 5 == 0:
            items.append(odd_items[(index // 5) % len(odd_items)])
        make_session(db, assignment, when=at("2026-10-01T15:00"), action_items=items)
    db.commit()

    def found(now: datetime, filtered: bool) -> set[tuple[object, ...]]:
        if not filtered:  # every session's items read and judged in Python
            monkeypatch.setattr(action_item_kind, "_items_in_postgresql", lambda ctx: False)
        context = reminders.DueContext(db, ProgramConfig(), now)
        dues = reminders.collect_due(context, ["action_item"])
        monkeypatch.undo()
        db.rollback()
        return {(d.key, _facts(d)) for d in dues}

    for now in (at("2026-11-17T15:00"), at("2026-11-17T23:30"), at("2026-12-20T12:00")):
        with_filter, without = found(now, True), found(now, False)
        assert with_filter == without, now
    assert len(found(at("2026-11-17T15:00"), True)) > 20

    # A sweep's context: what the ledger settled and what waits for working hours are
    # counted in SQL and left out; the rest is exactly what the portable path finds.
    now = at("2026-11-17T15:00")
    for mentee in db.scalars(select(User).where(User.slack_user_id.like("UITEM%"))):
        if mentee.slack_user_id[-1] in "0123":
            mentee.timezone = "Asia/Tokyo"  # midnight there: due, but held
    db.commit()
    portable = _item_dues(db, now, monkeypatch, in_sql=False)
    working = [d for d in portable if _working(d.recipient, now)]
    _settle_four_of_five(db, [d.key for d in working], now)
    context = reminders.DueContext(db, ProgramConfig(), now, skip_settled=True, count_held=True)
    in_sql = reminders.collect_due(context, ["action_item"])
    db.rollback()
    settled_keys = {d.key for d in working[:4]}
    held_keys = {d.key for d in portable} - {d.key for d in working}
    # Due dates SQL does not read (20261118, "20261116") come back for the sweep to
    # hold or to find in the ledger; every other item is judged in SQL.
    unread = {d.key for d in in_sql} - ({d.key for d in working} - settled_keys)
    assert unread <= held_keys | settled_keys
    assert {key.target.split("/")[0].split(":")[1] for key in unread} <= {"n", "b"}
    assert {d.key for d in in_sql} - unread == {d.key for d in working} - settled_keys
    assert context.settled == 4 - len(unread & settled_keys) > 0
    assert context.held["action_item"] == len(held_keys) - len(unread & held_keys) > 0
    assert working[4].key in {d.key for d in in_sql}


def _item_dues(db, now: datetime, monkeypatch, *, in_sql: bool):  # type: ignore[no-untyped-def]
    if not in_sql:
        monkeypatch.setattr(action_item_kind, "_items_in_postgresql", lambda ctx: False)
    dues = reminders.collect_due(reminders.DueContext(db, ProgramConfig(), now), ["action_item"])
    monkeypatch.undo()
    db.rollback()
    return sorted(dues, key=lambda d: (d.key.target, d.key.period))
