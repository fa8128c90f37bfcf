"""Each kind of reminder: when it is due, who gets it, what it says, and that it comes once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.blocks import actions as ids
from bot.config import Settings
from bot.services import reminders
from bot.testing.harness import ServedApp
from models import Assignment, MilestoneSubmission, RampMilestone, User
from tests.factories import make_assignment, make_mentor, make_session
from tests.reminders_support import Sweep, at, sent, sweeper

MONDAY_MORNING = at("2026-11-16T15:00")  # 10:00 New York, 09:00 Chicago


@pytest.fixture
def sweep(served: ServedApp, settings: Settings) -> Sweep:
    return sweeper(served, settings)


def button_values(message, label: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [
        element["value"]
        for block in message.blocks
        if block["type"] == "actions"
        for element in block["elements"]
        if element["text"]["text"] == label
    ]


def test_a_request_unanswered_for_24_hours_reminds_the_mentor_once(slack, world, db, sweep) -> None:  # type: ignore[no-untyped-def]
    mentor = make_mentor(db, world.veteran)
    request = make_assignment(
        db,
        mentor,
        world.new_hire,
        status="pending",
        assigned_by=world.manager,
        created_at=at("2026-11-16T16:00"),
    )
    db.commit()

    assert sent(sweep(at("2026-11-17T15:00")), "request_pending") == []  # 23 hours
    assert sent(sweep(at("2026-11-17T16:00")), "request_pending") == ["UVERA"]
    assert sent(sweep(at("2026-11-17T19:00")), "request_pending") == []
    reminder = slack.last_dm(world.veteran)
    assert "*Max Manager* asked you to mentor *Newt Newhire* 24 hours ago" in reminder.all_text
    assert button_values(reminder, "Accept") == [str(request.id)]
    assert button_values(reminder, "Decline") == [str(request.id)]
    assert slack.dms(world.new_hire) == []  # a pending mentorship sends no check-in nudges


@pytest.fixture
def submission(db, world):  # type: ignore[no-untyped-def]
    """Newt submitted "First QBR" for review on Monday 16 November at 15:00 UTC."""
    mentor = make_mentor(db, world.veteran)
    assignment = make_assignment(db, mentor, world.new_hire, start=date(2026, 11, 15))
    milestone = RampMilestone(
        assignment_id=assignment.id,
        mentee_user_id=world.new_hire.user_id,
        milestone_name="First QBR",
        target_date=date(2026, 12, 20),
        status="submitted",
    )
    db.add(milestone)
    db.flush()
    row = MilestoneSubmission(
        milestone_id=milestone.id,
        submitted_by_user_id=world.new_hire.user_id,
        evidence="Ran the Acme QBR; deck attached.",
        submitted_at=MONDAY_MORNING,
    )
    db.add(row)
    db.get(User, world.admin.user_id).is_admin = True
    db.commit()
    return row


def test_a_review_waiting_24_hours_reminds_the_mentor_and_48_escalates_to_admins(
    slack, world, db, sweep, submission
) -> None:  # type: ignore[no-untyped-def]
    assert sent(sweep(MONDAY_MORNING + timedelta(hours=23)), "review_waiting") == []
    assert sent(sweep(MONDAY_MORNING + timedelta(hours=24)), "review_waiting") == ["UVERA"]
    reminder = slack.last_dm(world.veteran)
    assert "*Newt Newhire* submitted *First QBR* for your review 24 hours ago" in reminder.all_text
    assert "Ran the Acme QBR" in reminder.all_text
    assert button_values(reminder, "Approve") == [str(submission.id)]
    assert button_values(reminder, "Request changes") == [str(submission.id)]

    assert sent(sweep(MONDAY_MORNING + timedelta(hours=47)), "review_escalation") == []
    late = sweep(MONDAY_MORNING + timedelta(hours=48))
    assert sent(late, "review_escalation") == ["UADMIN"]
    assert sent(late, "review_waiting") == []  # the mentor was reminded once
    escalation = slack.last_dm(world.admin)
    assert "has waited 48 hours for *Vera Veteran*'s review" in escalation.all_text
    assert "Acme" not in escalation.all_text  # the evidence is for the mentor's eyes

    submission.decision = "approved"
    db.commit()
    later = sweep(MONDAY_MORNING + timedelta(hours=72))
    assert not [d for d in later.deliveries if d.kind.startswith("review")]
    assert len([m for m in slack.dms(world.veteran) if "First QBR" in m.all_text]) == 1


def test_milestone_target_dates_are_announced_three_days_ahead_and_when_overdue(
    slack, world, db, sweep
) -> None:  # type: ignore[no-untyped-def]
    mentor = make_mentor(db, world.veteran)
    assignment = make_assignment(db, mentor, world.new_hire, start=date(2026, 11, 15))
    for name, target, achieved in (
        ("Shadow five calls", date(2026, 11, 19), None),
        ("Own a renewal", date(2026, 11, 19), date(2026, 11, 12)),
    ):
        db.add(
            RampMilestone(
                assignment_id=assignment.id,
                mentee_user_id=world.new_hire.user_id,
                milestone_name=name,
                target_date=target,
                achieved_date=achieved,
            )
        )
    db.commit()

    assert sent(sweep(at("2026-11-15T15:00")), "milestone_soon") == []  # Sunday, 4 days ahead
    soon = sweep(MONDAY_MORNING)
    assert sent(soon, "milestone_soon") == ["UNEWT", "UVERA"]
    assert "Your milestone *Shadow five calls* is due in 3 days (Thu 19 Nov 2026)" in (
        slack.last_dm(world.new_hire).all_text
    )
    assert "[Submit]" in slack.last_dm(world.new_hire).all_text
    assert "*Newt Newhire*'s milestone *Shadow five calls*" in slack.last_dm(world.veteran).all_text
    assert sent(sweep(at("2026-11-18T15:00")), "milestone_soon") == []

    overdue = sweep(at("2026-11-20T15:00"))
    assert sent(overdue, "milestone_overdue") == ["UNEWT", "UVERA"]
    assert "was due Thu 19 Nov 2026 (yesterday)" in slack.last_dm(world.new_hire).all_text
    assert sent(sweep(at("2026-11-23T15:00")), "milestone_overdue") == []
    assert not any("Own a renewal" in m.all_text for m in slack.dms(world.new_hire))


def test_action_items_remind_their_owner_the_day_before_and_when_overdue(
    slack, world, db, sweep
) -> None:  # type: ignore[no-untyped-def]
    mentor = make_mentor(db, world.veteran)
    assignment = make_assignment(db, mentor, world.new_hire, start=date(2026, 11, 9))
    session = make_session(
        db,
        assignment,
        when=at("2026-11-16T16:00"),
        action_items=[
            {
                "id": "a1",
                "item": "Send the QBR deck",
                "owner": "mentee",
                "due": "2026-11-18",
                "done": False,
            },
            {
                "id": "a2",
                "item": "Intro to the CFO",
                "owner": "mentor",
                "due": "2026-11-16",
                "done": False,
            },
            {
                "id": "a3",
                "item": "Read the playbook",
                "owner": "mentee",
                "due": "2026-11-18",
                "done": True,
            },
        ],
    )
    db.commit()

    tuesday = sweep(at("2026-11-17T15:00"))
    assert sent(tuesday, "item_tomorrow") == ["UNEWT"]
    assert sent(tuesday, "item_overdue") == ["UVERA"]
    reminder = slack.last_dm(world.new_hire)
    assert (
        "due tomorrow, Wed 18 Nov" in reminder.all_text and "Send the QBR deck" in reminder.all_text
    )
    assert button_values(reminder, "Done") == [f"{session.id}:a1"]
    assert "Read the playbook" not in reminder.all_text

    thursday = sweep(at("2026-11-19T15:00"))
    assert sent(thursday, "item_overdue") == ["UNEWT"]
    assert sent(thursday, "item_tomorrow") == []
    assert len([m for m in slack.dms(world.veteran) if "Intro to the CFO" in m.all_text]) == 1


def test_an_item_ticked_off_from_its_reminder_is_not_reminded_again(
    slack, world, db, sweep
) -> None:  # type: ignore[no-untyped-def]
    mentor = make_mentor(db, world.veteran)
    assignment = make_assignment(db, mentor, world.new_hire, start=date(2026, 11, 9))
    item = {"id": "a1", "item": "Send the QBR deck", "owner": "mentee", "done": False}
    session = make_session(
        db,
        assignment,
        when=at("2026-11-16T16:00"),
        action_items=[
            {**item, "due": "2026-11-18"},
            {**item, "id": "a2", "item": "Book the onsite", "due": "2026-10-01"},
        ],
    )
    db.commit()
    # The sweep reads a session by the latest date of its open items, kept on each save.
    assert session.items_due_until == date(2026, 11, 18)

    tuesday = sweep(at("2026-11-17T15:00"))
    assert sent(tuesday, "item_tomorrow") == ["UNEWT"]
    # Due 47 days before: past the 30-day lookback, history rather than news.
    assert sent(tuesday, "item_overdue") == []
    assert "Book the onsite" not in slack.last_dm(world.new_hire).all_text
    slack.click(world.new_hire, "Done", near="Send the QBR deck")
    db.expire_all()
    assert db.get(type(session), session.id).items_due_until == date(2026, 10, 1)

    thursday = sweep(at("2026-11-19T15:00"))
    assert sent(thursday, "item_overdue") == []
    assert sent(thursday, "item_tomorrow") == []


def test_a_paused_mentor_and_their_mentee_get_no_nudges_until_the_pause_ends(
    slack, world, db, sweep
) -> None:  # type: ignore[no-untyped-def]
    mentor = make_mentor(db, world.veteran, paused_until=date(2026, 11, 20))
    make_assignment(db, mentor, world.new_hire, start=date(2026, 11, 9))
    db.commit()
    assert sent(sweep(MONDAY_MORNING)) == []
    assert sent(sweep(at("2026-11-20T15:00"))) == []
    assert sent(sweep(at("2026-11-23T15:00"))) == ["UNEWT", "UVERA"]


def test_biweekly_and_monthly_cadences(slack, world, db, sweep) -> None:  # type: ignore[no-untyped-def]
    make_assignment(
        db,
        make_mentor(db, world.veteran),
        world.new_hire,
        start=date(2026, 11, 2),
        cadence="biweekly",
    )
    make_assignment(
        db,
        make_mentor(db, world.londoner),
        world.junior,
        start=date(2026, 10, 16),
        cadence="monthly",
    )
    db.commit()
    assert sent(sweep(at("2026-11-09T15:00"))) == []  # a week into the biweekly one
    assert sent(sweep(MONDAY_MORNING)) == ["UJUNIOR", "UNEWT", "UOMAR", "UVERA"]
    assert "*biweekly* check-in" in slack.last_dm(world.new_hire).all_text
    assert "*monthly* check-in" in slack.last_dm(world.junior).all_text
    assert sent(sweep(at("2026-11-23T15:00"))) == []
    assert sent(sweep(at("2026-11-30T15:00"))) == ["UNEWT", "UVERA"]
    assert sent(sweep(at("2026-12-14T15:00"))) == ["UNEWT", "UVERA"]
    assert sent(sweep(at("2026-12-16T15:00"))) == ["UJUNIOR", "UOMAR"]


def test_a_broken_kind_of_reminder_does_not_stop_the_others(
    slack, world, db, sweep, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    make_assignment(db, make_mentor(db, world.veteran), world.new_hire, start=date(2026, 11, 9))
    db.commit()

    def broken(ctx):  # type: ignore[no-untyped-def]
        raise RuntimeError("a bug in one finder")

    monkeypatch.setitem(reminders.DUE_KINDS, "milestone_date", broken)
    assert sent(sweep(MONDAY_MORNING)) == ["UNEWT", "UVERA"]


def test_every_button_on_a_reminder_uses_a_registered_action_id(slack, world, db, sweep) -> None:  # type: ignore[no-untyped-def]
    make_assignment(db, make_mentor(db, world.veteran), world.new_hire, start=date(2026, 11, 9))
    db.commit()
    sweep(MONDAY_MORNING)
    known = {value for name, value in vars(ids).items() if name.isupper()}
    for message in slack.dms(world.veteran) + slack.dms(world.new_hire):
        for block in message.blocks:
            for element in block.get("elements", []) if block["type"] == "actions" else []:
                assert element["action_id"] in known


def test_a_review_reminder_goes_to_whoever_may_review_it_now(  # type: ignore[no-untyped-def]
    slack, world, db, sweep, submission
) -> None:
    """Vera's mentorship ended after Newt submitted; Newt's new mentor, Omar, now reviews
    his milestones: he is reminded (and his Approve works), Vera, who may no longer
    review, is not; the admins are told after 48 hours, naming Omar."""
    _mentorship_of(db, submission).status = "completed"
    omar = make_mentor(db, world.londoner)
    make_assignment(db, omar, world.new_hire, start=date(2026, 11, 16))
    db.commit()

    due = sweep(MONDAY_MORNING + timedelta(hours=24))
    assert sent(due, "review_waiting") == ["UOMAR"]
    assert [m for m in slack.dms(world.veteran) if "First QBR" in m.all_text] == []
    late = sweep(MONDAY_MORNING + timedelta(hours=48))
    assert sent(late, "review_escalation") == ["UADMIN"]
    assert "for *Omar Okafor*'s review" in slack.last_dm(world.admin).all_text

    slack.click(world.londoner, "Approve", message=slack.last_dm(world.londoner))
    db.expire_all()
    assert db.get(MilestoneSubmission, submission.id).decision == "approved"


def test_a_review_nobody_may_give_is_escalated_but_reminds_no_mentor(  # type: ignore[no-untyped-def]
    slack, world, db, sweep, submission
) -> None:
    """The mentorship ended with Newt's submission still waiting and he has no mentor
    now: Vera is not asked for a review she may no longer give; the admins still hear."""
    _mentorship_of(db, submission).status = "completed"
    db.commit()

    assert sent(sweep(MONDAY_MORNING + timedelta(hours=24)), "review_waiting") == []
    assert sent(sweep(MONDAY_MORNING + timedelta(hours=48)), "review_escalation") == ["UADMIN"]
    assert [m for m in slack.dms(world.veteran) if "First QBR" in m.all_text] == []


def _mentorship_of(db, submission: MilestoneSubmission) -> Assignment:  # type: ignore[no-untyped-def]
    milestone = db.get(RampMilestone, submission.milestone_id)
    return db.get(Assignment, milestone.assignment_id)


def test_the_digests_judge_the_new_hire_window_by_the_programs_day(  # type: ignore[no-untyped-def]
    slack, world, db, sweep
) -> None:
    """The program runs in Auckland, where Max's digest hour (Tuesday 10:00 in New
    York, 15:00 UTC) is already Wednesday 18 Nov. Jun was hired on 19 Aug: 90 days
    before UTC's day, 91 before the program's, so outside its 90-day window. Neither
    Max's digest nor the admins' count lists him as a new hire; Newt and Nova are."""
    from bot.services import program

    program.update(
        db, changes={"default_timezone": "Pacific/Auckland"}, actor_id=None, now=MONDAY_MORNING
    )
    db.get(User, world.junior.user_id).hire_date = date(2026, 8, 19)
    db.get(User, world.admin.user_id).is_admin = True  # as MENTORBOT_ADMINS makes her
    db.commit()
    sweep(at("2026-11-17T15:00"))
    [digest] = [m for m in slack.dms(world.manager) if "Your team's mentorships" in m.all_text]
    assert "Newt Newhire" in digest.all_text and "Nova Fresh" in digest.all_text
    assert "Jun Ior" not in digest.all_text, digest.all_text
    [figures] = [m for m in slack.dms(world.admin) if "Program this week" in m.all_text]
    assert "New hires without a mentor*\n2" in figures.all_text, figures.all_text


def test_the_digests_count_overdue_milestones_by_the_programs_day(  # type: ignore[no-untyped-def]
    slack, world, db, sweep
) -> None:
    """The program runs in Auckland, where Max's digest hour (Tuesday 10:00 in New
    York, 15:00 UTC) is already Wednesday 18 Nov: Newt's milestone due on 17 Nov is
    overdue there, though UTC's day is still the 17th."""
    from bot.services import program

    program.update(
        db, changes={"default_timezone": "Pacific/Auckland"}, actor_id=None, now=MONDAY_MORNING
    )
    make_assignment(db, make_mentor(db, world.veteran), world.new_hire)
    db.add(
        RampMilestone(
            mentee_user_id=world.new_hire.user_id,
            milestone_name="Shadow three renewals",
            target_date=date(2026, 11, 17),
        )
    )
    db.get(User, world.admin.user_id).is_admin = True  # as MENTORBOT_ADMINS makes her
    db.commit()
    sweep(at("2026-11-17T15:00"))
    [digest] = [m for m in slack.dms(world.manager) if "Your team's mentorships" in m.all_text]
    assert "(1 overdue)" in digest.all_text, digest.all_text
    [figures] = [m for m in slack.dms(world.admin) if "Program this week" in m.all_text]
    assert "Milestones overdue*\n1" in figures.all_text, figures.all_text
