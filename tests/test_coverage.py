"""Coverage: a new hire without a mentor after N days, or who just joined, gets
their manager a DM with suggestions, so nobody falls through the cracks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from bot.listeners.matching import nudge_manager_about_coverage
from bot.services import coverage, program
from models import AuditEntry, User
from tests.factories import make_assignment, make_mentor


def test_new_hires_without_a_mentor_after_the_coverage_delay(db, world, clock) -> None:  # type: ignore[no-untyped-def]
    # Newt was hired 5 days ago, Nova 3, Jun 100 (outside the 90-day new-hire window).
    assert coverage.uncovered_new_hires(db, clock[0]) == []
    later = clock[0] + timedelta(days=3)
    uncovered = coverage.uncovered_new_hires(db, later)
    assert [(h.name, h.days_since_hire, h.manager_slack_user_id) for h in uncovered] == [
        ("Newt Newhire", 8, "UMAX")
    ]
    vera = make_mentor(db, world.veteran)
    make_assignment(db, vera, world.new_hire, status="pending")
    db.commit()
    assert coverage.uncovered_new_hires(db, later) == []

    program.update(db, changes={"coverage_days": 2}, actor_id=None, now=clock[0])
    db.commit()
    assert [h.name for h in coverage.uncovered_new_hires(db, clock[0])] == ["Nova Fresh"]


def test_the_manager_is_nudged_with_suggestions_and_can_assign_from_the_dm(
    slack, world, db, served
) -> None:  # type: ignore[no-untyped-def]
    make_mentor(db, world.veteran, expertise=["Product knowledge"])
    db.commit()
    assert nudge_manager_about_coverage(served.bolt.client, served.runtime, world.new_hire.user_id)
    nudge = slack.last_dm(world.manager)
    assert "*Newt Newhire* (<@UNEWT>) started 5 days ago and has no mentor yet" in nudge.all_text
    assert "1. Vera Veteran" in nudge.all_text
    slack.click(world.manager, "Assign", message=nudge, near="Vera Veteran")
    assert "Ask *Vera Veteran* to mentor *Newt Newhire*" in slack.modal_text(world.manager)


def test_no_nudge_once_the_hire_has_a_mentor(slack, world, db, served) -> None:  # type: ignore[no-untyped-def]
    vera = make_mentor(db, world.veteran)
    make_assignment(db, vera, world.new_hire)
    db.commit()
    assert not nudge_manager_about_coverage(
        served.bolt.client, served.runtime, world.new_hire.user_id
    )
    assert slack.dms(world.manager) == []


def test_without_a_manager_the_program_admins_are_nudged(slack, world, db, served) -> None:  # type: ignore[no-untyped-def]
    db.get(User, world.new_hire.user_id).manager_id = None
    make_mentor(db, world.veteran)
    db.commit()
    assert nudge_manager_about_coverage(served.bolt.client, served.runtime, world.new_hire.user_id)
    assert "has no mentor yet" in slack.last_dm(world.admin).all_text


def test_a_new_hire_joining_starts_the_same_flow_once(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    make_mentor(db, world.tokyo_veteran)
    db.commit()
    joined = {"type": "team_join", "user": {"id": world.tokyo_hire.id, "name": "nova"}}
    assert slack.event(joined, event_id="Ev1").status == 200
    nudge = slack.last_dm(world.manager)
    assert "*Nova Fresh* (<@UNOVA>) started 3 days ago and has no mentor yet" in nudge.all_text
    assert "1. Keiko Tanaka" in nudge.all_text
    # Slack retries the event; a second join event comes too: still one DM.
    assert slack.event(joined, event_id="Ev1", retry_num=1).status == 200
    assert slack.event(joined, event_id="Ev2").status == 200
    assert len(slack.dms(world.manager)) == 1
    db.expire_all()
    assert db.scalars(select(AuditEntry.action)).all().count("coverage.join_nudged") == 1


def test_a_hire_at_the_windows_edge_on_the_programs_day_is_nudged_on_joining(  # type: ignore[no-untyped-def]
    slack, world, db, clock
) -> None:
    """The program runs in Los Angeles: at 03:00 UTC on 18 Nov it is still 17 Nov
    there. Jun, hired on 19 Aug, is 90 days in by the program's day (inside its 90-day
    window), 91 by UTC's: his joining nudges his manager, with the program's count."""
    make_mentor(db, world.veteran)
    program.update(
        db, changes={"default_timezone": "America/Los_Angeles"}, actor_id=None, now=clock[0]
    )
    db.get(User, world.junior.user_id).hire_date = date(2026, 8, 19)
    db.commit()
    clock[0] = datetime(2026, 11, 18, 3, 0, tzinfo=UTC)
    assert slack.event({"type": "team_join", "user": {"id": world.junior.id}}).status == 200
    nudge = slack.last_dm(world.manager).all_text
    assert "*Jun Ior* (<@UJUNIOR>) started 90 days ago and has no mentor yet" in nudge, nudge


def test_joining_when_not_a_new_hire_or_not_in_the_roster_sends_nothing(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    make_mentor(db, world.veteran)
    db.commit()
    slack.fake.add_user("UGUEST", "Gus Guest")
    for who in (world.junior.id, "UGUEST"):
        reply = slack.event({"type": "team_join", "user": {"id": who}})
        assert reply.status == 200
    assert slack.dms(world.manager) == []
    assert slack.dms(world.admin) == []
