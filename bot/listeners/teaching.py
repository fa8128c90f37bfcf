"""`/mentor teach`: anyone records the topics they can teach, for the reverse matching
(a reverse-only teacher has no other way to say what they know)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.blocks import kit
from bot.blocks import teaching as blocks
from bot.listeners.actor import Actor
from bot.listeners.commands import Invocation, subcommand
from bot.listeners.support import submit_then
from bot.runtime import Runtime
from bot.services import reverse


def register(app: App) -> None:
    app.view(blocks.TEACH_VIEW)(on_teach_submitted)


@subcommand(
    "teach",
    usage="/mentor teach",
    summary="Record the topics you can teach, so you are offered for reverse mentorships "
    "(`/mentor match @person reverse <topic>`), whatever your tenure.",
    order=15,
)
def teach(inv: Invocation) -> None:
    with inv.runtime.db() as db:
        form = reverse.teaching_topics(db, user_id=inv.actor.id)
    inv.client.views_open(trigger_id=inv.trigger_id, view=blocks.teach_modal(form))


def on_teach_submitted(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
    actor: Actor = context["actor"]
    runtime: Runtime = context["runtime"]
    values = kit.view_values(view)

    def save() -> reverse.TeachingTopics:
        with runtime.db() as db:
            return reverse.save_teaching_topics(
                db, user_id=actor.id, topics=values.get("expertise"), now=runtime.now()
            )

    submit_then(ack, view, save, lambda saved: blocks.teach_saved(saved)[1])
