"""`/mentor edit [@person]` and the **Extend** button of the end-of-term DM: changing a
running mentorship's cadence, goals and expected end."""

from __future__ import annotations

import uuid
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.blocks import progress as progress_blocks
from bot.blocks import term as blocks
from bot.blocks.actions import COMPLETE_FOR_PAIR, EXTEND
from bot.listeners.actor import Actor
from bot.listeners.commands import Invocation, subcommand
from bot.listeners.messaging import Notice
from bot.listeners.parsing import mentioned_user_ids
from bot.listeners.support import modal_button, open_modal, refresh_homes, submit_service
from bot.runtime import Runtime
from bot.services import term
from bot.services.timezones import local_today


def register(app: App) -> None:
    app.action(EXTEND)(modal_button(_open_extend))
    app.action(COMPLETE_FOR_PAIR)(modal_button(_open_pair_completion))
    app.view(blocks.PAIR_COMPLETE_CALLBACK)(on_pair_completion_submit)
    app.view(blocks.EDIT_CALLBACK)(on_edit_submit)
    app.view(blocks.EXTEND_CALLBACK)(on_extend_submit)


@subcommand(
    "edit",
    usage="/mentor edit [@person]",
    summary="Change a mentorship's cadence, goals or expected end (mentor, mentee or "
    "their manager); the others are told.",
    order=62,
)
def edit_command(inv: Invocation) -> None:
    mentioned = mentioned_user_ids(inv.args)
    with inv.runtime.db() as db:
        form = term.change_form(
            db, actor_id=inv.actor.id, other_slack_id=mentioned[0] if mentioned else None
        )
    if not open_modal(inv.client, inv.trigger_id, blocks.edit_modal(form)):
        inv.reply("I couldn't open the form just now; please try again.")


def _open_extend(
    client: WebClient, runtime: Runtime, actor: Actor, trigger_id: str, assignment_id: str
) -> None:
    with runtime.db() as db:
        form = term.change_form(db, actor_id=actor.id, assignment_id=assignment_id)
    today = local_today(runtime.now(), actor.timezone)
    open_modal(client, trigger_id, blocks.extend_modal(form, today))


def on_edit_submit(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    _submit(ack, view, client, context, only_end=False)


def on_extend_submit(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    _submit(ack, view, client, context, only_end=True)


def _submit(
    ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext, *, only_end: bool
) -> None:
    changed = submit_service(
        ack,
        view,
        context,
        lambda db, form: term.change(
            db,
            actor_id=form.actor.id,
            assignment_id=form.metadata,
            now=form.now,
            expected_end=form.values.get("expected_end"),
            cadence=form.values.get("cadence"),
            goals=form.values.get("goals"),
            only_end=only_end,
        ),
        blocks.changed_view,
        notices=changed_notices,
    )
    if not isinstance(changed, term.Changed):
        return
    announce_changed(client, context["runtime"], context["actor"].id, changed)


def announce_changed(
    client: WebClient, runtime: Runtime, actor_id: uuid.UUID, changed: term.Changed
) -> None:
    """After a change and its notices committed (from Slack or the API): the homes."""
    refresh_homes(client, runtime, [actor_id, *changed.affected_user_ids])


def changed_notices(changed: term.Changed) -> list[Notice]:
    """The others are told what changed (queued with the change)."""
    if not changed.changes:
        return []
    text, notice = blocks.changed_notice(changed)
    return [Notice(slack_id, text, notice, "term_changed") for slack_id in changed.notify_slack_ids]


def _pair_completion_notices(done: term.PairCompletion) -> list[Notice]:
    text, request = progress_blocks.feedback_request(done.actor_name, done.assignment_id)
    return [
        Notice(slack_id, text, request, "feedback_request") for slack_id in done.notify_slack_ids
    ]


def _open_pair_completion(
    client: WebClient, runtime: Runtime, actor: Actor, trigger_id: str, assignment_id: str
) -> None:
    with runtime.db() as db:
        form = term.pair_completion_form(db, actor_id=actor.id, assignment_id=assignment_id)
    open_modal(client, trigger_id, blocks.pair_completion_modal(form))


def on_pair_completion_submit(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    done = submit_service(
        ack,
        view,
        context,
        lambda db, form: term.complete_for_pair(
            db,
            actor_id=form.actor.id,
            assignment_id=form.metadata,
            notes=form.values.get("notes"),
            now=form.now,
        ),
        blocks.pair_completed_view,
        notices=_pair_completion_notices,
    )
    if not isinstance(done, term.PairCompletion):
        return
    refresh_homes(client, context["runtime"], [context["actor"].id, *done.affected_user_ids])
