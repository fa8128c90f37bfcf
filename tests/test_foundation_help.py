"""`/mentor help`, `/mentor` alone and unknown sub-commands all show the help."""

from __future__ import annotations

import pytest

from bot.listeners.commands import SUBCOMMANDS


@pytest.mark.parametrize("text", ["help", "", "HELP", "frobnicate"])
def test_help_lists_every_subcommand(slack, text: str) -> None:  # type: ignore[no-untyped-def]
    reply = slack.mentor("UNEWT", text)
    for entry in SUBCOMMANDS.values():
        assert entry.usage in reply.all_text
        assert entry.summary in reply.all_text
    assert reply.ephemeral_for == "UNEWT"


def test_unknown_subcommand_says_so(slack) -> None:  # type: ignore[no-untyped-def]
    reply = slack.mentor("UNEWT", "frobnicate now")
    assert "I don't know `/mentor frobnicate`" in reply.all_text


def test_help_has_one_line_per_subcommand(slack) -> None:  # type: ignore[no-untyped-def]
    reply = slack.mentor("UNEWT", "help")
    lines = [line for line in reply.all_text.splitlines() if line.strip().startswith("`/mentor")]
    assert len(lines) == len(SUBCOMMANDS)


def test_help_says_so_when_the_roster_cannot_be_read(slack, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the roster is unreachable")

    monkeypatch.setattr("bot.services.first_contact.by_slack_id", broken)
    reply = slack.mentor("UNEWT", "help")  # a 500 would fail here: Slack shows an error
    assert "nothing was saved" in reply.all_text


def test_help_is_answered_in_the_ack_with_no_call_to_slack(slack, world) -> None:  # type: ignore[no-untyped-def]
    slack.mentor(world.veteran, "help")  # their first contact, made before this test's count
    before = len(slack.fake.calls)
    reply = slack.mentor(world.veteran, "help")
    assert "/mentor optin" in reply.all_text
    assert slack.fake.calls[before:] == []  # no response_url post, no Web API call
