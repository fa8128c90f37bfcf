"""`/mentor schedule [@person]`, "Schedule next session" (check-in nudges, App Home, the
"session logged" DM), and the buttons of the scheduling DMs: Confirm, Propose another,
Reschedule, Cancel, and after the session Log session and It didn't happen.

The DMs a change causes are reminder kinds (bot/services/reminders_scheduling.py):
`sweep.send_now` sends them at once to whoever is in their working hours."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.blocks import actions as ids
from bot.blocks import scheduling as blocks
from bot.blocks import sessions as session_blocks
from bot.listeners.actor import Actor
from bot.listeners.commands import Invocation, subcommand
from bot.listeners.guard import notice_view
from bot.listeners.parsing import mentioned_user_ids
from bot.listeners.support import (
    Form,
    button_service,
    modal_button,
    open_modal,
    settled,
    submit_service,
)
from bot.runtime import Runtime
from bot.services import mentorships, schedule_times, scheduling
from bot.services.errors import DomainError
from bot.sweep import send_now

#: The finders whose DMs a scheduling change may cause.
KINDS = ("schedule", "session_reminder")


def register(app: App) -> None:
    app.action(ids.SCHEDULE_OPEN)(modal_button(_open_for_mentorship))
    app.action(ids.SCHEDULE_PROPOSE_OTHER)(modal_button(_open_replacing))
    app.action(ids.SCHEDULE_RESCHEDULE)(modal_button(_open_replacing))
    app.action(ids.SCHEDULE_LOG)(modal_button(_open_log))
    app.action(ids.SCHEDULE_DIDNT_HAPPEN)(modal_button(_open_no_show))
    app.action(ids.SCHEDULE_CONFIRM)(button_service(_confirm, _confirmed))
    app.action(ids.SCHEDULE_CANCEL)(button_service(_cancel, _cancelled))
    app.view(blocks.PROPOSE_CALLBACK)(on_propose_submit)
    app.view(blocks.NO_SHOW_CALLBACK)(on_no_show_submit)


@subcommand(
    "schedule",
    usage="/mentor schedule [@person]",
    summary="Propose up to three times for your next session, with an agenda; "
    "the other side confirms one.",
    order=42,
)
def schedule_command(inv: Invocation) -> None:
    mentioned = mentioned_user_ids(inv.args)
    with inv.runtime.db() as db:
        assignment_id = mentorships.choose(
            db, actor_id=inv.actor.id, other_slack_id=mentioned[0] if mentioned else None
        )
    if not _open_propose(
        inv.client, inv.runtime, inv.actor, inv.trigger_id, assignment_id=str(assignment_id)
    ):
        inv.reply(
            "I couldn't open the scheduling form just now; please try `/mentor schedule` again."
        )


def _open_propose(
    client: WebClient,
    runtime: Runtime,
    actor: Actor,
    trigger_id: str,
    *,
    assignment_id: str | None = None,
    replaces: str | None = None,
) -> bool:
    with runtime.db() as db:
        form = scheduling.prepare(
            db,
            actor_id=actor.id,
            assignment_id=assignment_id,
            replaces_id=replaces,
            now=runtime.now(),
            timezone=actor.timezone,
        )
    return open_modal(client, trigger_id, blocks.propose_modal(form, _metadata(form)))


def _metadata(form: scheduling.ProposalForm) -> str:
    return json.dumps(
        {
            "assignment": str(form.assignment_id),
            "replaces": str(form.replaces_id) if form.replaces_id else None,
        }
    )


def _open_for_mentorship(
    client: WebClient, runtime: Runtime, actor: Actor, trigger_id: str, value: str
) -> None:
    if not value:
        with runtime.db() as db:
            value = str(mentorships.choose(db, actor_id=actor.id, other_slack_id=None))
    if not _open_propose(client, runtime, actor, trigger_id, assignment_id=value):
        raise DomainError("I couldn't open the scheduling form just now; please try again.")


def _open_replacing(
    client: WebClient, runtime: Runtime, actor: Actor, trigger_id: str, value: str
) -> None:
    if not _open_propose(client, runtime, actor, trigger_id, replaces=value):
        raise DomainError("I couldn't open the scheduling form just now; please try again.")


def on_propose_submit(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    def call(db: Session, form: Form) -> scheduling.Proposed:
        meta = json.loads(form.metadata or "{}")
        options = [
            schedule_times.OptionInput(
                form.values.get(schedule_times.option_field(i, "day")),
                form.values.get(schedule_times.option_field(i, "time")),
                form.values.get(schedule_times.option_field(i, "minutes")),
            )
            for i in range(1, schedule_times.MAX_OPTIONS + 1)
        ]
        return scheduling.propose(
            db,
            actor_id=form.actor.id,
            assignment_id=meta.get("assignment", ""),
            options=options,
            objectives=form.values.get("objectives"),
            materials=form.values.get("materials"),
            now=form.now,
            timezone=form.actor.timezone,
            replaces_id=meta.get("replaces"),
        )

    if submit_service(ack, view, context, call, blocks.proposed_view) is not None:
        send_now(context["runtime"], client, *KINDS)


def _confirm(db: Session, actor: Actor, value: str, now: datetime) -> scheduling.Confirmed:
    proposal_id, _, index = value.partition(":")
    option = int(index) if index.isdigit() else -1
    return scheduling.confirm(
        db, actor_id=actor.id, proposal_id=proposal_id, option=option, now=now
    )


def _confirmed(
    body: dict[str, Any], client: WebClient, runtime: Runtime, result: scheduling.Confirmed
) -> None:
    text = (
        f":white_check_mark: Confirmed ({result.duration_minutes} min). "
        "The details and a calendar link follow."
    )
    settled(body, client, text)
    send_now(runtime, client, *KINDS)


def _cancel(db: Session, actor: Actor, value: str, now: datetime) -> None:
    scheduling.cancel(db, actor_id=actor.id, scheduled_id=value, now=now)


def _cancelled(body: dict[str, Any], client: WebClient, runtime: Runtime, _: None) -> None:
    settled(body, client, ":x: Cancelled; I'm letting the other side know.")
    send_now(runtime, client, *KINDS)


def _open_log(
    client: WebClient, runtime: Runtime, actor: Actor, trigger_id: str, value: str
) -> None:
    """ "Log session" after a scheduled session: the log modal filled with its date,
    time, duration and agenda; saving it marks the session held."""
    with runtime.db() as db:
        form = scheduling.log_form(
            db, actor_id=actor.id, scheduled_id=value, now=runtime.now(), timezone=actor.timezone
        )
    assignment_id = str(form.mentorships[0].assignment_id)
    metadata = json.dumps({"assignment": assignment_id, "group": False, "scheduled": value})
    if not open_modal(client, trigger_id, session_blocks.log_modal(form, metadata)):
        raise DomainError("I couldn't open the session form just now; please try again.")


def _open_no_show(
    client: WebClient, runtime: Runtime, actor: Actor, trigger_id: str, value: str
) -> None:
    with runtime.db() as db:
        mentor_name, mentee_name = scheduling.pair_names(
            db, actor_id=actor.id, scheduled_id=value, now=runtime.now()
        )
    if not open_modal(client, trigger_id, blocks.no_show_modal(value, mentor_name, mentee_name)):
        raise DomainError("I couldn't open the form just now; please try again.")


def on_no_show_submit(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Who missed it (a no-show), or "Let's reschedule": the propose modal takes its place."""

    def call(db: Session, form: Form) -> Any:
        what = form.values.get("what_happened") or ""
        if what == "reschedule":
            proposal = scheduling.prepare(
                db,
                actor_id=form.actor.id,
                replaces_id=form.metadata,
                now=form.now,
                timezone=form.actor.timezone,
            )
            return blocks.propose_modal(proposal, _metadata(proposal))
        scheduling.record_no_show(
            db, actor_id=form.actor.id, scheduled_id=form.metadata, missed_by=what, now=form.now
        )
        return notice_view("Session", blocks.no_show_recorded(what))

    submit_service(ack, view, context, call, lambda shown: shown)
