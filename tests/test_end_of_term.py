"""The end of a mentorship (issue 17.6), walked with the clock through signed requests:
the end-of-term prompt a week before the expected end, an extension, check-in nudges
stopping at the end date, and the automatic completion with the survey offered once."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from bot.blocks.actions import COMPLETE_FOR_PAIR
from bot.services import completion, feedback_texts, program, term
from bot.testing.surface_inputs import buttons_in
from models import Assignment, AuditEntry, Mentor
from tests.factories import make_assignment, make_mentor
from tests.flows import assign
from tests.reminders_support import at, sent, sweeper
from tests.test_assignment_race import _race


@pytest.fixture
def sweep(served, settings, clock):  # type: ignore[no-untyped-def]
    """One sweep at `when`, with the app's clock there too (buttons pressed after it)."""
    run = sweeper(served, settings)

    def at_time(when):  # type: ignore[no-untyped-def]
        clock[0] = when
        return run(when)

    return at_time


def _fresh(db, row):  # type: ignore[no-untyped-def]
    db.expire_all()
    return db.get(type(row), row.id)


def _dm_with(slack, who, words):  # type: ignore[no-untyped-def]
    """The newest DM to `who` that says `words` (a sweep may send a check-in beside it)."""
    found = [m for m in slack.dms(who) if words in m.all_text]
    assert found, f"no DM with {words!r}; they see:\n{slack.describe(who)}"
    return found[-1]


def _labels(message) -> list[str]:  # type: ignore[no-untyped-def]
    return [b.label for b in buttons_in(message.blocks)]


def test_a_week_before_the_end_everyone_is_asked_once_and_an_extension_moves_it(
    slack, world, db, sweep
) -> None:  # type: ignore[no-untyped-def]
    # Tue 17 Nov 2026: Max assigns Vera to Newt; 12 weeks by default, so it ends Tue 9 Feb.
    make_mentor(db, world.veteran)
    db.commit()
    assert assign(slack, world.manager, world.veteran, world.new_hire).ok
    slack.click(world.veteran, "Accept", message=slack.last_dm(world.veteran))
    assignment = db.scalars(sa.select(Assignment)).one()
    assert assignment.status == "active" and assignment.expected_end_date == date(2027, 2, 9)

    # Mon 1 Feb, 8 days before: nothing yet; check-ins still run.
    early = sweep(at("2027-02-01T15:00"))
    assert sent(early, "end_of_term") == []
    # Tue 2 Feb, 10:00 in New York, 9:00 in Chicago: a week before, all three are asked.
    report = sweep(at("2027-02-02T15:00"))
    assert sent(report, "end_of_term") == sorted(
        [world.veteran.id, world.new_hire.id, world.manager.id]
    )
    prompt = _dm_with(slack, world.new_hire, "planned to end on *Tue 9 Feb 2027 (in 7 days)*")
    assert _labels(prompt) == ["Complete", "Extend"]
    managers = _dm_with(slack, world.manager, "*Newt Newhire*'s mentorship with *Vera Veteran*")
    assert _labels(managers) == ["Complete", "Extend"]
    # Once: a later sweep (another replica, a restart) sends nothing again.
    assert sent(sweep(at("2027-02-02T18:00")), "end_of_term") == []

    # Newt extends: a date in the past is refused on the field, nothing written.
    slack.click(world.new_hire, "Extend", message=prompt)
    assert "planned to end on *Tue 9 Feb 2027*" in slack.modal_text(world.new_hire)
    refused = slack.submit(world.new_hire, {"New end date": "2027-01-31"})
    assert "can't be in the past" in refused.errors["New end date"]
    assert _fresh(db, assignment).expected_end_date == date(2027, 2, 9)
    assert slack.submit(world.new_hire, {"New end date": "2027-03-09"}).ok
    assert "Expected end: Tue 9 Feb 2027 → Tue 9 Mar 2027" in slack.modal_text(world.new_hire)
    assert _fresh(db, assignment).expected_end_date == date(2027, 3, 9)
    told = slack.last_dm(world.veteran).all_text
    assert "Newt Newhire changed the mentorship with Vera Veteran" in told
    assert "Tue 9 Mar 2027" in told
    assert "mentorship.changed" in db.scalars(sa.select(AuditEntry.action)).all()

    # Tue 2 Mar: a week before the new end, the prompt comes again.
    again = sweep(at("2027-03-02T15:00"))
    assert world.new_hire.id in sent(again, "end_of_term")
    assert world.new_hire.id in sent(again, "checkin")  # 15 weeks in: still nudged
    # Tue 9 Mar, the end date: check-in nudges stop (a weekly one was due today).
    ended = sweep(at("2027-03-09T15:00"))
    assert sent(ended, "checkin") == []
    assert _fresh(db, assignment).status == "active"  # nobody completed it yet


def test_nobody_completes_so_it_completes_by_itself_and_each_side_is_asked_once(
    slack, world, db, sweep
) -> None:  # type: ignore[no-untyped-def]
    mentor = make_mentor(db, world.veteran)
    pair = make_assignment(db, mentor, world.new_hire, start=date(2026, 11, 2))  # ends 25 Jan
    db.commit()
    assert pair.expected_end_date == date(2027, 1, 25)

    # 14 days after the end: not yet.
    assert sent(sweep(at("2027-02-08T15:00")), "term_closed") == []
    assert _fresh(db, pair).status == "active"
    # Tue 9 Feb, 9:30 in New York, 8:30 in Chicago: Vera's survey goes, Newt's waits for
    # his working hours; the mentorship closes with the first.
    first = sweep(at("2027-02-09T14:30"))
    assert sent(first, "term_closed") == [world.veteran.id]
    closed = _fresh(db, pair)
    assert closed.status == "completed"
    assert closed.actual_end_date == date(2027, 1, 25)  # the expected end
    notes = feedback_texts.text(db, pair.id, "completion_notes")
    assert notes.startswith("Closed automatically on 2027-02-09")
    assert "without feedback" in notes
    assert db.get(Mentor, mentor.id).current_mentee_count == 0  # the slot is free
    assert "nobody completed it within 14 days" in slack.last_dm(world.veteran).all_text
    # 10:30 in Chicago: Newt's survey, though the mentorship is closed by now.
    second = sweep(at("2027-02-09T16:30"))
    assert sent(second, "term_closed") == [world.new_hire.id]
    survey = slack.last_dm(world.new_hire)
    assert _labels(survey) == ["Give feedback"]
    slack.click(world.new_hire, "Give feedback", message=survey)
    assert slack.submit(world.new_hire, {"Feedback": "Late, but great.", "Rating": "5"}).ok
    assert _fresh(db, pair).mentee_rating == 5
    # Once each: later sweeps ask nobody again, and close nothing twice.
    assert sent(sweep(at("2027-02-10T16:00")), "term_closed") == []
    completions = [
        e for e in db.scalars(sa.select(AuditEntry)) if e.action == "mentorship.completed"
    ]
    assert len(completions) == 1


def _in_auckland(db, world):  # type: ignore[no-untyped-def]
    """A program run from Auckland, and Vera mentoring Newt until Mon 25 Jan."""
    program.update(
        db,
        changes={"default_timezone": "Pacific/Auckland"},
        actor_id=None,
        now=at("2027-01-01T00:00"),
    )
    pair = make_assignment(db, make_mentor(db, world.veteran), world.new_hire)
    db.commit()
    return pair


def test_it_completes_by_itself_on_the_programs_day(slack, world, db, sweep) -> None:  # type: ignore[no-untyped-def]
    """The program runs in Auckland: at 15:00 UTC on Mon 8 Feb it is already 9 Feb
    there, 15 days after the end, so the mentorship closes then and both (in their
    working hours) are asked for feedback, though UTC's day is only the 14th after it."""
    pair = _in_auckland(db, world)
    assert sorted(sent(sweep(at("2027-02-08T15:00")), "term_closed")) == sorted(
        [world.veteran.id, world.new_hire.id]
    )
    closed = _fresh(db, pair)
    assert closed.status == "completed"
    assert feedback_texts.text(db, pair.id, "completion_notes").startswith(
        "Closed automatically on 2027-02-09"
    )


def test_the_notice_and_the_grace_are_program_settings(slack, world, db, sweep) -> None:  # type: ignore[no-untyped-def]
    slack.slash(world.admin, "/mentor", "admin")
    slack.click(world.admin, "Program", in_view=True)
    assert "Complete by itself (days after the end): 14" in slack.modal_text(world.admin)
    refused = slack.submit(world.admin, {"Complete by itself (days after the end)": "0"})
    assert "from 1 to 365" in refused.errors["Complete by itself (days after the end)"]
    saved = slack.submit(
        world.admin,
        {
            "Ask to complete or extend (days before the end)": "3",
            "Complete by itself (days after the end)": "3",
        },
    )
    assert saved.ok, saved.errors
    pair = make_assignment(db, make_mentor(db, world.veteran), world.new_hire)  # ends 25 Jan
    db.commit()
    assert sent(sweep(at("2027-01-21T15:00")), "end_of_term") == []  # 4 days before
    assert world.new_hire.id in sent(sweep(at("2027-01-22T15:00")), "end_of_term")
    assert sent(sweep(at("2027-01-28T15:00")), "term_closed") == []  # 3 days after
    assert len(sent(sweep(at("2027-01-29T15:00")), "term_closed")) == 2
    assert _fresh(db, pair).status == "completed"


def test_completing_writes_the_completion_notes(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    pair = make_assignment(db, make_mentor(db, world.veteran), world.new_hire)
    db.commit()
    slack.slash(world.new_hire, "/mentor", "complete")
    assert slack.submit(world.new_hire, {"Feedback": "Great.", "Rating": "5"}).ok
    assert feedback_texts.text(db, pair.id, "completion_notes") == (
        "Completed by the mentee (Newt Newhire) on 2026-11-17, "
        "before the expected end (2027-01-25)."
    )


def test_the_manager_completes_it_for_the_pair_who_then_give_feedback(
    slack, world, db, sweep
) -> None:  # type: ignore[no-untyped-def]
    mentor = make_mentor(db, world.veteran)
    pair = make_assignment(db, mentor, world.new_hire)  # ends Mon 25 Jan
    db.commit()
    sweep(at("2027-01-18T15:00"))
    prompt = slack.last_dm(world.manager)
    # Only the manager's button: a side pressing it is told how they complete it.
    slack.press(world.veteran, COMPLETE_FOR_PAIR, str(pair.id))
    assert "mentor and mentee complete it with their feedback" in (
        slack.last_ephemeral(world.veteran).all_text
    )

    slack.click(world.manager, "Complete", message=prompt)
    assert "Both are asked for their feedback" in slack.modal_text(world.manager)
    refused = slack.submit(world.manager, {"Completion notes": "  "})
    assert "can't be empty" in refused.errors["Completion notes"]
    assert _fresh(db, pair).status == "active"
    assert slack.submit(world.manager, {"Completion notes": "Newt is fully ramped."}).ok
    done = _fresh(db, pair)
    assert done.status == "completed" and done.actual_end_date == date(2027, 1, 18)
    assert feedback_texts.text(db, pair.id, "completion_notes") == (
        "Completed by Max Manager (the mentee's manager): Newt is fully ramped."
    )
    assert db.get(Mentor, mentor.id).current_mentee_count == 0
    for side in (world.veteran, world.new_hire):
        ask = slack.last_dm(side)
        assert "Max Manager completed your mentorship" in ask.all_text
    slack.click(world.new_hire, "Give feedback", message=slack.last_dm(world.new_hire))
    assert slack.submit(world.new_hire, {"Feedback": "Thanks Vera.", "Rating": "5"}).ok
    assert _fresh(db, pair).mentee_rating == 5
    # Completed by a person, so no automatic close nor survey later.
    assert sent(sweep(at("2027-02-10T16:00")), "term_closed") == []


def test_the_managers_completion_is_dated_on_the_programs_day(slack, world, db, sweep) -> None:  # type: ignore[no-untyped-def]
    """The program runs in Auckland: at 10:00 in New York on 18 Jan, Max's completion
    is recorded on the program's 19 Jan, as every end of a mentorship is."""
    pair = _in_auckland(db, world)
    sweep(at("2027-01-18T15:00"))
    slack.click(world.manager, "Complete", message=slack.last_dm(world.manager))
    assert slack.submit(world.manager, {"Completion notes": "Newt is fully ramped."}).ok
    assert _fresh(db, pair).actual_end_date == date(2027, 1, 19)


def test_closing_and_completing_at_once_end_it_once(backend, engine, db, world) -> None:  # type: ignore[no-untyped-def]
    """Two deliveries closing it, or a side completing it as it closes (PostgreSQL, real
    concurrent transactions): it completes once and the slot is freed once."""
    if backend != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL (SQLite has one writer)")
    mentor = make_mentor(db, world.veteran)
    pair = make_assignment(db, mentor, world.new_hire)  # ends 25 Jan
    db.commit()
    now = at("2027-02-09T15:00")

    def closing(side):  # type: ignore[no-untyped-def]
        return lambda session: term.close_without_feedback(
            session, assignment_id=pair.id, side=side, now=now, after_days=14
        )

    def completing(session):  # type: ignore[no-untyped-def]
        return completion.complete(
            session,
            actor_id=world.new_hire.user_id,
            assignment_id=pair.id,
            feedback="Great.",
            rating=5,
            now=now,
        )

    results = _race(engine, closing("mentor"), closing("mentee"), completing)
    assert not [r for r in results if isinstance(r, Exception) and "already" not in str(r)]
    ended = [
        r for r in results if getattr(r, "closed_now", False) or getattr(r, "ended_now", False)
    ]
    assert len(ended) == 1, results
    db.expire_all()
    assert db.get(Mentor, mentor.id).current_mentee_count == 0
    completions = db.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "mentorship.completed")
    ).all()
    assert len(completions) == 1
