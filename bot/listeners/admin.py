"""`/mentor admin`: the program settings (admins only) as a chooser that pushes one modal
per group of settings, and `make-admin @someone`; the "Program settings" button on an
admin's App Home. Every refused attempt by a non-admin is audited."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.blocks import admin as blocks
from bot.blocks import kit
from bot.blocks.actions import ADMIN_SETTINGS_OPEN, ADMIN_SETTINGS_SECTION
from bot.blocks.delivery import will_tell
from bot.listeners.actor import Actor
from bot.listeners.commands import Invocation, subcommand
from bot.listeners.guard import notice_view, run_reporting
from bot.listeners.home import home_section
from bot.listeners.mentors import is_slack_bot
from bot.listeners.messaging import deliver_queued, enqueue_dm, send_dm
from bot.listeners.parsing import mentioned_user_ids
from bot.listeners.support import admit, answer, modal_button, submit_then, update_modal
from bot.runtime import Runtime
from bot.services import admin
from bot.services.errors import InvalidInput, NotFound
from models import User

USAGE = "`/mentor admin` for the program settings, or `/mentor admin make-admin @someone`."


def register(app: App) -> None:
    app.view(blocks.SECTION_VIEW)(on_section_submitted)
    app.action(ADMIN_SETTINGS_OPEN)(modal_button(open_settings))
    app.action(ADMIN_SETTINGS_SECTION)(on_section_chosen)


@subcommand(
    "admin",
    usage="/mentor admin [make-admin @someone]",
    summary="Program settings (admins): the program, eligibility, matching, reminders and "
    "working hours, targets; or make someone an admin.",
    order=90,
)
def admin_command(inv: Invocation) -> None:
    words = inv.args.split()
    if not words:
        open_settings(inv.client, inv.runtime, inv.actor, inv.trigger_id)
    elif words[0].lower() == "make-admin":
        make_admin(inv)
    else:
        raise InvalidInput({"admin": f"I don't know `/mentor admin {words[0]}`. Type {USAGE}"})


def open_settings(
    client: WebClient, runtime: Runtime, actor: Actor, trigger_id: str, value: str = ""
) -> None:
    admit(runtime, actor, "settings")
    client.views_open(trigger_id=trigger_id, view=blocks.chooser_modal())


def on_section_chosen(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: Any
) -> None:
    """A group's button on the chooser: push its modal with the button's own trigger."""
    ack()
    runtime: Runtime = context["runtime"]
    actor: Actor = context["actor"]
    key = str(action.get("value", ""))

    def push() -> None:
        admit(runtime, actor, f"settings.{key}")
        if key not in blocks.BY_KEY:
            raise NotFound("That group of settings no longer exists; open `/mentor admin` again.")
        with runtime.db() as db:
            config = admin.settings_for(db, actor_id=actor.id)
        chooser_id = str((body.get("view") or {}).get("id", ""))
        view = blocks.section_modal(config, key, chooser_id)
        client.views_push(trigger_id=body.get("trigger_id", ""), view=view)

    run_reporting(lambda text: answer(body, client, text), push)


def make_admin(inv: Invocation) -> None:
    admit(inv.runtime, inv.actor, "make-admin")
    mentioned = mentioned_user_ids(inv.args)
    if not mentioned:
        raise InvalidInput({"user": f"Mention the person to make an admin. Type {USAGE}"})
    target_id = mentioned[0]
    # Asked before the transaction opens: no database work waits on Slack.
    is_bot = is_slack_bot(inv.client, target_id)
    now = inv.runtime.now()
    with inv.runtime.db() as db:
        target, changed = admin.make_admin(
            db, actor_id=inv.actor.id, slack_user_id=target_id, now=now, is_bot=is_bot
        )
        name = target.name
        # Told with the change, through the outbox: a Slack outage delays it, never loses it.
        queued = (
            [
                enqueue_dm(
                    db,
                    target_id,
                    f"{inv.actor.name} made you a MentorBot program admin. "
                    "`/mentor admin` opens the program settings.",
                    purpose="made_admin",
                    now=now,
                )
            ]
            if changed
            else []
        )
    if not changed:
        inv.reply(f"{name} is already a program admin.")
        return
    waiting = deliver_queued(inv.client, inv.runtime, queued)
    inv.reply(f"{name} is a program admin now." + (f" {will_tell(waiting)}" if waiting else ""))


UNCHANGED = "Nothing changed: the program settings are as they were."


def on_section_submitted(
    ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    actor: Actor = context["actor"]
    runtime: Runtime = context["runtime"]
    form = kit.view_values(view)
    metadata = json.loads(view.get("private_metadata") or "{}")

    def save() -> list[admin.Change]:
        admit(runtime, actor, f"settings.{metadata.get('section', '')}")
        with runtime.db() as db:
            return admin.save_settings(db, actor_id=actor.id, form=form, now=runtime.now())

    # Saved changes are confirmed by DM; a save that changed nothing (or Slack's retry
    # of one) is answered on the form itself, so no second DM goes out.
    changed = submit_then(
        ack, view, save, lambda changed: None if changed else notice_view("Settings", UNCHANGED)
    )
    if not changed:
        return
    if metadata.get("chooser"):
        update_modal(client, metadata["chooser"], blocks.chooser_modal(saved=changed))
    send_dm(client, actor.slack_user_id, blocks.changes_text(changed))


@home_section(order=90)
def admin_home(db: Session, user: User, roles: set[str], now: datetime) -> list[kit.Block]:
    return blocks.admin_home_section() if user.is_admin else []
