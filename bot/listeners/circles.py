"""`/mentor circles`: the open topic circles with Join / Leave; `/mentor circles new`:
a mentor opens one (a modal). Its host (or an admin) logs its sessions with who
attended, and closes it (its members told by DM, through the outbox)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.blocks import circles as blocks
from bot.blocks.actions import CIRCLE_CLOSE, CIRCLE_JOIN, CIRCLE_LEAVE, CIRCLE_LOG
from bot.listeners.actor import Actor
from bot.listeners.commands import Invocation, subcommand
from bot.listeners.messaging import Notice
from bot.listeners.support import (
    Form,
    answer,
    button_service,
    modal_button,
    open_modal,
    submit_service,
)
from bot.runtime import Runtime
from bot.services import circle_sessions, circles
from bot.services.circle_sessions import CircleClosed, CircleLogged
from bot.services.circles import CircleView


def register(app: App) -> None:
    app.view(blocks.NEW_VIEW)(on_new_submit)
    app.action(CIRCLE_JOIN)(button_service(_join, _answered("You joined")))
    app.action(CIRCLE_LEAVE)(button_service(_leave, _answered("You left")))
    app.action(CIRCLE_LOG)(modal_button(open_log))
    app.action(CIRCLE_CLOSE)(modal_button(open_close))
    app.view(blocks.LOG_VIEW)(on_log_submit)
    app.view(blocks.CLOSE_VIEW)(on_close_submit)


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


# -- the host's side: log a session, close the circle ------------------------------------------


def admit_manager(runtime: Runtime, actor: Actor, circle_id: str, what: str) -> None:
    """Go on only for the circle's host or an admin; anyone else is refused, the attempt
    audited in its own transaction so the refusal does not roll it back."""
    with runtime.db() as db:
        refused = circle_sessions.refusal(
            db, actor_id=actor.id, circle_id=circle_id, what=what, now=runtime.now()
        )
    if refused is not None:
        raise refused


def open_log(
    client: WebClient, runtime: Runtime, actor: Actor, trigger_id: str, value: str
) -> None:
    admit_manager(runtime, actor, value, "log its sessions")
    with runtime.db() as db:
        form = circle_sessions.prepare_log(
            db, actor_id=actor.id, circle_id=value, now=runtime.now(), timezone=actor.timezone
        )
    open_modal(client, trigger_id, blocks.log_modal(form))


def on_log_submit(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
    def save(db: Session, form: Form) -> CircleLogged:
        admit_manager(context["runtime"], form.actor, form.metadata, "log its sessions")
        return circle_sessions.log_session(
            db,
            actor_id=form.actor.id,
            circle_id=form.metadata,
            day=form.values.get("day"),
            duration=form.values.get("duration"),
            topics=form.values.get("topics"),
            attended=list(form.values.get("attended") or []),
            notes=form.values.get("notes"),
            now=form.now,
            timezone=form.actor.timezone,
        )

    submit_service(ack, view, context, save, blocks.logged_view)


def open_close(
    client: WebClient, runtime: Runtime, actor: Actor, trigger_id: str, value: str
) -> None:
    admit_manager(runtime, actor, value, "close it")
    with runtime.db() as db:
        circle = circles.one(db, viewer_id=actor.id, circle_id=value)
    open_modal(client, trigger_id, blocks.close_modal(circle))


def on_close_submit(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
    def save(db: Session, form: Form) -> CircleClosed:
        admit_manager(context["runtime"], form.actor, form.metadata, "close it")
        return circle_sessions.close(
            db,
            actor_id=form.actor.id,
            circle_id=form.metadata,
            farewell=form.values.get("farewell"),
            now=form.now,
        )

    submit_service(ack, view, context, save, blocks.closed_view, notices=_closed_notices)


def _closed_notices(closed: CircleClosed) -> list[Notice]:
    text = blocks.closed_dm(closed)
    return [Notice(m.slack_user_id, text, None, "circle_closed") for m in closed.members]
