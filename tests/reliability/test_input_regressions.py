"""Inputs that once went unanswered or crashed, each played as the person who sent it:
a resource line that is no URL, a date in the year 9999, a slash text starting with the
word `payload`, a NUL byte, two first requests at once from someone new."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from models import MentorshipSession, User
from tests.factories import make_assignment, make_mentor

LOG_VALUES = {
    "Duration (minutes)": "45",
    "Topics": ["Renewals"],
    "Summary": "Walked through the Acme renewal.",
}


@pytest.fixture
def pair(db, world):  # type: ignore[no-untyped-def]
    """Vera mentors Newt (active since 2 Nov)."""
    mentor = make_mentor(db, world.veteran)
    assignment = make_assignment(db, mentor, world.new_hire, assigned_by=world.manager)
    db.commit()
    return assignment


def _sessions(db) -> int:  # type: ignore[no-untyped-def]
    db.expire_all()
    return db.scalar(sa.select(sa.func.count()).select_from(MentorshipSession)) or 0


def _log(slack, world, **typed: str):  # type: ignore[no-untyped-def]
    slack.slash(world.veteran, "/mentor", "log")
    return slack.submit(world.veteran, {**LOG_VALUES, **typed})


def test_a_resource_line_that_is_no_url_is_refused_on_the_resources_field(
    slack, world, db, pair
) -> None:  # type: ignore[no-untyped-def]
    refused = _log(slack, world, Resources="Playbook https://[x")

    assert list(refused.errors) == ["Resources"], refused.errors
    assert "Line 1" in refused.errors["Resources"]
    assert _sessions(db) == 0


def test_a_date_in_the_year_9999_is_refused_on_the_date_field(slack, world, db, pair) -> None:  # type: ignore[no-untyped-def]
    refused = _log(slack, world, Date="9999-12-31")

    assert list(refused.errors) == ["Date"], refused.errors
    assert "1900" in refused.errors["Date"] and "2100" in refused.errors["Date"]
    assert _sessions(db) == 0


def test_a_nul_byte_in_a_text_field_is_refused_on_that_field(slack, world, db, pair) -> None:  # type: ignore[no-untyped-def]
    refused = _log(slack, world, Summary="Acme\x00renewal")

    assert list(refused.errors) == ["Summary"], refused.errors
    assert _sessions(db) == 0


@pytest.mark.parametrize("text", ["payload", "payload={}", "PAYLOAD now", "help payload"])
def test_a_slash_text_with_the_word_payload_is_answered(slack, world, text: str) -> None:  # type: ignore[no-untyped-def]
    reply = slack.mentor(world.veteran, text)

    assert "/mentor" in reply.all_text  # the help, or the command it names


def test_a_nul_byte_in_a_slash_text_is_answered(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    reply = slack.mentor(world.veteran, "ask \x00")

    assert reply.all_text


def test_two_first_requests_at_once_from_someone_new_are_both_answered(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    # Each round is a person MentorBot has never seen, typing twice at the same moment.
    unanswered = 0
    for round_ in range(8):
        person = f"UFIRST{round_:04d}"
        start = threading.Barrier(2)

        def type_help(who: str = person, barrier: threading.Barrier = start) -> None:
            body = slack.slash_body(who, "/mentor", "help")
            barrier.wait()
            slack.post_form(body)

        threads = [threading.Thread(target=type_help) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        slack.wait_idle()
        unanswered += 2 - len(slack.fake.ephemeral(person))
    print(f"\nunanswered first requests: {unanswered} of 16")
    assert unanswered == 0
    db.expire_all()
    newcomers = sa.select(sa.func.count()).where(User.slack_user_id.like("UFIRST%"))
    assert db.scalar(newcomers) == 8
