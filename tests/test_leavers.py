"""People who leave the workspace, found the way Slack reports them: the `user_change`
event, `deleted: true` in `users.info`, `user_not_found`. (A DM to a deactivated
account still goes through on real Slack, so a post succeeding proves nothing.)
Their reminders stop, what waited on them is withdrawn and the asker told, and the
manager of a mentee whose mentor left gets one DM with the next-best mentor."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.testing.harness import ServedApp
from models import Assignment, AuditEntry, Mentor, User
from tests.factories import make_assignment, make_mentor
from tests.reminders_support import Sweep, at, clocked_sweeper, posts_to

MONDAY_MORNING = at("2026-11-16T15:00")  # 10:00 New York, 09:00 Chicago: check-ins due


@pytest.fixture
def sweep(served: ServedApp, settings: Settings, clock: list[datetime]) -> Sweep:
    return clocked_sweeper(served, settings, clock)


@pytest.fixture
def vera_mentors_newt(db, world):  # type: ignore[no-untyped-def]
    """Vera mentors Newt, weekly from 9 November (both due on the 16th), asked by Max;
    Omar is a mentor with room, the next best for Newt."""
    make_mentor(db, world.londoner, expertise=["Product knowledge"])
    vera = make_mentor(db, world.veteran)
    assignment = make_assignment(
        db, vera, world.new_hire, start=datetime(2026, 11, 9).date(), assigned_by=world.manager
    )
    db.commit()
    return assignment


def user_change(slack, who) -> dict:  # type: ignore[no-untyped-def]
    """The `user_change` event Slack sends with the person's profile as it is now."""
    return {"type": "user_change", "user": dict(slack.fake.users[who.id])}


def test_a_mentor_who_leaves_ends_the_mentorship_and_the_manager_gets_one_next_step(
    slack, world, db, sweep, vera_mentors_newt
) -> None:  # type: ignore[no-untyped-def]
    slack.fake.deactivate(world.veteran.id)
    left = user_change(slack, world.veteran)
    assert slack.event(left, event_id="EvLeft").status == 200
    # Slack retries the event, and a later profile event comes too: nothing twice.
    assert slack.event(left, event_id="EvLeft", retry_num=1).status == 200
    assert slack.event(left, event_id="EvLater").status == 200

    db.expire_all()
    assert db.get(User, world.veteran.user_id).deactivated_at is not None
    mentorship = db.get(Assignment, vera_mentors_newt.id)
    assert mentorship.status == "cancelled"
    assert "Vera Veteran left the workspace" in mentorship.cancel_reason
    vera = db.scalar(select(Mentor).where(Mentor.user_id == world.veteran.user_id))
    assert vera.current_mentee_count == 0
    audit = list(db.scalars(select(AuditEntry.action)))
    assert audit.count("user.deactivated") == 1 and audit.count("mentorship.cancelled") == 1

    # Max, Newt's manager, gets ONE DM: what happened and the next-best mentor to assign.
    [offer] = slack.dms(world.manager)
    assert "Vera Veteran left the workspace" in offer.all_text
    assert "Omar Okafor" in offer.all_text
    # Newt hears that his mentorship ended and who helps him on.
    [notice] = slack.dms(world.new_hire)
    assert "Vera Veteran left the workspace, so your mentorship has ended" in notice.all_text
    assert "Max Manager will help you find a new mentor" in notice.all_text
    assert slack.dms(world.veteran) == []

    slack.click(world.manager, "Assign", message=offer, near="Omar")
    assert "Ask *Omar Okafor* to mentor *Newt Newhire*" in slack.modal_text(world.manager)

    # Their reminders stop: Monday's check-ins go to nobody.
    report = sweep(MONDAY_MORNING)
    assert [d for d in report.deliveries if d.kind == "checkin"] == []
    assert posts_to(slack.fake, world.veteran.id) == 0


def test_without_a_manager_the_admins_get_the_next_step(
    slack, world, db, vera_mentors_newt
) -> None:  # type: ignore[no-untyped-def]
    newt = db.get(User, world.new_hire.user_id)
    newt.manager_id = None
    db.get(Assignment, vera_mentors_newt.id).assigned_by_user_id = None
    db.commit()
    slack.fake.deactivate(world.veteran.id)
    assert slack.event(user_change(slack, world.veteran)).status == 200

    [offer] = slack.dms(world.admin)
    assert "Vera Veteran left the workspace" in offer.all_text and "Omar Okafor" in offer.all_text
    assert slack.dms(world.manager) == []
    assert "The program admins will help you" in slack.last_dm(world.new_hire).all_text


@pytest.mark.parametrize("how", ["deleted", "user_not_found"])
def test_the_sweep_finds_a_leaver_with_users_info_before_reminding_anyone(
    slack, world, db, sweep, vera_mentors_newt, how
) -> None:  # type: ignore[no-untyped-def]
    """No event came (the app was down): the sweep asks `users.info` about the people
    it is about to remind, once a day, and Newt's account is gone."""
    if how == "deleted":
        slack.fake.deactivate(world.new_hire.id)
    else:
        del slack.fake.users[world.new_hire.id]

    report = sweep(MONDAY_MORNING)

    assert report.departed == ["UNEWT"]
    # Neither Newt nor Vera gets a check-in about a mentorship that just ended.
    assert [d for d in report.deliveries if d.kind == "checkin"] == []
    assert posts_to(slack.fake, world.new_hire.id) == 0
    [told] = slack.dms(world.veteran)
    assert "Newt Newhire left the workspace, so their mentorship with Vera Veteran has ended" in (
        told.all_text
    )
    assert "Nothing for you to do" in told.all_text
    about_newt = [m for m in slack.dms(world.manager) if "Newt Newhire left" in m.all_text]
    assert len(about_newt) == 1  # beside the weekly digest Max gets on Mondays
    db.expire_all()
    assert db.get(User, world.new_hire.user_id).deactivated_at == MONDAY_MORNING
    assert db.get(User, world.veteran.user_id).profile_checked_at == MONDAY_MORNING

    # Vera's account was confirmed this morning: not asked again the same day.
    asked = len(slack.fake.calls_to("users.info"))
    sweep(MONDAY_MORNING + timedelta(hours=3))
    assert len(slack.fake.calls_to("users.info")) == asked
    assert len(slack.dms(world.veteran)) == 1


def test_a_request_to_a_mentor_who_left_is_withdrawn_and_the_asker_told(
    slack, world, db, sweep
) -> None:  # type: ignore[no-untyped-def]
    make_mentor(db, world.londoner, expertise=["Product knowledge"])
    vera = make_mentor(db, world.veteran, expertise=["Renewals"])
    request = make_assignment(
        db,
        vera,
        world.new_hire,
        status="pending",
        assigned_by=world.manager,
        created_at=at("2026-11-16T15:00"),
    )
    db.commit()
    slack.fake.deactivate(world.veteran.id)

    # A day later Vera would be reminded of the request: the sweep checks her first.
    report = sweep(at("2026-11-17T16:00"))

    assert report.departed == ["UVERA"]
    assert posts_to(slack.fake, world.veteran.id) == 0
    db.expire_all()
    assert db.get(Assignment, request.id).status == "cancelled"
    [offer] = [m for m in slack.dms(world.manager) if "Vera Veteran" in m.all_text]
    withdrawn = "Vera Veteran left the workspace, so the request to mentor Newt Newhire is"
    assert withdrawn in offer.all_text
    assert "Omar Okafor" in offer.all_text
    # The request's fallback later finds nothing to offer again.
    sweep(at("2026-11-19T16:00"))
    assert len([m for m in slack.dms(world.manager) if "Vera Veteran" in m.all_text]) == 1


def test_a_profile_change_updates_the_roster_and_ends_nothing(
    slack, world, db, vera_mentors_newt
) -> None:  # type: ignore[no-untyped-def]
    profile = dict(slack.fake.users[world.veteran.id], tz="Europe/Lisbon")
    assert slack.event({"type": "user_change", "user": profile}).status == 200
    db.expire_all()
    vera = db.get(User, world.veteran.user_id)
    assert (vera.timezone, vera.deactivated_at) == ("Europe/Lisbon", None)
    assert db.get(Assignment, vera_mentors_newt.id).status == "active"
    assert slack.dms(world.manager) == []
    # Someone outside the roster changing their profile is not added to it.
    slack.fake.add_user("UOUTSIDE", "Olga Outside")
    assert slack.event(user_change(slack, type("P", (), {"id": "UOUTSIDE"}))).status == 200
    assert db.scalar(select(User).where(User.slack_user_id == "UOUTSIDE")) is None


def test_someone_whose_account_comes_back_is_active_again(
    slack, world, db, vera_mentors_newt
) -> None:  # type: ignore[no-untyped-def]
    slack.fake.deactivate(world.veteran.id)
    assert slack.event(user_change(slack, world.veteran)).status == 200
    slack.fake.users[world.veteran.id]["deleted"] = False  # an admin reactivated her
    assert slack.event(user_change(slack, world.veteran)).status == 200

    db.expire_all()
    assert db.get(User, world.veteran.user_id).deactivated_at is None
    assert db.get(Assignment, vera_mentors_newt.id).status == "cancelled"  # stays ended
    actions = list(db.scalars(select(AuditEntry.action)))
    assert actions.count("user.deactivated") == actions.count("user.reactivated") == 1


def test_a_mentorship_ended_by_a_leaver_is_dated_on_the_programs_day(
    slack, world, db, clock, vera_mentors_newt
) -> None:  # type: ignore[no-untyped-def]
    """The program runs in Auckland, where 15:00 UTC on 17 Nov is already 18 Nov."""
    from datetime import date

    from bot.services import program

    program.update(
        db, changes={"default_timezone": "Pacific/Auckland"}, actor_id=None, now=clock[0]
    )
    db.commit()
    slack.fake.deactivate(world.veteran.id)
    assert slack.event(user_change(slack, world.veteran)).status == 200
    db.expire_all()
    assert db.get(Assignment, vera_mentors_newt.id).actual_end_date == date(2026, 11, 18)
