"""Inputs that once went unanswered or crashed, each played as the person who sent it:
a resource line that is no URL, a date in the year 9999, a slash text starting with the
word `payload`, a NUL byte, two first requests at once from someone new."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from models import MentorshipSession, User
from tests.factories import make_assignment, make_mentor
from tests.flows import assign

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


@pytest.mark.parametrize("summary", ["Acme\x00renewal", "Acme\ud800"])
def test_a_nul_byte_in_a_text_field_is_refused_on_that_field(
    slack, world, db, pair, summary: str
) -> None:  # type: ignore[no-untyped-def]
    refused = _log(slack, world, Summary=summary)

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


def _signed_raw(slack, body: bytes, content_type: str) -> int:  # type: ignore[no-untyped-def]
    """POST `body` as Slack would sign it now; the HTTP status the app answers."""
    return slack.post(body.decode(), content_type, wait=True).status


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("{", "application/json"),
        ("[]", "application/json"),
        ("{}", "application/json"),
        ("[" * 50_000, "application/json"),
        ("payload=not+json", "application/x-www-form-urlencoded"),
        ("payload=%7B", "application/x-www-form-urlencoded"),
        ("command=%2Fmentor&text=help", "text/plain"),
    ],
)
def test_a_signed_body_that_is_no_slack_request_is_a_400_not_a_500(
    slack, db, body: str, content_type: str
) -> None:  # type: ignore[no-untyped-def]
    assert _signed_raw(slack, body.encode(), content_type) == 400
    db.expire_all()
    assert db.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_a_settings_save_that_changes_nothing_says_so(slack, world) -> None:  # type: ignore[no-untyped-def]
    slack.slash(world.admin, "/mentor", "admin")
    slack.click(world.admin, "Matching", in_view=True)

    sent = slack.submit(world.admin)  # as the form was opened

    assert sent.ok
    assert "Nothing changed" in slack.modal_text(world.admin)


def test_a_profile_save_that_changes_nothing_says_so(slack, world) -> None:  # type: ignore[no-untyped-def]
    slack.slash(world.veteran, "/mentor", "optin")
    assert slack.submit(world.veteran, {"Expertise": ["Renewals"], "Capacity": "2"}).ok
    slack.slash(world.veteran, "/mentor", "optin")

    assert slack.submit(world.veteran).ok

    assert "Nothing changed" in slack.modal_text(world.veteran)


def test_a_decline_says_what_was_saved_even_without_its_message(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    make_mentor(db, world.veteran)
    db.commit()
    assert assign(slack, world.manager, world.veteran, world.new_hire).ok
    offer = slack.last_dm(world.veteran)
    slack.click(world.veteran, "Decline", message=offer)
    slack.fake.api_chat_delete({"channel": offer.channel, "ts": offer.ts})  # gone meanwhile

    assert slack.submit(world.veteran, {"Reason": "No capacity"}).ok

    assert "declined to mentor Newt Newhire" in slack.modal_text(world.veteran)


def test_a_cancel_says_what_was_saved(slack, world, pair) -> None:  # type: ignore[no-untyped-def]
    slack.slash(world.manager, "/mentor", f"cancel {world.new_hire.mention}")

    assert slack.submit(world.manager, {"Reason": "Newt moved to the Sales team."}).ok

    assert "cancelled the mentorship of Newt Newhire" in slack.modal_text(world.manager)


def test_an_error_before_any_listener_still_answers_the_command(slack, world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the roster is unreachable")

    monkeypatch.setattr("bot.services.first_contact.ensure_user", broken)

    reply = slack.mentor(world.veteran, "help")

    assert "nothing was saved" in reply.text


def test_an_error_before_any_listener_still_answers_the_form(slack, world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    slack.slash(world.veteran, "/mentor", "optin")

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the roster is unreachable")

    monkeypatch.setattr("bot.services.first_contact.by_slack_id", broken)
    refused = slack.submit(world.veteran, {"Expertise": ["Renewals"], "Capacity": "2"})

    assert "nothing was saved" in " ".join(refused.errors.values())


@pytest.mark.parametrize(
    "crafted",
    [
        {"day": {"day": {"type": "datepicker", "selected_date": 20261117}}},
        {"day": {"day": {"type": "plain_text_input", "value": "2026-11-17"}}},
        {"day": "2026-11-17"},
        {"topics": {"topics": {"type": "multi_static_select", "selected_options": [{}]}}},
    ],
)
def test_a_value_only_a_crafted_request_sends_is_refused_in_one_message(
    slack, world, db, pair, crafted: dict[str, object]
) -> None:  # type: ignore[no-untyped-def]
    slack.slash(world.veteran, "/mentor", "log")

    refused = slack.submit(world.veteran, LOG_VALUES, crafted=crafted)

    [(label, message)] = refused.errors.items()
    assert label == {"day": "Date", "topics": "Topics"}[next(iter(crafted))]
    assert "nothing was saved" in message
    assert _sessions(db) == 0


def test_a_pause_until_the_year_9999_is_refused_with_the_range(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    make_mentor(db, world.veteran)
    db.commit()

    reply = slack.mentor(world.veteran, "pause until 9999-12-31")

    assert "between 1900 and 2100" in reply.all_text


def test_an_action_item_due_in_the_year_9999_is_refused_on_its_field(
    slack, world, db, pair
) -> None:  # type: ignore[no-untyped-def]
    refused = _log(slack, world, **{"Action items": "mentee: Draft the deck by 9999-12-31"})

    assert list(refused.errors) == ["Action items"], refused.errors
    assert "between 1900 and 2100" in refused.errors["Action items"]
    assert _sessions(db) == 0
