"""What a person reads about messages that wait for Slack."""

from __future__ import annotations

from collections.abc import Sequence


def will_tell(waiting: Sequence[str]) -> str:
    """What the person who acted reads when the DMs their change causes wait for Slack
    (`waiting`: the Slack ids of those to tell): it is saved, and who will be told."""
    people = [f"<@{slack_id}>" for slack_id in waiting]
    named = people[0] if len(people) == 1 else ", ".join(people[:-1]) + " and " + people[-1]
    return f"Saved. I'll tell {named} as soon as Slack answers."
