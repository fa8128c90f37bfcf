"""`mentorbot demo`: the whole workflow on a throw-away SQLite file against the
local fake Slack, printing what each person sees. No credentials needed."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.blocks.plaintext import render_blocks, render_view
from bot.config import Settings
from bot.runtime import Runtime
from bot.testing.driver import SlackDriver
from bot.testing.fake_chat import Message
from bot.testing.fake_slack import FakeSlack
from bot.testing.harness import ServedApp
from bot.testing.people import Person, cast, seed
from models.migrate import upgrade

SIGNING_SECRET = "demo-signing-secret"


@dataclass
class Demo:
    slack: SlackDriver
    app: ServedApp
    people: dict[str, Person]

    def person(self, slack_id: str) -> Person:
        return self.people[slack_id]

    def step(self, title: str) -> None:
        print(f"\n━━━ {title} ━━━")

    def types(self, who: str, text: str) -> list[Message]:
        """`who` types `/mentor <text>`; print what comes back."""
        print(f"\n{self.person(who).name} types: /mentor {text}")
        answers = self.slack.slash(who, "/mentor", text)
        for answer in answers:
            self.shows(who, "sees (only visible to you)", answer)
        view = self.slack.modal(who)
        if view is not None:
            self.shows_view(who, view)
        return answers

    def shows(self, who: str, how: str, message: Message) -> None:
        print(f"\n{self.person(who).name} {how}:")
        print(_indent(message.rendered))

    def shows_view(self, who: str, view: dict[str, object]) -> None:
        print(f"\n{self.person(who).name} sees a modal:")
        print(_indent(render_view(view)))  # type: ignore[arg-type]

    def shows_home(self, who: str) -> None:
        """`who` opens MentorBot's App Home tab; print it."""
        home = self.slack.open_home(who)
        print(f"\n{self.person(who).name} opens MentorBot's Home tab:")
        print(_indent(render_blocks(home.get("blocks"))))

    def new_dms(self, who: str, since: int) -> list[Message]:
        messages = self.slack.dms(who)[since:]
        for message in messages:
            self.shows(who, "gets a DM", message)
        return messages


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


def show_help(demo: Demo) -> None:
    demo.step("Anyone can ask what MentorBot does")
    demo.types("UNEWT", "help")


def steps() -> list[Callable[[Demo], None]]:
    """The flows, in the order a program lives them. Each capability adds its own."""
    # Imported here, when the demo runs, not when this module loads: the step modules
    # use Demo, defined above, so any of them can be imported first.
    from bot.demo_steps import (
        analytics,
        api,
        circles,
        end_of_term,
        matching,
        mentors,
        mentorship,
        program,
        reminders,
        scheduling,
        settings,
    )

    # The analytics come after the mentorship completes, as a program lead reads them;
    # then the clock walks on to another mentorship's end.
    return [
        show_help,
        # The lead shapes the program before the first match: settings, ramp, curriculum.
        *settings.STEPS,
        *program.STEPS,
        *mentors.STEPS,
        *matching.STEPS,
        # A system asks through the REST API; the mentor answers in Slack.
        *api.STEPS,
        # Check-in nudges come while the mentorship runs, before it completes.
        *mentorship.STEPS[:-1],
        *reminders.STEPS,
        *scheduling.STEPS,
        mentorship.complete_the_mentorship,
        # A group on one topic, across mentorships: its session shows in the analytics.
        *circles.STEPS,
        analytics.program_lead_reads_the_analytics,
        *end_of_term.STEPS,
    ]


def run_demo(database_url: str | None = None, now: datetime | None = None) -> int:
    """Run every demo step at `now` (default: the current instant, read once) and print
    what people see. Returns an exit status."""
    # The whole demo happens at one instant, so what it shows (tenure, due dates, "today"
    # in each person's timezone) cannot change halfway through or between two steps.
    instant = now or datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="mentorbot-demo-") as tmp:
        url = database_url or f"sqlite:///{Path(tmp) / 'demo.db'}"
        upgrade(url)
        fake = FakeSlack().start()
        settings = Settings(
            DATABASE_URL=url,
            SLACK_BOT_TOKEN="xoxb-demo",
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=fake.url,
            MENTORBOT_ADMINS="UADMIN",
        )
        runtime = Runtime.from_settings(settings)
        runtime.clock = lambda: instant
        served = ServedApp(settings, runtime).start()
        refused: list[tuple[str, dict[str, Any]]] = []
        try:
            people = cast()
            with served.runtime.db() as db:
                seed(db, fake, people, served.runtime.now())
            print("MentorBot demo: a customer-success team in a local fake Slack.")
            print("People: " + ", ".join(f"{p.name} ({p.title})" for p in people.values()))
            demo = Demo(
                SlackDriver(fake, served.url, SIGNING_SECRET, served.executor.wait_idle),
                served,
                people,
            )
            for step in steps():
                step(demo)
            refused = fake.take_refusals()
            for method, answer in refused:  # what Slack would have refused to show
                details = answer.get("response_metadata", {}).get("messages", [])
                print(f"Slack refused {method}: {answer['error']} {details}")
            print("\nDemo finished." if not refused else "\nDemo finished with refusals.")
        finally:
            served.stop()
            fake.stop()
    return 1 if refused else 0
