"""`/mentor optin`: eligible people get a modal and become mentors; ineligible people
are told each unmet criterion; bad input keeps the modal open and writes nothing."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from bot.services import capacity, program
from bot.services.errors import InvalidInput
from models import AuditEntry, Mentor, MentorTraining, User
from tests.factories import make_assignment, make_mentor
from tests.statements import BY_ROSTER_ID, connections_taken, statements_run


def _mentor(db, person) -> Mentor | None:  # type: ignore[no-untyped-def]
    db.expire_all()
    return db.scalar(sa.select(Mentor).where(Mentor.user_id == person.user_id))


def _audit_actions(db) -> list[str]:  # type: ignore[no-untyped-def]
    db.expire_all()
    return list(db.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.created_at)))


def test_eligible_person_opts_in_through_the_modal(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    vera = world.veteran
    slack.fake.add_user(vera.id, vera.name, tz="America/Los_Angeles")  # moved west since import
    answers = slack.slash(vera, "/mentor", "optin")
    assert answers == []  # a modal, not a message
    modal = slack.modal_text(vera)
    assert "Become a mentor" in modal
    assert "America/Los_Angeles" in modal  # the timezone comes from Slack and is shown
    assert "Capacity: 2" in modal  # the program's default capacity

    done = slack.submit(
        vera,
        {
            "Expertise": ["Renewals", "QBRs & business reviews"],
            "Capacity": "3",
            "Availability": "Tue/Thu afternoons ET",
        },
    )
    assert done.ok, done.errors
    mentor = _mentor(db, vera)
    assert mentor is not None
    assert mentor.expertise_areas == ["Renewals", "QBRs & business reviews"]
    assert (mentor.max_mentees, mentor.current_mentee_count) == (3, 0)
    assert mentor.availability_notes == "Tue/Thu afternoons ET"
    assert mentor.is_active and mentor.opted_out_at is None
    assert db.get(User, vera.user_id).timezone == "America/Los_Angeles"
    confirmation = slack.last_dm(vera).all_text
    assert "You're a mentor now" in confirmation
    assert "0 of 3 mentees · 3 places free" in confirmation
    assert "mentor.opted_in" in _audit_actions(db)


def test_running_optin_again_opens_the_modal_prefilled_and_updates(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    vera = world.veteran
    slack.slash(vera, "/mentor", "optin")
    assert slack.submit(vera, {"Expertise": ["Renewals"], "Capacity": "2"}).ok

    slack.slash(vera, "/mentor", "optin")
    modal = slack.modal_text(vera)
    assert "Your mentor profile" in modal
    assert "Expertise: Renewals" in modal
    assert "Capacity: 2" in modal
    assert slack.submit(vera, {"Capacity": "4", "Availability": "Mornings"}).ok

    mentor = _mentor(db, vera)
    assert (mentor.max_mentees, mentor.expertise_areas) == (4, ["Renewals"])
    assert mentor.availability_notes == "Mornings"
    assert db.scalar(sa.select(sa.func.count()).select_from(Mentor)) == 1
    assert "Your mentor profile is saved" in slack.last_dm(vera).all_text
    assert _audit_actions(db).count("mentor.updated") == 1


def test_a_retried_submission_changes_and_confirms_nothing_twice(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    vera = world.veteran
    slack.slash(vera, "/mentor", "optin")
    view = slack.modal(vera)
    assert slack.submit(vera, {"Expertise": ["Renewals"], "Capacity": "2"}).ok
    slack.fake.push_view(vera.id, view)  # Slack resends the same submission
    assert slack.submit(vera, {"Expertise": ["Renewals"], "Capacity": "2"}, retry_num=1).ok
    assert len(slack.dms(vera)) == 1
    assert _audit_actions(db).count("mentor.opted_in") == 1
    assert "mentor.updated" not in _audit_actions(db)


def test_ineligible_person_is_told_each_unmet_criterion_and_gets_no_modal(
    slack, world, db, clock
) -> None:  # type: ignore[no-untyped-def]
    program.update(db, changes={"min_performance_rating": 4.0}, actor_id=None, now=clock[0])
    db.commit()
    reply = slack.mentor(world.junior, "optin")
    assert slack.modal(world.junior) is None
    text = reply.all_text
    # Jun was hired 100 days ago (the minimum is 180) and is rated 3.9 (the minimum is 4).
    assert "Tenure: at least 180 days" in text
    assert "you have 100" in text
    assert "from 2027-02-05" in text
    assert "Performance rating: 4 or more; yours is 3.9" in text
    assert _mentor(db, world.junior) is None


def test_missing_roster_data_is_named_too(slack, world, db, clock) -> None:  # type: ignore[no-untyped-def]
    program.update(db, changes={"min_performance_rating": 3.0}, actor_id=None, now=clock[0])
    user = db.get(User, world.veteran.user_id)
    user.hire_date = None
    user.performance_rating = None
    db.commit()
    text = slack.mentor(world.veteran, "optin").all_text
    assert "the roster has no hire date for you" in text
    assert "the roster has no rating for you" in text


def test_eligibility_follows_the_settings(slack, world, db, clock) -> None:  # type: ignore[no-untyped-def]
    program.update(db, changes={"min_tenure_days": 90}, actor_id=None, now=clock[0])
    db.commit()
    assert slack.slash(world.junior, "/mentor", "optin") == []
    assert "Become a mentor" in slack.modal_text(world.junior)


@pytest.mark.parametrize(
    ("capacity", "message"),
    [
        ("abc", "'abc' is not a number. Enter a whole number from 1 to 20."),
        ("0", "Capacity must be a whole number from 1 to 20"),
        ("-2", "Capacity must be a whole number from 1 to 20"),
        ("21", "the program's maximum is 20"),
        ("", "Enter how many mentees you can take at once"),
    ],
)
def test_bad_capacity_keeps_the_modal_open_and_writes_nothing(  # type: ignore[no-untyped-def]
    slack, world, db, capacity: str, message: str
) -> None:
    slack.slash(world.veteran, "/mentor", "optin")
    result = slack.submit(world.veteran, {"Expertise": ["Renewals"], "Capacity": capacity})
    assert not result.ok
    assert message in result.errors["Capacity"]
    assert slack.modal(world.veteran) is not None
    assert _mentor(db, world.veteran) is None
    # Nothing but the import and Vera's first request (her workspace noted) is audited.
    # Both rows are written at one app instant, so they have no order: compare sorted.
    assert sorted(_audit_actions(db)) == ["roster.imported", "user.first_contact"]


def test_empty_expertise_and_capacity_are_both_reported(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    slack.slash(world.veteran, "/mentor", "optin")
    result = slack.submit(world.veteran, {"Expertise": [], "Capacity": "abc"})
    assert result.errors["Expertise"] == "Choose at least one area of expertise from the list."
    assert "not a number" in result.errors["Capacity"]
    assert _mentor(db, world.veteran) is None


def test_capacity_below_current_mentees_is_refused_with_the_reason(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    mentor = make_mentor(db, world.veteran, max_mentees=3)
    make_assignment(db, mentor, world.new_hire)
    make_assignment(db, mentor, world.tokyo_hire)
    db.commit()
    slack.slash(world.veteran, "/mentor", "optin")
    result = slack.submit(world.veteran, {"Capacity": "1"})
    assert result.errors["Capacity"].startswith(
        "You mentor 2 people right now, so capacity can't go below 2."
    )
    assert _mentor(db, world.veteran).max_mentees == 3
    # Exactly the current count is fine.
    assert slack.submit(world.veteran, {"Capacity": "2"}).ok
    mentor = _mentor(db, world.veteran)
    assert (mentor.max_mentees, mentor.current_mentee_count) == (2, 2)
    assert "2 of 2 mentees · 0 places free" in slack.last_dm(world.veteran).all_text


def test_certification_first_means_waiting_inactive_until_certified(
    slack, world, db, clock
) -> None:  # type: ignore[no-untyped-def]
    program.update(db, changes={"require_certification": True}, actor_id=None, now=clock[0])
    db.commit()
    slack.slash(world.veteran, "/mentor", "optin")
    assert "certified before they are matched" in slack.modal_text(world.veteran)
    assert slack.submit(world.veteran, {"Expertise": ["Renewals"]}).ok
    mentor = _mentor(db, world.veteran)
    assert mentor is not None and not mentor.is_active and mentor.opted_out_at is None
    dm = slack.last_dm(world.veteran).all_text
    assert "once you're certified" in dm
    assert "Mentoring 101" in dm and "/mentor trainings" in dm


def test_a_bot_cannot_opt_in(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    slack.fake.add_user("UBOTTY", "Build Bot", is_bot=True)
    slack.mentor("UBOTTY", "help")  # Slack's profile, fetched after this ack, says "bot"
    reply = slack.mentor("UBOTTY", "optin")
    assert "Bots can't be mentors" in reply.all_text
    assert slack.modal("UBOTTY") is None


def test_performance_rating_is_compared_exactly(slack, world, db, clock) -> None:  # type: ignore[no-untyped-def]
    program.update(db, changes={"min_performance_rating": 4.6}, actor_id=None, now=clock[0])
    db.get(User, world.veteran.user_id).performance_rating = Decimal("4.6")
    db.commit()
    assert slack.slash(world.veteran, "/mentor", "optin") == []  # 4.6 meets "4.6 or more"


def test_lowering_capacity_while_an_accept_takes_a_slot(served, world, db) -> None:  # type: ignore[no-untyped-def]
    """The limit is checked against the count at write time, not at read time: an
    accept committing meanwhile makes the lowering fail with a reason, not overfill."""
    mentor = make_mentor(db, world.veteran, max_mentees=3)
    make_assignment(db, mentor, world.junior)
    db.commit()
    slot_taken = threading.Event()
    outcome: dict[str, object] = {}

    def accept() -> None:
        with served.runtime.db() as session:
            capacity.take_slot(session, mentor.id)
            slot_taken.set()
            time.sleep(0.3)  # still uncommitted while the lowering runs

    def lower() -> None:
        slot_taken.wait(5)
        try:
            with served.runtime.db() as session:
                capacity.resize(session, mentor.id, 1)
            outcome["lowered"] = True
        except InvalidInput as exc:
            outcome["refused"] = exc.errors["capacity"]

    threads = [threading.Thread(target=accept), threading.Thread(target=lower)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert "refused" in outcome, outcome
    mentor = _mentor(db, world.veteran)
    assert (mentor.max_mentees, mentor.current_mentee_count) == (3, 2)


def test_each_edit_profile_reads_its_own_mentor_and_the_settings_of_the_moment(  # type: ignore[no-untyped-def]
    slack, world, db, clock
) -> None:
    """The form comes from statements built once and run with each press's person: one
    mentor's profile never pre-fills the next one's, and a maximum an admin lowers
    between two presses shows in the second."""
    make_mentor(db, world.veteran, expertise=["Negotiation"], max_mentees=4)
    make_mentor(db, world.londoner, expertise=["Renewals"], max_mentees=2)
    db.commit()
    for person, prefilled in (
        (world.veteran, ["Expertise: Negotiation", "Capacity: 4"]),
        (world.londoner, ["Expertise: Renewals", "Capacity: 2"]),
        (world.veteran, ["Expertise: Negotiation", "Capacity: 4"]),
    ):
        slack.open_home(person)
        slack.click(person, "Edit profile", home=True)
        modal = slack.modal_text(person)
        assert all(line in modal for line in prefilled), (person.name, modal)

    program.update(db, changes={"max_capacity": 3}, actor_id=None, now=clock[0])
    db.commit()
    slack.click(world.veteran, "Edit profile", home=True)
    assert "Capacity: 3" in slack.modal_text(world.veteran)


def test_edit_profile_reads_its_asker_once_on_one_connection_to_the_modal(  # type: ignore[no-untyped-def]
    slack, world, db, served
) -> None:
    """A press of "Edit profile" reads who pressed once, by the middleware, and takes
    one connection for everything up to the modal (who pressed, whether this press was
    handled already, the form). Was: the presser read again by the form, and a
    connection for each of the three."""
    make_mentor(db, world.veteran, expertise=["Negotiation"], max_mentees=4)
    db.commit()
    slack.open_home(world.veteran)
    slack.click(world.veteran, "Edit profile", home=True)  # Vera's first contact is written
    slack.wait_idle()
    slack.open_home(world.veteran)
    with statements_run(served) as seen, connections_taken(served) as taken:
        slack.click(world.veteran, "Edit profile", home=True)
        slack.wait_idle()
    assert "Capacity: 4" in slack.modal_text(world.veteran)
    assert [s for s in seen if BY_ROSTER_ID.search(s)] == []
    assert [s for s in seen if s.startswith(("INSERT", "UPDATE", "DELETE"))] == []
    # Vera, the press's key, the settings, her mentor row with its trainings (Slack's
    # profile was asked for less than an hour ago: not again).
    assert len(seen) == 4, seen
    assert len(taken) == 1


def test_eligibility_is_judged_on_the_day_of_each_request(slack, world, db, clock) -> None:  # type: ignore[no-untyped-def]
    """Jun has 100 of the 180 days' tenure: refused today, the modal on the day he has them."""
    assert "you have 100" in slack.mentor(world.junior, "optin").all_text
    assert slack.modal(world.junior) is None
    clock[0] = datetime(2027, 2, 5, 15, 0, tzinfo=UTC)
    assert slack.slash(world.junior, "/mentor", "optin") == []
    assert "Become a mentor" in slack.modal_text(world.junior)


def test_an_edit_profile_press_reads_its_form_in_few_statements_and_writes_nothing(  # type: ignore[no-untyped-def]
    slack, world, db, served, clock
) -> None:
    """A mentor with a training done presses "Edit profile" (the busiest modal button):
    the form and its refresh from Slack's profile take as many statements as below,
    none a write, and the form still shows their profile and the training left."""
    program.update(db, changes={"require_certification": True}, actor_id=None, now=clock[0])
    vera = make_mentor(db, world.veteran, expertise=["Negotiation"], max_mentees=4)
    db.add(MentorTraining(mentor_id=vera.id, training_key="privacy", completed_at=clock[0]))
    db.commit()
    slack.open_home(world.veteran)
    slack.click(world.veteran, "Edit profile", home=True)  # the person's first press
    slack.close_modal(world.veteran)
    clock[0] += timedelta(hours=1)  # Slack's profile is asked for again
    asked = len(slack.fake.calls_to("users.info"))
    with statements_run(served) as seen:
        slack.click(world.veteran, "Edit profile", home=True)
        slack.wait_idle()
    assert len(slack.fake.calls_to("users.info")) == asked + 1
    modal = slack.modal_text(world.veteran)
    assert "Expertise: Negotiation" in modal and "Capacity: 4" in modal
    assert "Mentoring 101" in modal and "Confidentiality" not in modal
    writes = [s for s in seen if s.startswith(("INSERT", "UPDATE", "DELETE", "BEGIN"))]
    assert writes == []
    assert not [s for s in seen if "FROM MENTOR_TRAININGS" in s]  # joined to the mentor
    # Was 7: the mentor read as an entity and then its trainings, and the person read
    # again by the form and to compare with Slack's profile (the form finds them read
    # by the middleware: `Runtime.for_request`).
    assert len(seen) == 4, seen


def _edit_profile(slack, who) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    """Press "Edit profile" on App Home, wait for what follows, close the form: what it
    showed, and how many times MentorBot asked Slack for a profile meanwhile."""
    asked = len(slack.fake.calls_to("users.info"))
    slack.click(who, "Edit profile", home=True)
    slack.wait_idle()
    shown = slack.modal_text(who)
    slack.close_modal(who)
    return shown, len(slack.fake.calls_to("users.info")) - asked


def test_edit_profile_asks_slack_for_the_profile_at_most_hourly_and_still_shows_changes(  # type: ignore[no-untyped-def]
    slack, world, db, clock
) -> None:
    """Vera's timezone in Slack is not the one the roster was imported with: her first
    press asks Slack and the form shows Slack's. She moves to Tokyo; Slack's
    `user_change` event brings it, and her next press, within the hour, shows Tokyo
    without asking Slack again. A move whose event was lost (MentorBot down) shows on
    her first press an hour after Slack was last asked."""
    vera = world.veteran
    make_mentor(db, vera)
    db.commit()
    slack.open_home(vera)
    slack.fake.add_user(vera.id, vera.name, tz="America/Los_Angeles")  # moved since import

    shown, asked = _edit_profile(slack, vera)
    assert "America/Los_Angeles" in shown and asked == 1

    slack.fake.add_user(vera.id, vera.name, tz="Asia/Tokyo")
    slack.event({"type": "user_change", "user": dict(slack.fake.users[vera.id])})
    clock[0] += timedelta(minutes=59)
    shown, asked = _edit_profile(slack, vera)
    assert "Asia/Tokyo" in shown and asked == 0

    slack.fake.add_user(vera.id, vera.name, tz="Europe/Berlin")  # no event reaches us
    clock[0] += timedelta(minutes=1)
    shown, asked = _edit_profile(slack, vera)
    assert "Europe/Berlin" in shown and asked == 1
    db.expire_all()
    assert db.get(User, vera.user_id).timezone == "Europe/Berlin"
