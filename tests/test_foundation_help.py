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
