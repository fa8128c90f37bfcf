"""`/mentor circles`: the open topic circles with Join / Leave; `/mentor circles new`:
a mentor opens one (a modal)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.blocks import circles as blocks
from bot.blocks.actions import CIRCLE_JOIN, CIRCLE_LEAVE
from bot.listeners.actor import Actor
from bot.listeners.commands import Invocation, subcommand
from bot.listeners.support import Form, answer, button_service, open_modal, submit_service
from bot.runtime import Runtime
from bot.services import circles
from bot.services.circles import CircleView


def register(app: App) -> None:
    app.view(blocks.NEW_VIEW)(on_new_submit)
    app.action(CIRCLE_JOIN)(button_service(_join, _answered("You joined")))
    app.action(CIRCLE_LEAVE)(button_service(_leave, _answered("You left")))


@subcommand(
    "circles",
    usage="/mentor circles [new]",
    summary="Topic circles (group mentorship by topic): join or leave one; "
    "mentors open one with `new`.",
    order=48,
)
def circles_command(inv: Invocation) -> None:
    if inv.args.strip().lower() == "new":
        with inv.runtime.db() as db:
            circles.check_host(db, inv.actor.id)
        open_modal(inv.client, inv.trigger_id, blocks.new_modal())
        return
    with inv.runtime.db() as db:
        found = circles.open_circles(db, viewer_id=inv.actor.id)
    inv.reply(*blocks.circles_message(found))


def on_new_submit(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
    def save(db: Session, form: Form) -> CircleView:
        return circles.open_circle(
            db,
            actor_id=form.actor.id,
            name=form.values.get("name"),
            topic=form.values.get("topic"),
            seats=form.values.get("seats"),
            cadence=form.values.get("cadence"),
            now=form.now,
        )

    submit_service(ack, view, context, save, blocks.opened_view)


def _join(db: Session, actor: Actor, value: str, now: datetime) -> CircleView:
    return circles.join(db, actor_id=actor.id, circle_id=value, now=now)


def _leave(db: Session, actor: Actor, value: str, now: datetime) -> CircleView:
    return circles.leave(db, actor_id=actor.id, circle_id=value, now=now)


def _answered(done: str) -> Any:
    def after(body: dict[str, Any], client: WebClient, runtime: Runtime, c: CircleView) -> None:
        answer(body, client, f"{done} “{c.name}” ({c.taken}/{c.seats} seats taken).")

    return after
