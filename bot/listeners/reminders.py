"""The buttons on reminder DMs that belong to reminders: "Snooze a week".
("Log session" on a nudge is handled by the sessions listener.)"""

from __future__ import annotations

import uuid
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.blocks import actions as ids
from bot.blocks import reminders as reminder_blocks
from bot.listeners.guard import run_reporting
from bot.listeners.messaging import replace_message
from bot.services import reminders
from bot.services.errors import NotFound


def register(app: App) -> None:
    app.action(ids.SNOOZE_WEEK)(on_snooze_week)


def on_snooze_week(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
) -> None:
    ack()
    actor, runtime = context["actor"], context["runtime"]

    def say(text: str) -> None:
        respond(text=text, response_type="ephemeral", replace_original=False)

    def work() -> None:
        assignment_id = _uuid(action.get("value"))
        with runtime.db() as db:
            result = reminders.snooze_week(
                db, assignment_id=assignment_id, actor_id=actor.id, now=runtime.now()
            )
        container = body.get("container") or {}
        message = body.get("message") or {}
        text, blocks = reminder_blocks.snoozed(
            message.get("blocks") or [], result.other_name, result.until_day
        )
        if container.get("channel_id") and container.get("message_ts"):
            replace_message(client, container["channel_id"], container["message_ts"], text, blocks)
        else:
            say(text)

    run_reporting(say, work)


def _uuid(value: object) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFound("I can't find that mentorship any more.") from None
