"""`/mentor complete`, `/mentor cancel`, the "Complete" / "Give feedback" buttons and
their modals: the end of a mentorship, with both sides' feedback."""

from __future__ import annotations

import json
import uuid
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.blocks import progress as blocks
from bot.blocks.actions import COMPLETE
from bot.listeners.actor import Actor
from bot.listeners.commands import Invocation, subcommand
from bot.listeners.guard import notice_view
from bot.listeners.mentors import post_completion_shoutout
from bot.listeners.messaging import Notice
from bot.listeners.parsing import mentioned_user_ids
from bot.listeners.support import modal_button, open_modal, refresh_homes, submit_service
from bot.runtime import Runtime
from bot.services import completion, inputs, mentorships


def register(app: App) -> None:
    # "Complete" on App Home, "Give feedback" on the DM sent to the other side.
    app.action(COMPLETE)(modal_button(_open_feedback))
    app.view(blocks.COMPLETE_CALLBACK)(on_feedback_submit)
    app.view(blocks.CANCEL_CALLBACK)(on_cancel_submit)


@subcommand(
    "complete",
    usage="/mentor complete [@person]",
    summary="Complete a mentorship (early is fine): your feedback and a 1-5 rating.",
    order=60,
)
def complete_command(inv: Invocation) -> None:
    mentioned = mentioned_user_ids(inv.args)
    with inv.runtime.db() as db:
        assignment_id = mentorships.choose(
            db,
            actor_id=inv.actor.id,
            other_slack_id=mentioned[0] if mentioned else None,
            statuses=("active", "completed"),
        )
    _open_feedback(inv.client, inv.runtime, inv.actor, inv.trigger_id, str(assignment_id))


def _open_feedback(
    client: WebClient, runtime: Runtime, actor: Actor, trigger_id: str, assignment_id: str
) -> None:
    with runtime.db() as db:
        form = completion.feedback_form(
            db, actor_id=actor.id, assignment_id=assignment_id, now=runtime.now()
        )
        tz = inputs.zone(db, actor.timezone)
    open_modal(client, trigger_id, blocks.feedback_modal(form, tz))


def on_feedback_submit(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    done = submit_service(
        ack,
        view,
        context,
        lambda db, form: completion.complete(
            db,
            actor_id=form.actor.id,
            assignment_id=form.metadata,
            feedback=form.values.get("feedback"),
            rating=form.values.get("rating"),
            now=form.now,
        ),
        blocks.completed_view,
        notices=completed_notices,
    )
    if not isinstance(done, completion.Completed):
        return
    announce_completed(client, context["runtime"], context["actor"].id, done)


def completed_notices(done: completion.Completed) -> list[Notice]:
    """When this ended the mentorship: the other side is asked for their feedback and
    the manager told (queued with the completion)."""
    if not done.ended_now:
        return []
    text, request = blocks.feedback_request(done.actor_name, done.assignment_id)
    notices = [Notice(done.other_slack_id, text, request, "feedback_request")]
    if done.manager_slack_id:
        text, notice = blocks.completion_notice(done)
        notices.append(Notice(done.manager_slack_id, text, notice, "completion_notice"))
    return notices


def announce_completed(
    client: WebClient, runtime: Runtime, actor_id: uuid.UUID, done: completion.Completed
) -> None:
    """After the completion and its notices committed: a mentee's rating may earn the
    mentor a shout-out; the homes are refreshed."""
    if done.side == "mentee":
        # The mentee's rating is what earns a shout-out; each side rates once, so this posts once.
        post_completion_shoutout(client, runtime, done.assignment_id)
    refresh_homes(client, runtime, [actor_id, done.other_user_id])


@subcommand(
    "cancel",
    usage="/mentor cancel [@person]",
    summary="Cancel a mentorship with a reason (mentor, mentee, their manager or an admin).",
    order=61,
)
def cancel_command(inv: Invocation) -> None:
    mentioned = mentioned_user_ids(inv.args)
    with inv.runtime.db() as db:
        form = completion.cancel_form(
            db, actor_id=inv.actor.id, other_slack_id=mentioned[0] if mentioned else None
        )
    if not open_modal(
        inv.client, inv.trigger_id, blocks.cancel_modal(str(form.assignment_id), form.about)
    ):
        inv.reply("I couldn't open the form just now; please try again.")


def on_cancel_submit(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    done = submit_service(
        ack,
        view,
        context,
        lambda db, form: completion.cancel(
            db,
            actor_id=form.actor.id,
            assignment_id=json.loads(form.metadata or "{}").get("assignment", ""),
            reason=form.values.get("reason"),
            now=form.now,
        ),
        lambda cancelled: notice_view("Cancelled", blocks.cancelled_notice(cancelled)[0]),
        notices=cancelled_notices,
    )
    if not isinstance(done, completion.Cancelled):
        return
    announce_cancelled(client, context["runtime"], context["actor"].id, done)


def announce_cancelled(
    client: WebClient, runtime: Runtime, actor_id: uuid.UUID, done: completion.Cancelled
) -> None:
    """After the cancel and its notices committed: everyone's home shows it."""
    refresh_homes(client, runtime, [actor_id, *done.affected_user_ids])


def cancelled_notices(done: completion.Cancelled) -> list[Notice]:
    """Everyone the cancelled mentorship concerned is told (queued with the cancel)."""
    text, notice = blocks.cancelled_notice(done)
    return [Notice(slack_id, text, notice, "cancelled") for slack_id in done.notify_slack_ids]
