"""The fair baseline of bench/load.py: a simple Bolt app doing the same work as
`mentorbot serve` the simple way. A benchmark's yardstick, not product code.

    python -m bench.load_simple PORT WORKERS   (with DATABASE_URL, SLACK_* as `serve` has)

The bare Bolt app (bench/load_servers.py) only acks: it is the ceiling no app doing
work can reach. This one is what a competent developer would write in an afternoon
with Bolt's documentation at hand, on the same database, fake Web API and server
(uvicorn, the same worker processes, each request dispatched on a worker thread as
the bare app is), so "MentorBot vs simple" says what MentorBot's design costs or
buys over the obvious way of doing the same work:

- `/mentor help`: one roster read of the person (a plain SELECT by Slack id), then
  the ack carries a static help text;
- `/mentor match @hire`: acked at once; then, in a Bolt lazy listener, the hire is
  read and the mentors ranked by PRD-255's algorithm as one SQL query (the one
  bench/match.py times, `PRD_AS_ONE_QUERY`), and the top five are posted as blocks to
  the command's response_url;
- "Edit profile": acked, then the mentor's profile row is read and `views.open`
  shows it in a modal;
- `app_home_opened`: the mentor's own figures (active mentees, sessions logged) are
  read and `views.publish` shows a small home.

Sized like `serve` on PostgreSQL: 32 listener threads, 16 pooled connections. No
audit, no outbox, no access rules, no retries, no back-pressure: that is the point."""

from __future__ import annotations

import os
import re
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import sqlalchemy as sa
from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bench.load_servers import bolt_web, run_baseline
from bench.match_baselines import PRD_AS_ONE_QUERY
from bot.blocks.actions import OPTIN_OPEN

LISTENER_THREADS = 32
CONNECTIONS = 16
SUGGESTIONS = 5

PERSON = sa.text("SELECT id, name FROM users WHERE slack_user_id = :slack_id")

#: The PRD's ranking as bench/match.py's fair baseline writes it, cut to the top few
#: and joined to the names a message shows.
TOP_MENTORS = sa.text(
    "SELECT u.slack_user_id, u.name, ranked.match_score "
    f"FROM ({PRD_AS_ONE_QUERY.text}) AS ranked "
    "JOIN mentors m ON m.id = ranked.mentor_id JOIN users u ON u.id = m.user_id "
    "ORDER BY ranked.match_score DESC, u.name LIMIT :top"
)

PROFILE = sa.text(
    "SELECT m.expertise_areas, m.max_mentees, m.availability_notes "
    "FROM mentors m JOIN users u ON u.id = m.user_id WHERE u.slack_user_id = :slack_id"
)

MENTOR_FIGURES = sa.text(
    """
    SELECT (SELECT count(*) FROM mentorship_assignments a
            WHERE a.mentor_id = m.id AND a.status = 'active') AS active_mentees,
           (SELECT count(*) FROM mentorship_sessions s
            JOIN mentorship_assignments a ON a.id = s.assignment_id
            WHERE a.mentor_id = m.id) AS sessions_logged
    FROM mentors m JOIN users u ON u.id = m.user_id WHERE u.slack_user_id = :slack_id
    """
)

HELP = (
    "*What I can do*\n"
    "`/mentor optin` become a mentor, or edit your profile\n"
    "`/mentor match @hire` the best mentors for a new hire\n"
    "`/mentor log` log a session · `/mentor status` your mentorships\n"
    "`/mentor help` this list"
)

_MENTION = re.compile(r"<@([A-Z0-9]+)")


def simple_app(engine: sa.Engine, client: WebClient) -> App:
    """The Bolt app: its four listeners, reading `engine` and calling Slack with `client`."""
    bolt = App(
        client=client,
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        token_verification_enabled=False,
        listener_executor=ThreadPoolExecutor(LISTENER_THREADS),
    )

    def is_match(command: dict[str, Any]) -> bool:
        return str(command.get("text", "")).strip().startswith("match")

    def ack_now(ack: Ack) -> None:
        ack()

    def suggest(command: dict[str, Any], respond: Respond) -> None:
        found = _MENTION.search(command["text"])
        with engine.connect() as conn:
            hire = conn.execute(PERSON, {"slack_id": found[1] if found else ""}).first()
            if hire is None:
                respond(text="Whom for? `/mentor match @hire`", response_type="ephemeral")
                return
            top = conn.execute(TOP_MENTORS, {"mentee": hire.id, "top": SUGGESTIONS}).all()
        respond(
            text=f"Mentors for {hire.name}",
            blocks=suggestion_blocks(hire.name, top),
            response_type="ephemeral",
            replace_original=False,
        )

    def help_command(ack: Ack, command: dict[str, Any]) -> None:
        with engine.connect() as conn:
            person = conn.execute(PERSON, {"slack_id": command["user_id"]}).first()
        hello = f"Hi {person.name}! " if person else ""
        ack(text=hello + HELP, response_type="ephemeral")

    def edit_profile(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        with engine.connect() as conn:
            profile = conn.execute(PROFILE, {"slack_id": body["user"]["id"]}).first()
        client.views_open(trigger_id=body["trigger_id"], view=profile_modal(profile))

    def home(event: dict[str, Any], client: WebClient) -> None:
        with engine.connect() as conn:
            figures = conn.execute(MENTOR_FIGURES, {"slack_id": event["user"]}).first()
        client.views_publish(user_id=event["user"], view=home_view(figures))

    bolt.command("/mentor", matchers=[is_match])(ack=ack_now, lazy=[suggest])
    bolt.command("/mentor")(help_command)
    bolt.action(OPTIN_OPEN)(edit_profile)
    bolt.event("app_home_opened")(home)
    return bolt


def suggestion_blocks(hire_name: str, top: list[sa.Row[Any]]) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": f"Mentors for {hire_name}"}}
    ]
    for mentor in top:
        blocks.append(
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"*{mentor.name}* (<@{mentor.slack_user_id}>), "
                    f"score {mentor.match_score:.0f}",
                },
                "accessory": {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "Assign"},
                    "action_id": f"simple.assign.{mentor.slack_user_id}",
                    "value": mentor.slack_user_id,
                },
            }
        )
    if not top:
        blocks.append(_section("No mentor is available right now."))
    return blocks


def profile_modal(profile: sa.Row[Any] | None) -> dict[str, Any]:
    expertise = ", ".join(profile.expertise_areas or []) if profile else ""
    capacity = str(profile.max_mentees) if profile else "2"
    availability = (profile.availability_notes or "") if profile else ""
    return {
        "type": "modal",
        "callback_id": "simple.profile",
        "title": {"type": "plain_text", "text": "Your mentor profile"},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            _input("Expertise", "expertise", _text_input("expertise", expertise)),
            _input(
                "Capacity",
                "capacity",
                {
                    "type": "number_input",
                    "action_id": "capacity",
                    "is_decimal_allowed": False,
                    "initial_value": capacity,
                    "min_value": "1",
                },
            ),
            {
                **_input("Availability", "availability", _text_input("availability", availability)),
                "optional": True,
            },
        ],
    }


def home_view(figures: sa.Row[Any] | None) -> dict[str, Any]:
    if figures is None:
        return {"type": "home", "blocks": [_section("You're not a mentor yet.")]}
    return {
        "type": "home",
        "blocks": [
            _section(
                f"*Your mentoring*\nActive mentees: {figures.active_mentees}\n"
                f"Sessions logged: {figures.sessions_logged}"
            ),
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "Edit profile"},
                        "action_id": OPTIN_OPEN,
                    }
                ],
            },
        ],
    }


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _input(label: str, block_id: str, element: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": label},
        "element": element,
    }


def _text_input(action_id: str, initial: str) -> dict[str, Any]:
    element = {"type": "plain_text_input", "action_id": action_id}
    return {**element, "initial_value": initial} if initial else element


def simple_web():  # type: ignore[no-untyped-def]
    """The uvicorn factory: the app on this process's engine and Web API client."""
    engine = sa.create_engine(os.environ["DATABASE_URL"], pool_size=CONNECTIONS, max_overflow=0)
    client = WebClient(
        token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"], timeout=10
    )
    return bolt_web(simple_app(engine, client))


if __name__ == "__main__":
    run_baseline("bench.load_simple:simple_web", int(sys.argv[1]), int(sys.argv[2]))
