"""Reverse mentorship (issue 18, item 5): a newer hire teaches a veteran a topic. It is
asked for with `/mentor assign @teacher @learner reverse`, recorded as such, labelled
wherever the pairing is shown, and reported apart: out of the ramp comparison and the
new-hire coverage."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from bot.services import analytics
from models import Assignment, Mentor, RampMilestone
from tests.factories import make_assignment, make_mentor
from tests.flows import CONFIRM

NOW = datetime(2026, 11, 17, 15, 0, tzinfo=UTC)


def _ask_reverse(slack, world):  # type: ignore[no-untyped-def]
    """Max asks Newt (hired 5 days ago) to teach Omar, a veteran who reports to Max."""
    slack.slash(
        world.manager,
        "/mentor",
        f"assign {world.new_hire.mention} {world.londoner.mention} reverse",
    )
    return slack.submit(world.manager, {**CONFIRM, "Goals": "Run the new CRM's forecasts"})


def test_reverse_mentorship_is_recorded_labelled_and_accepted(slack, world, db, clock) -> None:  # type: ignore[no-untyped-def]
    # Newt is far below the tenure rule: there is no mentor profile to start from.
    assert db.scalar(select(Mentor).where(Mentor.user_id == world.new_hire.user_id)) is None
    slack.slash(
        world.manager,
        "/mentor",
        f"assign {world.new_hire.mention} {world.londoner.mention} reverse",
    )
    modal = slack.modal_text(world.manager)
    assert "Reverse mentorship" in modal
    assert "*Newt Newhire* to teach *Omar Okafor*" in modal

    submitted = slack.submit(world.manager, {**CONFIRM, "Goals": "Run the new CRM's forecasts"})
    assert submitted.ok, submitted.errors
    db.expire_all()
    assignment = db.scalar(select(Assignment))
    assert assignment.kind == "reverse"
    assert assignment.mentee_user_id == world.londoner.user_id
    assert assignment.mentor.user_id == world.new_hire.user_id

    offer = slack.last_dm(world.new_hire)
    assert "Reverse mentorship" in offer.all_text
    assert "asks you to teach *Omar Okafor*" in offer.all_text
    assert "Reverse mentorship" in slack.last_dm(world.manager).all_text  # request sent

    slack.click(world.new_hire, "Accept", message=offer)
    db.expire_all()
    assert db.get(Assignment, assignment.id).status == "active"
    intro = slack.last_dm(world.londoner)
    assert "Reverse mentorship" in intro.all_text and "Newt Newhire" in intro.all_text

    home = str(slack.open_home(world.londoner))
    assert "Reverse mentorship" in home and "Newt Newhire" in home
    status = slack.mentor(world.manager, f"status {world.londoner.mention}").all_text
    assert "OMAR OKAFOR'S REVERSE MENTORSHIP" in status  # the card's header


def test_reverse_teacher_is_not_offered_as_a_mentor(slack, world, db, clock) -> None:  # type: ignore[no-untyped-def]
    """Teaching in reverse waives the tenure rule for that pairing only: the standard
    matching and a standard request still hold it."""
    make_mentor(db, world.veteran, expertise=["Renewals"])
    db.commit()
    assert _ask_reverse(slack, world).ok
    suggestions = slack.mentor(world.manager, f"match {world.tokyo_hire.mention}").all_text
    assert "Vera Veteran" in suggestions
    assert "Newt Newhire" not in suggestions

    slack.slash(
        world.manager, "/mentor", f"assign {world.new_hire.mention} {world.tokyo_hire.mention}"
    )
    refused = slack.last_ephemeral(world.manager).text
    assert "only in reverse mentorships" in refused
    db.expire_all()
    assert db.scalar(select(Assignment).where(Assignment.kind == "standard")) is None


def test_same_person_on_both_sides_is_refused(slack, world, db, clock) -> None:  # type: ignore[no-untyped-def]
    slack.slash(
        world.manager,
        "/mentor",
        f"assign {world.londoner.mention} {world.londoner.mention} reverse",
    )
    refused = slack.last_ephemeral(world.manager).text
    assert "the same person on both sides" in refused
    assert slack.modal(world.manager) is None
    db.expire_all()
    assert db.scalar(select(Assignment)) is None
    assert db.scalar(select(Mentor)) is None  # nothing half-written


def test_reverse_mentorships_are_reported_apart(slack, world, db, clock) -> None:  # type: ignore[no-untyped-def]
    """A reverse learner is not a mentored hire in the ramp comparison, and a new hire
    who only teaches or learns in reverse is still without a mentor in the coverage."""
    assert _ask_reverse(slack, world).ok
    offer = slack.last_dm(world.new_hire)
    slack.click(world.new_hire, "Accept", message=offer)
    # Nova, a new hire, learns from Newt in reverse too: that is no mentor for her ramp.
    newt = db.scalar(select(Mentor).where(Mentor.user_id == world.new_hire.user_id))
    make_assignment(db, newt, world.tokyo_hire, kind="reverse")
    db.add(
        RampMilestone(
            mentee_user_id=world.londoner.user_id,
            milestone_name="Fully ramped",
            template_key="fully-ramped",
            achieved_date=date(2025, 1, 10),
        )
    )
    db.commit()

    report = analytics.program_report(db, now=NOW)
    assert report.reverse_mentorships == 2
    fully = report.ramp.fully_ramped
    assert fully is not None
    assert fully.mentored.reached == 0  # Omar learns in reverse: not a mentored hire
    assert fully.not_mentored.reached == 1
    assert report.coverage.covered == 0
    assert "Nova Fresh" in [h.name for h in report.coverage.without_mentor]

    text = slack.mentor(world.admin, "analytics").all_text
    assert "Reverse mentorships: 2" in text
