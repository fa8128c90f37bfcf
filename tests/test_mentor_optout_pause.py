"""`/mentor optout` stops new mentees and declines waiting requests (managers told why);
`/mentor pause until YYYY-MM-DD` takes a mentor out of matching until then, and the
pause ends by itself."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from bot.services import mentors
from models import Assignment, AuditEntry, Mentor
from tests.factories import make_assignment, make_mentor


def _reload(db, row):  # type: ignore[no-untyped-def]
    db.expire_all()
    return db.get(type(row), row.id)


def _available_ids(db, today: date) -> set:  # type: ignore[no-untyped-def]
    db.expire_all()
    return set(db.scalars(sa.select(Mentor.id).where(mentors.available_filter(today))))


def test_optout_declines_waiting_requests_and_keeps_active_ones(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    mentor = make_mentor(db, world.veteran, max_mentees=3)
    active = make_assignment(db, mentor, world.junior, assigned_by=world.manager)
    waiting = make_assignment(
        db, mentor, world.new_hire, status="pending", assigned_by=world.manager
    )
    # No assigned_by: the mentee's manager in the roster is told instead.
    unowned = make_assignment(db, mentor, world.tokyo_hire, status="pending")
    db.commit()

    reply = slack.mentor(world.veteran, "optout")
    text = reply.all_text
    assert "you won't be offered new mentees" in text
    assert "Your 1 active mentorship continues" in text
    assert "I declined 2 requests" in text

    mentor = _reload(db, mentor)
    assert not mentor.is_active and mentor.opted_out_at is not None
    assert mentor.current_mentee_count == 1
    assert _reload(db, active).status == "active"
    for assignment in (waiting, unowned):
        declined = _reload(db, assignment)
        assert declined.status == "declined"
        assert declined.decline_reason == "Mentor opted out"
        assert declined.declined_at is not None

    manager_dms = [m.all_text for m in slack.dms(world.manager)]
    assert len(manager_dms) == 2
    assert any("*Newt Newhire* was declined automatically" in t for t in manager_dms)
    assert any("*Nova Fresh* was declined automatically" in t for t in manager_dms)
    assert all("Vera Veteran has stopped mentoring" in t for t in manager_dms)
    assert any(f"/mentor match <@{world.new_hire.id}>" in t for t in manager_dms)

    actions = list(db.scalars(sa.select(AuditEntry.action)))
    assert actions.count("mentor.opted_out") == 1
    assert actions.count("assignment.declined") == 2


def test_optout_twice_changes_nothing_more(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    mentor = make_mentor(db, world.veteran)
    make_assignment(db, mentor, world.new_hire, status="pending", assigned_by=world.manager)
    db.commit()
    slack.mentor(world.veteran, "optout")
    again = slack.mentor(world.veteran, "optout").all_text
    assert "You opted out on Tue 17 Nov 2026; nothing more to do" in again
    assert len(slack.dms(world.manager)) == 1
    db.expire_all()
    assert list(db.scalars(sa.select(AuditEntry.action))).count("mentor.opted_out") == 1


def test_opted_out_mentor_can_come_back(slack, world, db, clock) -> None:  # type: ignore[no-untyped-def]
    mentor = make_mentor(db, world.veteran)
    db.commit()
    slack.mentor(world.veteran, "optout")
    assert mentor.id not in _available_ids(db, clock[0].date())
    slack.slash(world.veteran, "/mentor", "optin")
    assert "Become a mentor" in slack.modal_text(world.veteran)
    assert slack.submit(world.veteran).ok
    mentor = _reload(db, mentor)
    assert mentor.is_active and mentor.opted_out_at is None
    assert mentor.id in _available_ids(db, clock[0].date())


def test_optout_of_someone_who_is_not_a_mentor(slack, world) -> None:  # type: ignore[no-untyped-def]
    text = slack.mentor(world.new_hire, "optout").all_text
    assert "You aren't a mentor yet. `/mentor optin` to become one." in text


def test_pause_until_a_date_then_available_again_by_itself(slack, world, db, clock) -> None:  # type: ignore[no-untyped-def]
    mentor = make_mentor(db, world.veteran)
    other = make_mentor(db, world.londoner)
    db.commit()
    today = clock[0].date()
    assert _available_ids(db, today) == {mentor.id, other.id}

    text = slack.mentor(world.veteran, "pause until 2026-12-31").all_text
    assert "until Thu 31 Dec 2026 (inclusive)" in text
    assert "From Fri 1 Jan 2027 you're available again by yourself" in text
    mentor = _reload(db, mentor)
    assert mentor.paused_until == date(2026, 12, 31)

    assert _available_ids(db, today) == {other.id}
    assert not mentors.is_available(mentor, date(2026, 12, 31))
    # The day after, nobody has to do anything: matching sees the mentor again.
    assert _available_ids(db, date(2027, 1, 1)) == {mentor.id, other.id}
    assert mentors.is_available(mentor, date(2027, 1, 1))

    profile = slack.mentor(world.manager, f"profile <@{world.veteran.id}>").all_text
    assert "Paused until Thu 31 Dec 2026" in profile
    clock[0] = clock[0] + timedelta(days=45)
    profile = slack.mentor(world.manager, f"profile <@{world.veteran.id}>").all_text
    assert "Available for new mentees" in profile
    assert list(db.scalars(sa.select(AuditEntry.action))).count("mentor.paused") == 1


def test_pause_off_ends_it_early(slack, world, db, clock) -> None:  # type: ignore[no-untyped-def]
    mentor = make_mentor(db, world.veteran, paused_until=date(2026, 12, 31))
    db.commit()
    text = slack.mentor(world.veteran, "pause off").all_text
    assert "You're not paused" in text
    assert _reload(db, mentor).paused_until is None
    assert mentor.id in _available_ids(db, clock[0].date())


def test_bad_pause_dates_are_refused_and_nothing_is_written(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    mentor = make_mentor(db, world.veteran)
    db.commit()
    cases = {
        "pause until 2026-11-01": "2026-11-01 is not in the future (today is 2026-11-17)",
        "pause until 2026-11-17": "2026-11-17 is not in the future",
        "pause until next week": "'next week' is not a date like 2026-12-31",
        "pause until 31/12/2026": "'31/12/2026' is not a date like 2026-12-31",
        "pause until 2026-02-30": "'2026-02-30' is not a date like 2026-12-31",
        "pause": "Tell me until when",
    }
    for typed, message in cases.items():
        text = slack.mentor(world.veteran, typed).all_text
        assert message in text, typed
        assert "/mentor pause until YYYY-MM-DD" in text
    assert _reload(db, mentor).paused_until is None
    assert "mentor.paused" not in list(db.scalars(sa.select(AuditEntry.action)))


def test_today_is_the_mentors_own_date(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    # 15:00 UTC on the 17th is already midnight on the 18th in Tokyo.
    make_mentor(db, world.tokyo_veteran)
    make_mentor(db, world.veteran)
    db.commit()
    assert "is not in the future (today is 2026-11-18)" in (
        slack.mentor(world.tokyo_veteran, "pause until 2026-11-18").all_text
    )
    assert "Paused" in slack.mentor(world.veteran, "pause until 2026-11-18").all_text


def test_pending_requests_are_untouched_by_pause(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    mentor = make_mentor(db, world.veteran)
    waiting = make_assignment(db, mentor, world.new_hire, status="pending")
    db.commit()
    slack.mentor(world.veteran, "pause until 2026-12-01")
    assert _reload(db, waiting).status == "pending"
    db.expire_all()
    assert db.scalar(sa.select(sa.func.count()).select_from(Assignment)) == 1
