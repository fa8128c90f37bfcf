"""Scheduling a session ahead (issue 17): either side proposes up to three times, the
other sees them in their own timezone and confirms one; both get the time with a
calendar link, a reminder before it, and "How did it go?" after it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from bot.blocks import actions as ids
from bot.config import Settings
from bot.services import schedule_times, scheduling
from bot.services.errors import Conflict, InvalidInput
from bot.testing.harness import ServedApp
from models import AuditEntry, MentorshipSession, ScheduledSession, User
from tests.factories import make_assignment, make_mentor
from tests.reminders_support import Sweep, at, sent, sweeper
from tests.test_assignment_race import _postgres_only, _race

#: Two times on Thursday 19 November, typed by Vera in New York: 08:00 (07:00 for Newt
#: in Chicago, before his working day) and 11:00 (10:00 for Newt).
TWO_TIMES = {
    "Date 1": "2026-11-19",
    "Time 1": "08:00",
    "Duration 1 (minutes)": "45",
    "Date 2": "2026-11-19",
    "Time 2": "11:00",
    "Duration 2 (minutes)": "60",
    "Objectives": "Walk through the QBR deck",
    "Materials to prepare": "Last quarter's numbers",
}


@pytest.fixture
def sweep(served: ServedApp, settings: Settings) -> Sweep:
    return sweeper(served, settings)


@pytest.fixture
def pair(db, world):  # type: ignore[no-untyped-def]
    """Vera (New York) mentors Newt (Chicago), active since 2 Nov."""
    mentor = make_mentor(db, world.veteran)
    assignment = make_assignment(db, mentor, world.new_hire, assigned_by=world.manager)
    db.commit()
    return assignment


def scheduled(db) -> list[ScheduledSession]:  # type: ignore[no-untyped-def]
    db.expire_all()
    return list(db.scalars(sa.select(ScheduledSession).order_by(ScheduledSession.created_at)))


def dm_with(slack, who, text):  # type: ignore[no-untyped-def]
    """The newest DM to `who` that says `text`."""
    return [m for m in slack.dms(who) if text in m.all_text][-1]


def propose(slack, who, values=TWO_TIMES):  # type: ignore[no-untyped-def]
    slack.slash(who, "/mentor", "schedule")
    return slack.submit(who, values)


def test_schedule_confirm_remind_and_log(slack, world, db, pair, sweep, clock) -> None:  # type: ignore[no-untyped-def]
    sent_form = propose(slack, world.veteran)
    assert sent_form.ok, sent_form.errors
    assert "I sent your 2 times to *Newt Newhire*" in slack.modal_text(world.veteran)

    offer = slack.last_dm(world.new_hire)
    assert "*Vera Veteran* proposes a mentorship session" in offer.all_text
    assert "Thu 19 Nov 2026, 07:00-07:45 (America/Chicago)" in offer.all_text
    assert "Thu 19 Nov 2026, 10:00-11:00 (America/Chicago)" in offer.all_text
    early = [line for line in offer.all_text.splitlines() if "07:00-07:45" in line]
    assert "outside your working hours" in early[0]
    late = [line for line in offer.all_text.splitlines() if "10:00-11:00" in line]
    assert "outside your working hours" not in late[0]
    assert "Walk through the QBR deck" in offer.all_text

    slack.click(world.new_hire, "Confirm", message=offer, near="07:00-07:45")
    [proposal] = scheduled(db)
    assert proposal.status == "confirmed"
    assert proposal.starts_at == datetime(2026, 11, 19, 13, 0, tzinfo=UTC)
    assert proposal.duration_minutes == 45
    for person, zone_time in (
        (world.veteran, "08:00-08:45 (America/New_York)"),
        (world.new_hire, "07:00-07:45 (America/Chicago)"),
    ):
        confirmed = slack.last_dm(person)
        assert "is confirmed for" in confirmed.all_text and zone_time in confirmed.all_text
        assert "calendar.google.com/calendar/render?action=TEMPLATE" in confirmed.all_text
        assert "dates=20261119T130000Z%2F20261119T134500Z" in confirmed.all_text
        assert "Add to calendar" in confirmed.all_text

    # A second Confirm (a stale copy of the message) changes nothing.
    value = f"{proposal.id}:1"
    slack.press(world.new_hire, ids.SCHEDULE_CONFIRM, value)
    assert "already confirmed" in slack.last_ephemeral(world.new_hire).text
    [proposal] = scheduled(db)
    assert proposal.starts_at == datetime(2026, 11, 19, 13, 0, tzinfo=UTC)

    # 50 minutes before: 06:10 for Newt, 07:10 for Vera, outside both working days;
    # the reminder goes anyway, once.
    clock[0] = at("2026-11-19T12:10")
    assert sent(sweep(clock[0]), "session_reminder") == ["UNEWT", "UVERA"]
    assert sent(sweep(at("2026-11-19T12:20")), "session_reminder") == []
    assert "starts in 50 minutes" in slack.last_dm(world.new_hire).all_text

    # After its end (and in working hours) both are asked how it went.
    clock[0] = at("2026-11-19T15:00")
    assert sent(sweep(clock[0]), "session_followup") == ["UNEWT", "UVERA"]
    how = slack.last_dm(world.veteran)
    assert "How did your session with *Newt Newhire* go" in how.all_text
    slack.click(world.veteran, "Log session", message=how)
    form = slack.modal_text(world.veteran)
    assert "Walk through the QBR deck" in form
    logged = slack.submit(world.veteran, {"Topics": ["Renewals"], "Session quality": "5"})
    assert logged.ok, logged.errors

    db.expire_all()
    [session] = db.scalars(sa.select(MentorshipSession)).all()
    assert session.session_date == datetime(2026, 11, 19, 13, 0, tzinfo=UTC)
    assert session.duration_minutes == 45
    [proposal] = scheduled(db)
    assert proposal.status == "held" and proposal.session_id == session.id
    # The other side's "Log session" now says it is done, and nothing is logged twice.
    slack.click(world.new_hire, "Log session", message=dm_with(slack, world.new_hire, "How did"))
    assert "already logged" in slack.last_ephemeral(world.new_hire).text
    actions = set(db.scalars(sa.select(AuditEntry.action)))
    assert {"schedule.proposed", "schedule.confirmed", "schedule.held"} <= actions


def test_a_no_show_is_recorded_with_who_missed(slack, world, db, pair, sweep, clock) -> None:  # type: ignore[no-untyped-def]
    propose(slack, world.new_hire, {"Date 1": "2026-11-18", "Time 1": "10:00"})
    offer = slack.last_dm(world.veteran)
    assert "11:00-11:45 (America/New_York)" in offer.all_text  # Newt typed Chicago time
    slack.click(world.veteran, "Confirm", message=offer)

    clock[0] = at("2026-11-18T17:00")
    sweep(clock[0])
    slack.click(world.veteran, "It didn't happen", message=slack.last_dm(world.veteran))
    done = slack.submit(world.veteran, {"What happened": "Newt Newhire couldn't come"})
    assert done.ok, done.errors
    [proposal] = scheduled(db)
    assert proposal.status == "missed" and proposal.missed_by == "mentee"
    # Newt's own "Log session" can't turn it into a held session afterwards.
    slack.click(world.new_hire, "Log session", message=slack.last_dm(world.new_hire))
    assert "not having happened" in slack.last_ephemeral(world.new_hire).text


def test_bad_times_are_refused_on_their_field_and_nothing_is_written(
    slack, world, db, pair
) -> None:  # type: ignore[no-untyped-def]
    slack.slash(world.veteran, "/mentor", "schedule")
    past = slack.submit(world.veteran, {"Date 1": "2026-11-16", "Time 1": "10:00"})
    assert "already passed" in past.errors["Time 1"]
    zero = slack.submit(world.veteran, {"Duration 1 (minutes)": "0"})
    assert "from 1 to 480" in zero.errors["Duration 1 (minutes)"]
    long = slack.submit(
        world.veteran, {"Date 2": "2026-11-20", "Time 2": "10:00", "Duration 2 (minutes)": "481"}
    )
    assert "from 1 to 480" in long.errors["Duration 2 (minutes)"]
    no_time = slack.submit(world.veteran, {"Date 3": "2026-11-20"})
    assert "Pick a time" in no_time.errors["Time 3"]
    assert scheduled(db) == []
    assert slack.dms(world.new_hire) == []


def test_cancel_before_the_start_tells_the_other_side(slack, world, db, pair, sweep, clock) -> None:  # type: ignore[no-untyped-def]
    propose(slack, world.veteran)
    slack.click(
        world.new_hire, "Confirm", message=slack.last_dm(world.new_hire), near="10:00-11:00"
    )
    slack.click(world.new_hire, "Cancel", message=slack.last_dm(world.new_hire))
    told = slack.last_dm(world.veteran)
    assert "*Newt Newhire* cancelled your session" in told.all_text
    assert [p.status for p in scheduled(db)] == ["cancelled"]
    # Confirming the cancelled proposal from the old message changes nothing.
    slack.press(world.new_hire, ids.SCHEDULE_CONFIRM, f"{scheduled(db)[0].id}:0")
    assert "cancelled" in slack.last_ephemeral(world.new_hire).text
    assert [p.status for p in scheduled(db)] == ["cancelled"]


def test_propose_another_replaces_the_proposal(slack, world, db, pair) -> None:  # type: ignore[no-untyped-def]
    propose(slack, world.veteran)
    slack.click(world.new_hire, "Propose another", message=slack.last_dm(world.new_hire))
    again = slack.submit(world.new_hire, {"Date 1": "2026-11-20", "Time 1": "09:30"})
    assert again.ok, again.errors
    first, second = scheduled(db)
    assert first.status == "rescheduled" and second.replaces_id == first.id
    offer = slack.last_dm(world.veteran)
    assert "asks to move your session" in offer.all_text
    assert "Fri 20 Nov 2026, 10:30-11:15 (America/New_York)" in offer.all_text
    # Someone else's proposal can't be confirmed by its author.
    slack.press(world.new_hire, ids.SCHEDULE_CONFIRM, f"{second.id}:0")
    assert "Only the person" in slack.last_ephemeral(world.new_hire).text


def test_two_confirms_at_once_schedule_exactly_one_session(
    backend, engine, db, world, pair, clock
) -> None:  # type: ignore[no-untyped-def]
    """Two Confirm clicks racing (two options, two tabs) on PostgreSQL: one confirms."""
    _postgres_only(backend)
    for _ in range(5):  # several rounds, so a lucky ordering can't hide a lost update
        proposal = scheduling.propose(
            db,
            actor_id=world.veteran.user_id,
            assignment_id=pair.id,
            options=[
                schedule_times.OptionInput("2026-11-19", "11:00", 45),
                schedule_times.OptionInput("2026-11-20", "11:00", 45),
            ],
            objectives="",
            materials="",
            now=clock[0],
            timezone="America/New_York",
        )
        db.commit()

        def confirming(option, proposal_id=proposal.proposal_id):  # type: ignore[no-untyped-def]
            return lambda session: scheduling.confirm(
                session,
                actor_id=world.new_hire.user_id,
                proposal_id=proposal_id,
                option=option,
                now=clock[0],
            )

        results = _race(engine, confirming(0), confirming(1))
        assert sum(isinstance(r, scheduling.Confirmed) for r in results) == 1, results
        assert sum(isinstance(r, Conflict) for r in results) == 1, results
        db.expire_all()
        row = db.get(ScheduledSession, proposal.proposal_id)
        assert row.status == "confirmed"
        row.status = "cancelled"  # frees the pair for the next round
        db.commit()


def test_an_unanswered_proposal_reminds_at_24_hours_and_escalates_at_48_once(
    slack, world, db, pair, sweep
) -> None:  # type: ignore[no-untyped-def]
    db.get(User, world.admin.user_id).is_admin = True
    db.commit()
    propose(slack, world.new_hire, {"Date 1": "2026-11-23", "Time 1": "10:00"})
    assert "proposes" in slack.last_dm(world.veteran).all_text

    assert sent(sweep(at("2026-11-18T14:59")), "schedule_proposal") == []
    assert sent(sweep(at("2026-11-18T15:00")), "schedule_proposal") == ["UVERA"]
    assert "waiting 24 hours" in slack.last_dm(world.veteran).all_text
    assert sent(sweep(at("2026-11-18T16:00")), "schedule_proposal") == []
    assert sent(sweep(at("2026-11-19T14:59")), "schedule_escalation") == []
    assert sent(sweep(at("2026-11-19T15:00")), "schedule_escalation") == ["UADMIN", "UVERA"]
    assert sent(sweep(at("2026-11-19T16:00")), "schedule_escalation") == []
    told = slack.last_dm(world.admin)
    assert "has waited 48 hours for *Vera Veteran*'s answer" in told.all_text


def test_a_confirmed_session_ahead_replaces_the_check_in_nudge(
    slack, world, db, pair, sweep, clock
) -> None:  # type: ignore[no-untyped-def]
    propose(slack, world.veteran, {"Date 1": "2026-11-24", "Time 1": "11:00"})
    slack.click(world.new_hire, "Confirm", message=dm_with(slack, world.new_hire, "proposes"))
    # Weekly since 2 Nov and nothing logged: a check-in is due, but the session is ahead.
    assert sent(sweep(at("2026-11-17T16:00"))) == []
    assert sent(sweep(at("2026-11-24T15:00"))) == []
    # Once it has passed without a log, the cadence nudge is back, with the way to schedule.
    clock[0] = at("2026-11-25T15:00")
    assert sent(sweep(clock[0])) == ["UNEWT", "UVERA"]
    nudge = dm_with(slack, world.veteran, "check-in")
    slack.click(world.veteran, "Schedule next session", message=nudge)
    assert "Propose up to 3 times to *Newt Newhire*" in slack.modal_text(world.veteran)


def test_more_than_three_times_are_refused_and_nothing_is_written(db, world, pair, clock) -> None:  # type: ignore[no-untyped-def]
    """The modal offers three; a caller offering four (a forged submission) is refused."""
    four = [schedule_times.OptionInput(f"2026-11-{day}", "11:00", 45) for day in (19, 20, 23, 24)]
    with pytest.raises(InvalidInput) as refused:
        scheduling.propose(
            db,
            actor_id=world.veteran.user_id,
            assignment_id=pair.id,
            options=four,
            objectives="",
            materials="",
            now=clock[0],
            timezone="America/New_York",
        )
    assert "at most 3 times" in str(refused.value)
    assert scheduled(db) == []


def test_the_confirmation_waits_for_the_working_day_of_whoever_is_off(
    slack, world, db, pair, sweep, clock
) -> None:  # type: ignore[no-untyped-def]
    """Confirmed at 09:30 in New York, 08:30 in Chicago: Vera is told at once, Newt's
    copy is held (counted as such by the scheduler's sweep) until his 09:00."""
    clock[0] = at("2026-11-17T14:30")
    propose(slack, world.new_hire, {"Date 1": "2026-11-19", "Time 1": "10:00"})
    slack.click(world.veteran, "Confirm", message=dm_with(slack, world.veteran, "proposes"))
    assert "is confirmed for" in slack.last_dm(world.veteran).all_text
    assert not [m for m in slack.dms(world.new_hire) if "is confirmed" in m.all_text]

    held = sweep(at("2026-11-17T14:45"), list_held=False)
    assert held.held_counts["schedule_confirmed"] == 1 and sent(held, "schedule_confirmed") == []
    morning = sweep(at("2026-11-17T15:00"), list_held=False)
    assert sent(morning, "schedule_confirmed") == ["UNEWT"]
    assert "is confirmed for" in slack.last_dm(world.new_hire).all_text


def test_the_scheduler_holds_the_reminder_and_escalation_for_each_ones_working_day(
    slack, world, db, pair, sweep, clock, backend
) -> None:  # type: ignore[no-untyped-def]
    """Proposed on a Friday and left unanswered over the weekend: the scheduler's sweep
    (which judges working hours in its queries) counts Vera's reminder and each
    escalation as held until the recipient's Monday, London's admin before New York."""
    db.get(User, world.londoner.user_id).is_admin = True
    db.commit()
    clock[0] = at("2026-11-20T15:00")  # Friday, 10:00 in New York
    propose(slack, world.new_hire, {"Date 1": "2026-11-26", "Time 1": "10:00"})
    assert "proposes" in slack.last_dm(world.veteran).all_text

    # The 24-hour reminder; SQLite's query can't see the ledger, so there Friday's DM
    # (sent already) is found again and counted as held too.
    reminder_held = 1 if backend == "postgresql" else 2
    saturday = sweep(at("2026-11-21T15:00"), list_held=False)
    assert saturday.held_counts["schedule_proposal"] == reminder_held
    assert sent(saturday, "schedule_proposal") == []
    sunday = sweep(at("2026-11-22T15:00"), list_held=False)
    assert sunday.held_counts["schedule_proposal"] == reminder_held
    assert sunday.held_counts["schedule_escalation"] == 2  # Vera and Omar
    london_monday = sweep(at("2026-11-23T09:00"), list_held=False)  # 04:00 in New York
    assert sent(london_monday, "schedule_escalation") == ["UOMAR"]
    assert london_monday.held_counts["schedule_escalation"] == 1
    assert london_monday.held_counts["schedule_proposal"] == reminder_held
    new_york_monday = sweep(at("2026-11-23T14:00"), list_held=False)
    assert sent(new_york_monday, "schedule_proposal") == ["UVERA"]
    assert sent(new_york_monday, "schedule_escalation") == ["UVERA"]
    assert "waiting" in dm_with(slack, world.veteran, "waiting").all_text
    later = sweep(at("2026-11-23T15:00"), list_held=False)
    assert later.held_counts.total() == 0
    assert sent(later, "schedule_proposal") == sent(later, "schedule_escalation") == []
