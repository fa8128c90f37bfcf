"""Completing a mentorship: both sides give feedback and a rating; the slot is freed and
the mentor's record updated. Early completion and cancellation with a reason."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from bot.services import feedback_texts, program
from models import Assignment, AuditEntry, Mentor
from tests.factories import make_assignment, make_mentor


@pytest.fixture
def pair(db, world):  # type: ignore[no-untyped-def]
    mentor = make_mentor(db, world.veteran)
    assignment = make_assignment(db, mentor, world.new_hire, assigned_by=world.manager)
    db.commit()
    return assignment


def _fresh(db, row):  # type: ignore[no-untyped-def]
    db.expire_all()
    return db.get(type(row), row.id)


def test_both_sides_give_feedback_and_the_mentor_record_updates(slack, world, db, pair) -> None:  # type: ignore[no-untyped-def]
    slack.slash(world.new_hire, "/mentor", "complete")
    form = slack.modal_text(world.new_hire)
    assert "earlier than planned" in form  # planned until February
    sent = slack.submit(world.new_hire, {"Feedback": "Vera made QBRs click.", "Rating": "5"})
    assert sent.ok, sent.errors
    assert "complete" in slack.modal_text(world.new_hire)

    assignment = _fresh(db, pair)
    assert assignment.status == "completed"
    assert assignment.actual_end_date == date(2026, 11, 17)
    assert assignment.mentee_rating == 5
    assert feedback_texts.text(db, pair.id, "mentee_feedback") == "Vera made QBRs click."
    mentor = db.get(Mentor, pair.mentor_id)
    assert mentor.current_mentee_count == 0  # the slot is free again
    assert mentor.total_mentees_to_date == 1
    assert mentor.average_rating == Decimal("5.00")
    manager_note = slack.last_dm(world.manager).all_text
    assert "mentorship with Vera Veteran is complete" in manager_note
    assert "QBRs click" not in manager_note

    ask = slack.last_dm(world.veteran)
    assert "completed your mentorship" in ask.all_text
    slack.click(world.veteran, "Give feedback", message=ask)
    sent = slack.submit(world.veteran, {"Feedback": "Newt grew fast.", "Rating": "4"})
    assert sent.ok, sent.errors
    assignment = _fresh(db, pair)
    assert assignment.mentor_rating == 4
    assert feedback_texts.text(db, pair.id, "mentor_feedback") == "Newt grew fast."
    assert db.get(Mentor, pair.mentor_id).total_mentees_to_date == 1  # counted once

    slack.click(world.veteran, "Give feedback", message=ask)  # and only once each
    assert "already gave your feedback" in slack.last_ephemeral(world.veteran).all_text
    actions = db.scalars(sa.select(AuditEntry.action)).all()
    assert "mentorship.completed" in actions and "mentorship.feedback_given" in actions


def test_a_completion_is_dated_on_the_programs_day(slack, world, db, pair, clock) -> None:  # type: ignore[no-untyped-def]
    """The program runs in Los Angeles: at 03:00 UTC on 18 Nov it is 19:00 on 17 Nov
    there, the day before the planned end. Newt is told it ends earlier than planned,
    and the mentorship is recorded as ended on 17 Nov, not UTC's 18 Nov."""
    program.update(
        db, changes={"default_timezone": "America/Los_Angeles"}, actor_id=None, now=clock[0]
    )
    pair = _fresh(db, pair)
    pair.expected_end_date = date(2026, 11, 18)
    db.commit()
    clock[0] = clock[0].replace(day=18, hour=3)
    slack.slash(world.new_hire, "/mentor", "complete")
    assert "earlier than planned" in slack.modal_text(world.new_hire)
    sent = slack.submit(world.new_hire, {"Feedback": "Vera made QBRs click.", "Rating": "5"})
    assert sent.ok, sent.errors
    assignment = _fresh(db, pair)
    assert assignment.actual_end_date == date(2026, 11, 17)
    assert feedback_texts.text(db, pair.id, "completion_notes") == (
        "Completed by the mentee (Newt Newhire) on 2026-11-17, "
        "before the expected end (2026-11-18)."
    )


def test_a_cancellation_is_dated_on_the_programs_day(slack, world, db, pair, clock) -> None:  # type: ignore[no-untyped-def]
    """The program runs in Auckland: at 15:00 UTC on 17 Nov it is already 18 Nov there."""
    program.update(
        db, changes={"default_timezone": "Pacific/Auckland"}, actor_id=None, now=clock[0]
    )
    db.commit()
    slack.slash(world.manager, "/mentor", f"cancel {world.new_hire.mention}")
    assert slack.submit(world.manager, {"Reason": "Newt moved to the Sales team."}).ok
    assert _fresh(db, pair).actual_end_date == date(2026, 11, 18)


def test_average_rating_spans_completed_mentorships(slack, world, db, pair) -> None:  # type: ignore[no-untyped-def]
    mentor = db.get(Mentor, pair.mentor_id)
    make_assignment(db, mentor, world.junior, status="completed", mentee_rating=3)
    db.commit()
    slack.slash(world.new_hire, "/mentor", "complete")
    assert slack.submit(world.new_hire, {"Feedback": "Good.", "Rating": "4"}).ok
    db.expire_all()
    assert db.get(Mentor, pair.mentor_id).average_rating == Decimal("3.50")


@pytest.mark.parametrize(
    ("values", "label", "says"),
    [
        ({"Feedback": "Great", "Rating": "6"}, "Rating", "from 1 to 5"),
        ({"Feedback": "Great", "Rating": ""}, "Rating", "from 1 to 5"),
        ({"Feedback": " ", "Rating": "4"}, "Feedback", "can't be empty"),
    ],
)
def test_bad_feedback_changes_nothing(slack, world, db, pair, values, label, says) -> None:  # type: ignore[no-untyped-def]
    slack.slash(world.new_hire, "/mentor", "complete")
    sent = slack.submit(world.new_hire, values)
    assert says in sent.errors[label]
    assert _fresh(db, pair).status == "active"
    assert db.get(Mentor, pair.mentor_id).current_mentee_count == 1


def test_cancel_with_a_reason_frees_the_slot(slack, world, db, pair) -> None:  # type: ignore[no-untyped-def]
    slack.slash(world.manager, "/mentor", f"cancel {world.new_hire.mention}")
    assert "Newt Newhire (mentored by Vera Veteran)" in slack.modal_text(world.manager)
    empty = slack.submit(world.manager, {"Reason": ""})
    assert "can't be empty" in empty.errors["Reason"]
    assert slack.submit(world.manager, {"Reason": "Newt moved to the Sales team."}).ok
    assignment = _fresh(db, pair)
    assert assignment.status == "cancelled" and assignment.cancel_reason
    assert db.get(Mentor, pair.mentor_id).current_mentee_count == 0
    assert "cancelled the mentorship" in slack.last_dm(world.veteran).all_text
    assert "cancelled the mentorship" in slack.last_dm(world.new_hire).all_text


def test_someone_unrelated_cannot_cancel_or_complete(slack, world, db, pair) -> None:  # type: ignore[no-untyped-def]
    reply = slack.mentor(world.londoner, f"cancel {world.new_hire.mention}")
    assert "Only the mentor, the mentee" in reply.all_text
    assert slack.modal(world.londoner) is None
    assert "no active or completed mentorship" in slack.mentor(world.londoner, "complete").all_text
    assert _fresh(db, pair).status == "active"


def test_status_shows_ratings_after_completion(slack, world, db, pair) -> None:  # type: ignore[no-untyped-def]
    slack.slash(world.new_hire, "/mentor", "complete")
    assert slack.submit(world.new_hire, {"Feedback": "Top mentor.", "Rating": "5"}).ok
    text = slack.mentor(world.manager, f"status {world.new_hire.mention}").all_text
    assert "mentee 5/5" in text and "Top mentor." not in text
    assert db.get(Assignment, pair.id) is not None
