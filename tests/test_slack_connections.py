"""Web API calls and response_url posts go out on connections kept open (HTTP/1.1
keep-alive, bot/slack_http.py), as Slack's servers allow, instead of a new TCP + TLS
handshake per call; a connection Slack closes costs nobody their answer, and a 429 is
still waited out. The fake Slack counts the connections opened to it."""

from __future__ import annotations

import logging

import pytest

from bot.testing.driver import SlackDriver
from tests.factories import make_mentor

#: Connections a flow may open: one, and another if two threads happen to call at once.
A_FEW = 2


def match(slack: SlackDriver, world) -> str:  # type: ignore[no-untyped-def]
    """The manager's `/mentor match @newt`: its answer comes through the response_url."""
    return slack.mentor(world.manager, f"match {world.new_hire.mention}").all_text


def edit_profile(slack: SlackDriver, world) -> str:  # type: ignore[no-untyped-def]
    """Vera presses "Edit profile" on her App Home (`views.open`), reads her form and
    closes it."""
    slack.open_home(world.veteran)
    slack.click(world.veteran, "Edit profile", home=True)
    form = slack.modal_text(world.veteran)
    slack.close_modal(world.veteran)
    return form


def test_many_calls_and_answers_share_one_or_two_connections(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    make_mentor(db, world.veteran, expertise=["Renewals"])
    db.commit()
    match(slack, world)  # whatever the app's first calls open, they stay open
    calls, opened = len(slack.fake.calls), slack.fake.connections

    for _ in range(10):
        assert "Vera Veteran" in match(slack, world)
        assert "Expertise" in edit_profile(slack, world)

    # A post per match, a views.open per press (users.info on the first press only:
    # Slack's profile is asked for at most hourly), views.publish, ...
    assert len(slack.fake.calls) - calls >= 30
    assert slack.fake.connections - opened <= A_FEW


def test_a_connection_slack_closed_while_idle_is_replaced_unnoticed(  # type: ignore[no-untyped-def]
    slack, world, db, caplog
) -> None:
    make_mentor(db, world.veteran, expertise=["Renewals"])
    db.commit()
    match(slack, world)
    assert slack.fake.close_idle_connections() >= 1  # as Slack closes idle ones
    opened = slack.fake.connections

    with caplog.at_level(logging.INFO, logger="slack_sdk"):
        assert "Vera Veteran" in match(slack, world)
        assert "Expertise" in edit_profile(slack, world)

    assert 1 <= slack.fake.connections - opened <= A_FEW
    # Nothing was sent on a closed connection and retried: urllib3 saw it closed.
    assert not [r for r in caplog.records if r.name.startswith("slack_sdk")]


def test_a_request_whose_connection_drops_unanswered_is_sent_again_once(  # type: ignore[no-untyped-def]
    slack, world, db
) -> None:
    """Slack closed a kept connection just as a request went out on it: slack_sdk's
    retry of a dropped connection sends it again, on a new one."""
    make_mentor(db, world.veteran, expertise=["Renewals"])
    db.commit()
    match(slack, world)
    slack.fake.drop("response_url")
    slack.fake.drop("views.open")

    assert "Vera Veteran" in match(slack, world)
    assert "Expertise" in edit_profile(slack, world)

    assert slack.fake.drops == {"response_url": 0, "views.open": 0}  # both were dropped
    assert len(slack.fake.calls_to("views.open")) == 1
    answers = [m for m in slack.fake.ephemeral(world.manager.id) if "Vera Veteran" in m.all_text]
    assert len(answers) == 2  # the first match's and this one's, each once


def test_a_429_on_a_kept_connection_is_still_waited_out(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    make_mentor(db, world.veteran, expertise=["Renewals"])
    db.commit()
    edit_profile(slack, world)
    opened = slack.fake.connections
    slack.fake.fail("views.open", status=429, retry_after=1)

    assert "Expertise" in edit_profile(slack, world)

    opens = slack.fake.calls_to("views.open")
    assert len(opens) == 3  # the first press's, then this press's 429 and its retry
    assert opens[2].at - opens[1].at >= 1  # Retry-After
    assert slack.fake.connections - opened <= A_FEW


def test_a_response_url_is_never_written_to_the_log(slack, world, db, caplog) -> None:  # type: ignore[no-untyped-def]
    """urllib3 logs each request's path at DEBUG: a response_url's is cut out, as
    slack_sdk's own log lines are (bot/logsafe.py), so the log can't post as us."""
    make_mentor(db, world.veteran, expertise=["Renewals"])
    db.commit()
    with (
        caplog.at_level(logging.DEBUG, logger="urllib3"),
        caplog.at_level(logging.DEBUG, logger="slack_sdk"),
    ):
        match(slack, world)
    lines = [r.getMessage() for r in caplog.records]
    assert any("POST <path, not logged>" in line for line in lines)
    assert not [line for line in lines if "/response/" in line]


def test_a_call_past_its_timeout_fails_and_its_connection_is_not_reused(  # type: ignore[no-untyped-def]
    slack, world, settings
) -> None:
    """A read that times out raises as urllib's did (not retried: Slack may have acted
    on it), and the late answer on that connection is never read as the next call's."""
    from bot.slack_client import make_client

    client = make_client(settings)
    client.timeout = 0.5
    slack.fake.latency = 0.8
    try:
        with pytest.raises(TimeoutError):
            client.users_info(user=world.veteran.id)
    finally:
        slack.fake.latency = 0.0
    assert client.users_info(user=world.new_hire.id)["user"]["id"] == world.new_hire.id
    assert client.users_info(user=world.veteran.id)["user"]["id"] == world.veteran.id
