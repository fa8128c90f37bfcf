"""The one pattern that finds characters no one types agrees with Unicode's own
categories for every code point, so parsing `/mentor` text with it (before each ack)
drops exactly what the category lookup dropped."""

from __future__ import annotations

import sys
import unicodedata

from bot.listeners.parsing import parse_subcommand
from bot.services.inputs import TYPED_CONTROLS, has_control_characters


def test_the_pattern_is_unicodes_control_and_surrogate_categories() -> None:
    disagree = [
        hex(code)
        for code in range(sys.maxunicode + 1)
        if has_control_characters(chr(code))
        != (unicodedata.category(chr(code)) in ("Cc", "Cs") and chr(code) not in TYPED_CONTROLS)
    ]
    assert disagree == []


def test_a_command_is_parsed_without_its_control_characters() -> None:
    assert parse_subcommand("MA\x00tch\x1b <@U1>\tfocus:\ud800 QBRs\x7f") == (
        "match",
        "<@U1>\tfocus: QBRs",
    )
    assert parse_subcommand("\x00\x01 \n") == ("", "")
