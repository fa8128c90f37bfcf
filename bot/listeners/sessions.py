"""`/mentor log`, the "Log session" button (reminders, App Home), the session log
modal, the "Done" button of action items, and the mentorship part of App Home."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.blocks import kit
from bot.blocks import sessions as blocks
from bot.blocks.actions import ACTION_ITEM_DONE, LOG_SESSION
from bot.listeners.actor import Actor
from bot.listeners.commands import Invocation, subcommand
from bot.listeners.guard import run_reporting
from bot.listeners.home import home_section
from bot.listeners.messaging import Queued, deliver_queued, enqueue_dm
from bot.listeners.support import (
    answer,
    modal_button,
    open_modal,
    refresh_homes,
    submit_then,
    update_modal,
)
from bot.runtime import Runtime
from bot.services import (
    access,
    action_items,
    inputs,
    mentorships,
    one_a_day,
    scheduling,
    session_forms,
    sessions,
)
from bot.services.errors import DomainError


def register(app: App) -> None:
    app.action(LOG_SESSION)(modal_button(_open_from_button))
    app.view(blocks.LOG_CALLBACK)(on_log_submit)
    app.action(ACTION_ITEM_DONE)(on_item_done)


@subcommand(
    "log",
    usage="/mentor log [group]",
    summary="Log a mentorship session: topics, summary, action items, resources "
    "(`group`: one session with several of your mentees).",
    order=40,
)
def log_command(inv: Invocation) -> None:
    group = inv.args.strip().lower().startswith("group")
    if not open_log_modal(inv.client, inv.runtime, inv.actor, inv.trigger_id, None, group):
        inv.reply("I couldn't open the session form just now; please try `/mentor log` again.")


def open_log_modal(
    client: WebClient,
    runtime: Runtime,
    actor: Actor,
    trigger_id: str,
    assignment_id: str | None,
    group: bool,
) -> bool:
    with runtime.db() as db:
        form = session_forms.prepare_form(
            db,
            actor_id=actor.id,
            assignment_id=assignment_id,
            group=group,
            now=runtime.now(),
            timezone=actor.timezone,
        )
    only = form.mentorships[0].assignment_id if len(form.mentorships) == 1 else None
    metadata = json.dumps({"assignment": str(only) if only and not group else None, "group": group})
    return open_modal(client, trigger_id, blocks.log_modal(form, metadata))


def _open_from_button(
    client: WebClient, runtime: Runtime, actor: Actor, trigger_id: str, value: str
) -> None:
    """ "Log session" on a reminder DM or App Home: value = the mentorship, or "" to choose."""
    if not open_log_modal(client, runtime, actor, trigger_id, value or None, False):
        raise DomainError("I couldn't open the session form just now; please try again.")


@dataclass(frozen=True)
class _EditOffer:
    view: dict[str, Any]


@dataclass(frozen=True)
class _Saved:
    logged: sessions.Logged
    queued: list[Queued]


def on_log_submit(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    actor: Actor = context["actor"]
    runtime: Runtime = context["runtime"]
    meta = json.loads(view.get("private_metadata") or "{}")
    values = kit.view_values(view)
    typed = sessions.SessionInput(
        assignment=values.get("assignment"),
        day=values.get("day"),
        time=values.get("time"),
        duration=values.get("duration"),
        topics=values.get("topics") or [],
        other_topics=values.get("other_topics"),
        summary=values.get("summary"),
        action_items=values.get("action_items"),
        resources=values.get("resources"),
        confidence_before=values.get("confidence_before"),
        confidence_after=values.get("confidence_after"),
        quality=values.get("quality"),
        done_items=values.get("done_items") or [],
        invited=values.get("invited") or [],
        attended=values.get("attended") or [],
    )
    editing = uuid.UUID(meta["session"]) if meta.get("session") else None

    def work() -> _Saved | _EditOffer:
        try:
            with runtime.db() as db:
                logged = sessions.log(
                    db,
                    actor_id=actor.id,
                    values=typed,
                    now=runtime.now(),
                    timezone=actor.timezone,
                    assignment_id=meta.get("assignment"),
                    session_id=editing,
                    group=bool(meta.get("group")),
                )
                if meta.get("scheduled"):
                    # Logged from "How did it go?": the scheduled session was held.
                    scheduling.mark_held(
                        db,
                        actor_id=actor.id,
                        scheduled_id=meta["scheduled"],
                        session_id=logged.session_ids[0],
                        now=runtime.now(),
                    )
                queued = queue_logged_notices(db, actor.slack_user_id, logged, now=runtime.now())
                return _Saved(logged, queued)
        except one_a_day.AlreadyLogged as exc:
            with runtime.db() as db:
                form = session_forms.prepare_edit(
                    db,
                    actor_id=actor.id,
                    session_id=exc.session_id,
                    timezone=actor.timezone,
                    note=blocks.already_logged_note(exc.by_name, exc.day),
                )
            return _EditOffer(blocks.log_modal(form, json.dumps({"session": str(exc.session_id)})))

    def shown(result: _Saved | _EditOffer) -> dict[str, Any]:
        return result.view if isinstance(result, _EditOffer) else blocks.saved_view(result.logged)

    saved = submit_then(ack, view, work, shown)
    if not isinstance(saved, _Saved):
        return
    # The log and its notices are saved and the modal says so; if Slack does not take
    # the notices now, the modal says who will be told when it does.
    waiting = announce_logged(client, runtime, actor.id, saved.logged, saved.queued)
    if waiting:
        update_modal(client, body["view"]["id"], blocks.saved_view(saved.logged, waiting=waiting))


def queue_logged_notices(
    db: Session, logger_slack_id: str, logged: sessions.Logged, *, now: datetime
) -> list[Queued]:
    """In the log's transaction: the other side(s) are told a session was logged (with
    their action items), and a mentee who logged it is offered the skill self-assessment."""
    queued = []
    for recipient in logged.recipients:
        text, notice = blocks.logged_notice(logged, recipient)
        queued.append(
            enqueue_dm(db, recipient.slack_user_id, text, notice, purpose="session_logged", now=now)
        )
    if logged.logger_side == "mentee" and logged.mentee_assignment_id:
        text, offer = blocks.skills_offer(str(logged.mentee_assignment_id))
        queued.append(enqueue_dm(db, logger_slack_id, text, offer, purpose="skills_offer", now=now))
    return queued


def announce_logged(
    client: WebClient,
    runtime: Runtime,
    logger_id: uuid.UUID,
    logged: sessions.Logged,
    queued: list[Queued],
) -> list[str]:
    """After the log committed: post its queued notices and refresh the homes. Returns
    the Slack ids of the people not told yet (the delivery worker will)."""
    waiting = deliver_queued(client, runtime, queued)
    refresh_homes(client, runtime, [logger_id, *(r.user_id for r in logged.recipients)])
    told = {r.slack_user_id for r in logged.recipients}
    return [slack_id for slack_id in waiting if slack_id in told]


def on_item_done(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()
    actor, runtime = context["actor"], context["runtime"]

    def work() -> None:
        with runtime.db() as db:
            text, _changed = action_items.mark_done(
                db, actor_id=actor.id, key=action.get("value", ""), now=runtime.now()
            )
        if body.get("container", {}).get("type") == "message":
            answer(body, client, f":white_check_mark: Done: {text}")
        refresh_homes(client, runtime, [actor.id])

    run_reporting(lambda text: answer(body, client, text), work)


@home_section(order=30)
def mentorships_home(db: Session, user: Any, roles: set[str], now: datetime) -> list[kit.Block]:
    """Each active mentorship with its next check-in and buttons, then the person's
    own open action items with "Done"."""
    if not roles & {access.MENTOR, access.MENTEE}:
        return []  # no mentorship on either side: nothing to read
    cards = mentorships.mentorships_of(db, user.id)
    items = action_items.open_for(db, user.id)
    if not cards and not items:
        return []
    tz = inputs.zone(db, user.timezone)
    found: list[kit.Block] = [kit.header("Your mentorships")]
    found += blocks.mentorship_cards(cards, tz)
    found += blocks.item_rows(items, heading="Your action items")
    return found
