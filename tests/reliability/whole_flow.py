"""One mentorship from opt-in to completion, step by step, through the real app: the
story the idempotency and audit tests replay (each step is what people do in Slack, or
what the system does on its own, like a reminder sweep)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.testing.driver import SlackDriver
from tests.flows import CONFIRM
from tests.reminders_support import Sweep

QBR = "First QBR run solo"


@dataclass
class Story:
    slack: SlackDriver
    world: Any
    sweep: Sweep
    clock: list[datetime]

    def later(self, **delta: float) -> None:
        self.clock[0] = self.clock[0] + timedelta(**delta)


def opt_in(s: Story) -> None:
    s.slack.slash(s.world.veteran, "/mentor", "optin")
    sent = s.slack.submit(s.world.veteran, {"Expertise": ["Renewals"], "Capacity": "2"})
    assert sent.ok, sent.errors


def match_and_assign(s: Story) -> None:
    s.slack.mentor(s.world.manager, f"match {s.world.new_hire.mention} focus: renewals")
    s.slack.click(s.world.manager, "Assign", near=s.world.veteran.name)
    sent = s.slack.submit(s.world.manager, {**CONFIRM, "Goals": "Run a QBR solo"})
    assert sent.ok, sent.errors


def accept(s: Story) -> None:
    s.slack.click(s.world.veteran, "Accept", message=s.slack.last_dm(s.world.veteran))


def log_session(s: Story) -> None:
    s.later(hours=2)
    s.slack.slash(s.world.veteran, "/mentor", "log")
    sent = s.slack.submit(
        s.world.veteran,
        {
            "Topics": ["Renewals"],
            "Summary": "Walked through the Acme renewal.",
            "Action items": "mentee: Draft the QBR deck",
        },
    )
    assert sent.ok, sent.errors


def tick_action_item(s: Story) -> None:
    s.slack.open_home(s.world.new_hire)
    s.slack.click(s.world.new_hire, "Done", home=True, near="Draft the QBR deck")


def remind(s: Story) -> None:
    s.later(days=8)
    s.sweep(s.clock[0])
    nudges = [m for m in s.slack.dms(s.world.new_hire) if "Snooze a week" in m.rendered]
    assert nudges, s.slack.describe(s.world.new_hire)
    s.slack.click(s.world.new_hire, "Snooze a week", message=nudges[-1])


def milestone(s: Story) -> None:
    s.slack.open_home(s.world.new_hire)
    s.slack.click(s.world.new_hire, "Submit", home=True, near=QBR)
    sent = s.slack.submit(s.world.new_hire, {"Evidence": "https://drive.example.com/acme-qbr"})
    assert sent.ok, sent.errors
    request = [m for m in s.slack.dms(s.world.veteran) if QBR in m.all_text][-1]
    s.slack.click(s.world.veteran, "Approve", message=request)


def complete(s: Story) -> None:
    s.slack.slash(s.world.new_hire, "/mentor", "complete")
    sent = s.slack.submit(s.world.new_hire, {"Feedback": "Great.", "Rating": "5"})
    assert sent.ok, sent.errors
    s.slack.click(s.world.veteran, "Give feedback", message=s.slack.last_dm(s.world.veteran))
    sent = s.slack.submit(s.world.veteran, {"Feedback": "A joy.", "Rating": "5"})
    assert sent.ok, sent.errors


#: The story in order: (what happens, the step).
STEPS: list[tuple[str, Callable[[Story], None]]] = [
    ("opt-in", opt_in),
    ("match and assign", match_and_assign),
    ("accept", accept),
    ("log a session", log_session),
    ("tick an action item", tick_action_item),
    ("reminder and snooze", remind),
    ("milestone submitted and approved", milestone),
    ("feedback and completion", complete),
]
