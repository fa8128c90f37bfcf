"""Steps of the assignment flow that tests of other behaviour need on the way."""

from __future__ import annotations

from typing import Any

from bot.testing.driver import SlackDriver, Submission

CONFIRM = {"I confirm the expectations": ["I confirm the expectations"]}


def assign(slack: SlackDriver, asker: Any, mentor: Any, mentee: Any, **values: Any) -> Submission:
    """`asker` types `/mentor assign @mentor @mentee` and sends the modal, confirming
    the expectations; `values` fill other inputs by label."""
    slack.slash(asker, "/mentor", f"assign {mentor.mention} {mentee.mention}")
    return slack.submit(asker, {**CONFIRM, **values})
