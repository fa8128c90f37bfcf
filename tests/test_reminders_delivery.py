"""Exactly once, whatever happens: Slack failing, a person leaving, a sweep dying
mid-send, two sweeps at once; and each person's own morning."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text

from bot.config import Settings
from bot.sweep import SWEEP_LOCK_KEY, Heartbeat
from bot.sweep_claims import claim_due
from bot.testing.harness import ServedApp
from models import Assignment, Notification, User
from models.db import make_engine
from tests.factories import make_assignment, make_mentor
from tests.reminders_support import Sweep, at, extra_person, posts_to, sent, sweeper

MONDAY_MORNING = at("2026-11-16T15:00")  # 10:00 New York, 09:00 Chicago


@pytest.fixture
def sweep(served: ServedApp, settings: Settings) -> Sweep:
    return sweeper(served, settings)


@pytest.fixture
def pair(db, world):  # type: ignore[no-untyped-def]
    """Vera mentors Newt, weekly from Monday 9 November: both are due on the 16th."""
    mentor = make_mentor(db, world.veteran)
    assignment = make_assignment(db, mentor, world.new_hire, start=date(2026, 11, 9))
    db.commit()
    return assignment


def test_each_gets_theirs_in_their_own_morning_tokyo_and_new_york(slack, world, db, sweep) -> None:  # type: ignore[no-untyped-def]
    make_assignment(db, make_mentor(db, world.veteran), world.new_hire, start=date(2026, 11, 9))
    make_assignment(
        db, make_mentor(db, world.tokyo_veteran), world.tokyo_hire, start=date(2026, 11, 9)
    )
    db.commit()
    first_nudge: dict[str, object] = {}
    now = at("2026-11-15T12:00")  # Sunday; Monday 16th is the due date everywhere
    while now <= at("2026-11-16T23:00"):
        report = sweep(now)
        for person in sent(report):
            first_nudge.setdefault(person, now)
        if now == at("2026-11-15T20:00"):  # Monday 05:00 in Tokyo: due, but held
            held = {due.recipient.slack_user_id: until for due, until in report.held}
            assert held["UKEIKO"] == held["UNOVA"] == at("2026-11-16T00:00")
        now += timedelta(hours=1)

    assert first_nudge == {
        "UKEIKO": at("2026-11-16T00:00"),  # 09:00 Monday in Tokyo
        "UNOVA": at("2026-11-16T00:00"),
        "UVERA": at("2026-11-16T14:00"),  # 09:00 Monday in New York
        "UNEWT": at("2026-11-16T15:00"),  # 09:00 Monday in Chicago
    }
    for person in (world.veteran, world.new_hire, world.tokyo_veteran, world.tokyo_hire):
        assert len(slack.dms(person)) == 1


def test_a_500_is_retried_by_a_later_sweep_and_sent_once(slack, world, db, sweep, pair) -> None:  # type: ignore[no-untyped-def]
    slack.fake.fail("chat.postMessage", status=500, only_for=world.new_hire.id)

    first = sweep(MONDAY_MORNING)
    assert sent(first) == ["UVERA"]
    assert [d.status for d in first.deliveries if d.recipient_slack_id == "UNEWT"] == ["failed"]
    assert slack.dms(world.new_hire) == []

    assert sent(sweep(MONDAY_MORNING + timedelta(minutes=1))) == []  # waits its backoff
    assert posts_to(slack.fake, world.new_hire.id) == 1
    assert sent(sweep(MONDAY_MORNING + timedelta(minutes=6))) == ["UNEWT"]
    assert sent(sweep(MONDAY_MORNING + timedelta(hours=2))) == []
    assert len(slack.dms(world.new_hire)) == 1 and len(slack.dms(world.veteran)) == 1
    db.expire_all()
    row = db.scalar(select(Notification).where(Notification.target.endswith("/UNEWT")))
    assert (row.status, row.attempts) == ("sent", 2)


def test_a_429_waits_for_retry_after_then_a_later_sweep_finishes_the_job(
    slack, world, db, sweep, pair
) -> None:  # type: ignore[no-untyped-def]
    # Once: the client waits the second Slack asks for and the same sweep delivers.
    slack.fake.fail("chat.postMessage", status=429, retry_after=1, only_for=world.veteran.id)
    assert sent(sweep(MONDAY_MORNING)) == ["UNEWT", "UVERA"]

    # Beyond the client's two retries: failed now, sent by a later sweep, never twice.
    slack.fake.fail(
        "chat.postMessage", status=429, retry_after=1, times=3, only_for=world.veteran.id
    )
    next_week = MONDAY_MORNING + timedelta(weeks=1)
    report = sweep(next_week)
    assert sent(report) == ["UNEWT"]
    assert [d.error for d in report.deliveries if d.recipient_slack_id == "UVERA"] == [
        "ratelimited"
    ]
    assert sent(sweep(next_week + timedelta(minutes=6))) == ["UVERA"]
    assert len(slack.dms(world.veteran)) == 2 and len(slack.dms(world.new_hire)) == 2


def test_nothing_is_lost_while_slack_is_down(slack, world, db, sweep, pair) -> None:  # type: ignore[no-untyped-def]
    slack.fake.fail("chat.postMessage", status=503, times=1000)
    now = MONDAY_MORNING
    for _ in range(4):
        assert sent(sweep(now)) == []
        now += timedelta(minutes=30)
    slack.fake.failures.clear()  # Slack is back; backoff never exceeds an hour
    assert sent(sweep(now + timedelta(hours=1))) == ["UNEWT", "UVERA"]
    assert sent(sweep(now + timedelta(hours=3))) == []
    assert len(slack.dms(world.veteran)) == 1 and len(slack.dms(world.new_hire)) == 1


def test_a_person_slack_no_longer_knows_is_marked_and_not_retried(
    slack, world, db, sweep, pair
) -> None:  # type: ignore[no-untyped-def]
    slack.fake.fail("chat.postMessage", error="user_not_found", only_for=world.new_hire.id)

    report = sweep(MONDAY_MORNING)
    assert [d.status for d in report.deliveries if d.recipient_slack_id == "UNEWT"] == ["dead"]
    db.expire_all()
    assert db.get(User, world.new_hire.user_id).deactivated_at == MONDAY_MORNING
    assert db.get(Assignment, pair.id).status == "cancelled"  # Newt left: it has ended

    for later in (timedelta(hours=2), timedelta(weeks=1), timedelta(weeks=2)):
        sweep(MONDAY_MORNING + later)
    assert posts_to(slack.fake, world.new_hire.id) == 1
    # Vera got that Monday's check-in and one word that Newt left; nothing after.
    assert len(slack.dms(world.veteran)) == 2
    assert "Newt" in slack.last_dm(world.veteran).text and "left the workspace" in (
        slack.last_dm(world.veteran).text
    )


def test_a_sweep_that_died_after_claiming_is_taken_over_after_its_lease(
    slack, world, db, served, sweep, pair
) -> None:  # type: ignore[no-untyped-def]
    with served.runtime.db() as crashed:  # claimed and committed, then the process died
        claimed = claim_due(crashed, now=MONDAY_MORNING).claimed
        assert sorted(due.kind for _, due in claimed) == ["checkin", "checkin", "digest_manager"]

    assert sent(sweep(MONDAY_MORNING + timedelta(seconds=30))) == []  # maybe still sending
    # Its lease (a minute) ran out: taken over, the weekly digest it had claimed too.
    taken_over = sweep(MONDAY_MORNING + timedelta(minutes=2))
    assert sent(taken_over) == ["UNEWT", "UVERA"]
    assert sent(taken_over, "digest_manager") == [world.manager.id]
    assert sent(sweep(MONDAY_MORNING + timedelta(minutes=40))) == []
    assert len(slack.dms(world.veteran)) == 1 and len(slack.dms(world.new_hire)) == 1
    assert len(slack.dms(world.manager)) == 1


def test_a_running_sweep_keeps_its_claims_past_the_lease_by_renewing_them(
    slack, world, db, served, pair
) -> None:  # type: ignore[no-untyped-def]
    with served.runtime.db() as tx:
        claims = [claim for claim, _ in claim_due(tx, now=MONDAY_MORNING).claimed]
    assert len(claims) == 3
    elapsed = [0.0]
    heartbeat = Heartbeat(served.runtime, MONDAY_MORNING, lambda: elapsed[0])
    elapsed[0] = 50.0  # still sending, 50 s in
    assert heartbeat.due()
    heartbeat.renew(claims)
    with served.runtime.db() as tx:  # another sweep, past the first lease: nothing to take
        assert claim_due(tx, now=MONDAY_MORNING + timedelta(seconds=100)).claimed == []
    with served.runtime.db() as tx:  # a minute after the last heartbeat: presumed dead
        retaken = claim_due(tx, now=MONDAY_MORNING + timedelta(seconds=111)).claimed
    assert len(retaken) == 3 and all(claim.in_doubt for claim, _ in retaken)


@pytest.fixture
def many_pairs(db, world, slack):  # type: ignore[no-untyped-def]
    """Twenty mentorships due on Monday 16 November: forty nudges."""
    mentors = [
        make_mentor(db, person, max_mentees=10) for person in (world.veteran, world.londoner)
    ]
    for index in range(20):
        mentee = extra_person(
            db, slack.fake, f"UHIRE{index:02d}", f"Hire {index}", "America/New_York"
        )
        make_assignment(
            db,
            mentors[index % 2],
            type("P", (), {"user_id": mentee.id})(),
            start=date(2026, 11, 9),
        )
    db.commit()


def _race(sweep: Sweep, **kwargs: object) -> list[object]:
    barrier = threading.Barrier(2)
    reports: list[object] = []
    errors: list[BaseException] = []

    def run() -> None:
        barrier.wait()
        try:
            reports.append(sweep(MONDAY_MORNING, **kwargs))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return reports


def _nudges_per_recipient_and_mentorship(fake) -> dict[tuple[str, str], int]:  # type: ignore[no-untyped-def]
    counts: dict[tuple[str, str], int] = {}
    for call in fake.calls_to("chat.postMessage"):
        if "check-in" not in str(call.args.get("text")):
            continue
        value = call.args["blocks"][-1]["elements"][0]["value"]
        key = (str(call.args["channel"]), value)
        counts[key] = counts.get(key, 0) + 1
    return counts


@pytest.mark.parametrize("use_lock", [False, True], ids=["unique-key-alone", "advisory-lock"])
def test_two_sweeps_at_once_send_each_reminder_once(
    backend, slack, world, db, sweep, many_pairs, use_lock
) -> None:  # type: ignore[no-untyped-def]
    if backend != "postgresql":
        pytest.skip("concurrent sweeps are a PostgreSQL deployment (SQLite runs one process)")
    reports = _race(sweep, use_lock=use_lock)
    if use_lock:
        assert any(r.ran for r in reports)
    # Each mentor has ten due: two a sweep (Slack's pace), the rest in later sweeps.
    for minutes in (5, 10, 15, 20):
        reports.append(sweep(MONDAY_MORNING + timedelta(minutes=minutes)))

    counts = _nudges_per_recipient_and_mentorship(slack.fake)
    assert len(counts) == 40
    assert set(counts.values()) == {1}
    assert sum(r.count("sent") for r in reports) == 40 + 1  # and Max's weekly digest


def test_a_sweep_finding_another_one_running_does_nothing(
    backend, slack, world, db, sweep, pair, database_url
) -> None:  # type: ignore[no-untyped-def]
    if backend != "postgresql":
        pytest.skip("the advisory lock is PostgreSQL's")
    engine = make_engine(database_url)
    try:
        with engine.connect() as other_sweep:
            other_sweep.execute(text("SELECT pg_advisory_lock(:k)"), {"k": SWEEP_LOCK_KEY})
            report = sweep(MONDAY_MORNING)
            assert not report.ran and report.deliveries == []
            other_sweep.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": SWEEP_LOCK_KEY})
        assert sent(sweep(MONDAY_MORNING)) == ["UNEWT", "UVERA"]
    finally:
        engine.dispose()


@pytest.mark.parametrize("list_held", [True, False], ids=["cli", "scheduler"])
def test_more_due_than_one_sweep_claims_goes_out_over_the_next_sweeps_urgent_first(
    slack, world, db, sweep, list_held
) -> None:  # type: ignore[no-untyped-def]
    """A sweep claims only what it can send (here 3); the rest waits for the next sweeps,
    the Mentor Role's response-time reminders before check-ins, and nothing goes twice."""
    vera = make_mentor(db, world.veteran, max_mentees=10)
    for i in range(4):
        hire = extra_person(db, slack.fake, f"UHIRE{i}", f"Hire {i}", "America/New_York")
        db.add(
            Assignment(
                mentor_id=vera.id,
                mentee_user_id=hire.id,
                start_date=date(2026, 11, 9),
                status="active",
                mentor_accepted_at=at("2026-11-09T00:00"),
            )
        )
    omar = make_mentor(db, world.londoner)
    make_assignment(
        db,
        omar,
        world.new_hire,
        status="pending",
        assigned_by=world.manager,
        created_at=at("2026-11-15T14:00"),
    )
    db.commit()

    first = sweep(at("2026-11-16T15:00"), limit=3, list_held=list_held)
    assert first.count("sent") == 3
    assert first.deliveries[0].kind == "request_pending"  # 25 hours unanswered: first
    assert sent(first, "request_pending") == ["UOMAR"]
    assert first.deferred >= 8 - 2  # 4 pairs' check-ins, two of them sent already
    assert f"{first.deferred} left for the next sweep" in first.summary()

    later = [first]
    minute = 0
    while later[-1].deferred:
        minute += 5
        later.append(sweep(at("2026-11-16T15:00") + timedelta(minutes=minute), limit=3))
        assert later[-1].count("sent") <= 3
        assert minute < 60, [(r.deferred, r.summary()) for r in later]
    delivered = [d for r in later for d in r.deliveries]
    assert len(delivered) == first.count("sent") + first.deferred
    assert all(d.status == "sent" for d in delivered)
    sent_rows = db.scalar(select(func.count()).where(Notification.status == "sent"))
    assert sent_rows == len(delivered)  # one ledger row each: nothing went twice
    assert posts_to(slack.fake, "UVERA") == 4  # one check-in per mentorship
    assert all(posts_to(slack.fake, f"UHIRE{i}") == 1 for i in range(4))
    assert posts_to(slack.fake, "UOMAR") == 1


def test_a_mentor_with_many_mentees_due_at_once_gets_them_at_slacks_pace(
    slack, world, db, sweep, fake_slack
) -> None:  # type: ignore[no-untyped-def]
    """Slack takes about one message a second per conversation: eight check-ins to one
    mentor in one burst would be throttled (429) and stall the sweep for everyone.
    Each sweep sends her at most two; the next sweeps, minutes apart, the rest."""
    mentor = make_mentor(db, world.veteran, max_mentees=20)
    for n in range(8):
        mentee = extra_person(db, fake_slack, f"UMENTEE{n}", f"Mentee {n}", "America/New_York")
        make_assignment(
            db, mentor, type("P", (), {"user_id": mentee.id})(), start=date(2026, 11, 9)
        )
    db.commit()

    first = sweep(MONDAY_MORNING)
    assert len(slack.dms(world.veteran)) == 2
    assert first.deferred == 6
    assert len(sent(first)) == 8 + 2  # every mentee has theirs at once
    for minutes in (5, 10, 15):
        sweep(MONDAY_MORNING + timedelta(minutes=minutes))
    checkins = [m.all_text for m in slack.dms(world.veteran)]
    assert len(checkins) == 8
    for n in range(8):
        assert sum(f"*Mentee {n}*" in c for c in checkins) == 1
    assert fake_slack.throttled == []
