"""`/mentor milestones templates`: the program lead lists, adds, edits, reorders and
retires the ramp milestone templates (admins only; a refused attempt is audited)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.blocks import milestone_templates as blocks
from bot.blocks.actions import TEMPLATE_EDIT, TEMPLATE_RETIRE, TEMPLATE_UP
from bot.listeners.actor import Actor
from bot.listeners.commands import Invocation
from bot.listeners.guard import run_reporting
from bot.listeners.support import (
    Form,
    admit,
    answer,
    modal_button,
    open_modal,
    submit_service,
)
from bot.runtime import Runtime
from bot.services import milestone_templates
from bot.services.milestone_templates import TemplateFields

SURFACE = "milestone_templates"


def register(app: App) -> None:
    app.action(TEMPLATE_EDIT)(modal_button(open_editor))
    app.action(TEMPLATE_UP)(on_move_up)
    app.action(TEMPLATE_RETIRE)(on_retire)
    app.view(blocks.EDIT_VIEW)(on_saved)


def templates_command(inv: Invocation) -> None:
    """The list, with a button for each change."""

    admit(inv.runtime, inv.actor, SURFACE)
    with inv.runtime.db() as db:
        listing = milestone_templates.catalogue(db, actor_id=inv.actor.id, now=inv.runtime.now())
    text, message = blocks.templates_message(listing)
    inv.reply(text, message)


def open_editor(
    client: WebClient, runtime: Runtime, actor: Actor, trigger_id: str, key: str
) -> None:
    admit(runtime, actor, SURFACE)
    with runtime.db() as db:
        template, behind = milestone_templates.editing(db, actor_id=actor.id, key=key or None)
        skills = milestone_templates.skills(db)
    open_modal(client, trigger_id, blocks.edit_modal(template, skills, behind))


def on_saved(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
    def save(db: Session, form: Form) -> Any:
        values = form.values
        days = str(values.get("days_from_hire") or "").strip()
        fields = TemplateFields(
            name=str(values.get("name") or "").strip(),
            description=str(values.get("description") or "").strip() or None,
            days_from_hire=int(days) if days.lstrip("-").isdigit() else -1,
            skill=values.get("skill") or None,
            verification=str(values.get("verification") or ""),
            is_final=blocks.FINAL in (values.get("is_final") or []),
        )
        admit(context["runtime"], form.actor, SURFACE)
        return milestone_templates.save(
            db,
            actor_id=form.actor.id,
            key=form.metadata or None,
            fields=fields,
            apply_to_behind=blocks.APPLY in (values.get("apply") or []),
            now=form.now,
        )

    submit_service(ack, view, context, save, lambda saved: blocks.saved_view(*saved))


def _listing_button(change: Callable[[Session, Actor, str, datetime], Any]) -> Callable[..., None]:
    """A button on the list that makes one change, then shows the list as it is now in
    place of the old one (a refusal is told, and audited)."""

    def on_press(
        ack: Ack,
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        context: BoltContext,
        respond: Respond,
    ) -> None:
        ack()
        runtime: Runtime = context["runtime"]
        actor: Actor = context["actor"]

        def work() -> Any:
            with runtime.db() as db:
                change(db, actor, action.get("value", ""), runtime.now())
                return milestone_templates.catalogue(db, actor_id=actor.id, now=runtime.now())

        def show() -> None:
            admit(runtime, actor, SURFACE)
            listing = work()
            text, message = blocks.templates_message(listing)
            respond(text=text, blocks=message, replace_original=True)

        run_reporting(lambda text: answer(body, client, text), show)

    return on_press


on_move_up = _listing_button(
    lambda db, actor, key, now: milestone_templates.move_up(db, actor_id=actor.id, key=key, now=now)
)
on_retire = _listing_button(
    lambda db, actor, key, now: milestone_templates.retire(db, actor_id=actor.id, key=key, now=now)
)
