"""Questions to the mentor (issue 17; Mentor Role: inquiries answered within 24 hours):
`/mentor ask` or "Ask my mentor" on a message, Answer or "Talk in our next session",
a reminder after 20 hours and the program admins told at 24, once."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from bot.blocks import actions as ids
from bot.config import Settings
from bot.testing.fake_chat import Message
from bot.testing.harness import ServedApp
from models import AuditEntry, MentorQuestion, User
from tests.factories import make_assignment, make_mentor
from tests.reminders_support import Sweep, at, sent, sweeper

QUESTION = "How do I prepare my first QBR?"


@pytest.fixture
def sweep(served: ServedApp, settings: Settings) -> Sweep:
    return sweeper(served, settings)


@pytest.fixture
def pair(db, world):  # type: ignore[no-untyped-def]
    """Vera (New York) mentors Newt (Chicago)."""
    mentor = make_mentor(db, world.veteran)
    assignment = make_assignment(db, mentor, world.new_hire, assigned_by=world.manager)
    db.commit()
    return assignment


def questions(db) -> list[MentorQuestion]:  # type: ignore[no-untyped-def]
    db.expire_all()
    return list(db.scalars(sa.select(MentorQuestion)))


def test_a_question_answered_in_time(slack, world, db, pair, sweep, clock) -> None:  # type: ignore[no-untyped-def]
    reply = slack.mentor(world.new_hire, f"ask {QUESTION}")
    assert "I sent your question to Vera Veteran" in reply.text

    asked = slack.last_dm(world.veteran)
    assert "*Newt Newhire* asks" in asked.all_text and QUESTION in asked.all_text
    slack.click(world.veteran, "Answer", message=asked)
    answered = slack.submit(world.veteran, {"Answer": "Start from last quarter's numbers."})
    assert answered.ok, answered.errors

    told = slack.last_dm(world.new_hire)
    assert "*Vera Veteran* answered" in told.all_text
    assert "Start from last quarter's numbers." in told.all_text
    [question] = questions(db)
    assert question.status == "answered" and question.answered_at == clock[0]

    # Answering twice (a stale copy of the message) changes nothing; neither do later sweeps.
    slack.press(world.veteran, ids.QUESTION_ANSWER, str(question.id))
    assert "already answered" in slack.last_ephemeral(world.veteran).text
    later = sweep(at("2026-11-18T16:00"))
    assert sent(later, "question_new") == [] and sent(later, "question_escalation") == []
    audit = db.scalars(sa.select(AuditEntry).where(AuditEntry.action == "question.answered")).one()
    assert "numbers" not in str(audit.details)  # ids only, never the text


def test_an_unanswered_question_reminds_at_20_hours_and_escalates_at_24_once(
    slack, world, db, pair, sweep, clock
) -> None:  # type: ignore[no-untyped-def]
    db.get(User, world.admin.user_id).is_admin = True
    db.commit()
    clock[0] = at("2026-11-17T20:30")  # 15:30 in New York
    slack.mentor(world.new_hire, f"ask {QUESTION}")
    assert QUESTION in slack.last_dm(world.veteran).all_text

    assert sent(sweep(at("2026-11-18T16:00")), "question_new") == []  # 19.5 hours
    assert sent(sweep(at("2026-11-18T16:30")), "question_new") == ["UVERA"]  # 20 hours
    assert "It has waited 20 hours" in slack.last_dm(world.veteran).all_text
    assert sent(sweep(at("2026-11-18T20:00")), "question_escalation") == []
    assert sent(sweep(at("2026-11-18T20:30")), "question_escalation") == ["UADMIN"]
    assert sent(sweep(at("2026-11-18T21:00")), "question_escalation") == []
    escalation = slack.last_dm(world.admin)
    assert "has waited 24 hours for *Vera Veteran*'s answer" in escalation.all_text
    assert QUESTION not in escalation.all_text  # private to the pair

    # "Talk in our next session" is an answer too; the mentee is told.
    slack.click(world.veteran, "Talk in our next session", message=slack.last_dm(world.veteran))
    assert "in your next session" in slack.last_dm(world.new_hire).all_text
    assert questions(db)[0].status == "deferred"


def test_the_scheduler_holds_the_admins_escalation_for_their_working_day(
    slack, world, db, pair, sweep, clock
) -> None:  # type: ignore[no-untyped-def]
    """Asked on a Friday afternoon: the escalation at 24 hours falls on Saturday, so the
    scheduler's sweep (working hours judged in its query) holds each admin's copy until
    their own Monday: London's first, then New York's, once each."""
    for admin in (world.admin, world.londoner):
        db.get(User, admin.user_id).is_admin = True
    db.commit()
    clock[0] = at("2026-11-20T20:30")  # Friday, 15:30 in New York
    slack.mentor(world.new_hire, f"ask {QUESTION}")

    saturday = sweep(at("2026-11-21T20:30"), list_held=False)
    assert saturday.held_counts["question_escalation"] == 2
    assert sent(saturday, "question_escalation") == []
    london_monday = sweep(at("2026-11-23T09:00"), list_held=False)
    assert sent(london_monday, "question_escalation") == ["UOMAR"]
    assert london_monday.held_counts["question_escalation"] == 1
    assert QUESTION not in slack.last_dm(world.londoner).all_text  # private to the pair
    new_york_monday = sweep(at("2026-11-23T14:00"), list_held=False)
    assert sent(new_york_monday, "question_escalation") == ["UADMIN"]
    later = sweep(at("2026-11-23T15:00"), list_held=False)
    assert later.held_counts["question_escalation"] == 0
    assert sent(later, "question_escalation") == []


def test_with_the_claim_limit_taken_the_finder_only_counts(db, world, pair) -> None:  # type: ignore[no-untyped-def]
    """When the finders before it took the whole claim limit, the question finder
    returns nothing and counts what it would have: held and deferred, the same figures."""
    from collections import Counter

    from bot.services import reminders
    from bot.services.program import ProgramConfig

    now = at("2026-11-18T15:00")  # 10:00 in New York, midnight in Tokyo
    tokyo = make_assignment(db, make_mentor(db, world.tokyo_veteran), world.tokyo_hire)
    for assignment, mentor in ((pair, world.veteran), (tokyo, world.tokyo_veteran)):
        for hours in (21, 2):
            db.add(
                MentorQuestion(
                    assignment_id=assignment.id,
                    asked_by_user_id=assignment.mentee_user_id,
                    mentor_user_id=mentor.user_id,
                    question=QUESTION,
                    asked_at=now - timedelta(hours=hours),
                )
            )
    db.commit()
    room = reminders.DueContext(db, ProgramConfig(), now, count_held=True, limit=100)
    found = reminders.collect_due(room, ["questions"])
    db.rollback()
    assert Counter(d.period for d in found) == {"new": 2, "reminder": 1}  # Vera's
    assert room.held["question_new"] == 2  # Keiko's two, at midnight in Tokyo

    spent = reminders.DueContext(db, ProgramConfig(), now, count_held=True, limit=100)
    spent.taken = 100
    assert reminders.collect_due(spent, ["questions"]) == []
    db.rollback()
    assert spent.held == room.held
    assert spent.deferred == Counter({"question_new": room.taken}) and room.taken == 2


def test_ask_my_mentor_on_a_message(slack, world, db, pair) -> None:  # type: ignore[no-untyped-def]
    message = Message("CGENERAL", "1763391600.000100", "Is the renewal forecast in Salesforce?")
    slack.shortcut(world.new_hire, ids.ASK_SHORTCUT, message)
    assert "Is the renewal forecast" in slack.modal_text(world.new_hire)
    sent_form = slack.submit(world.new_hire)
    assert sent_form.ok, sent_form.errors
    [question] = questions(db)
    assert question.question == "Is the renewal forecast in Salesforce?"
    assert question.source_link == "https://mentor.slack.com/archives/CGENERAL/p1763391600000100"
    assert "Is the renewal forecast" in slack.last_dm(world.veteran).all_text


def test_bad_questions_say_what_to_do_and_write_nothing(slack, world, db, pair) -> None:  # type: ignore[no-untyped-def]
    assert "Type your question after the command" in slack.mentor(world.new_hire, "ask").text
    assert "no mentor to ask yet" in slack.mentor(world.junior, f"ask {QUESTION}").text
    assert questions(db) == []

    slack.mentor(world.new_hire, f"ask {QUESTION}")
    [question] = questions(db)
    # Someone else (even Vera's manager) can't answer it; Vera can't send an empty answer.
    slack.press(world.londoner, ids.QUESTION_ANSWER, str(question.id))
    assert "Only the mentee's mentor" in slack.last_ephemeral(world.londoner).text
    slack.click(world.veteran, "Answer", message=slack.last_dm(world.veteran))
    empty = slack.submit(world.veteran, {"Answer": "  "})
    assert "can't be empty" in empty.errors["Answer"]
    assert questions(db)[0].status == "open"
