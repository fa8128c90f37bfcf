"""Assigning a mentor and answering the request: `/mentor assign`, the Assign,
Accept and Decline buttons, and their modals."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.blocks import assignments as blocks
from bot.blocks import kit
from bot.blocks.actions import ACCEPT, ASSIGN, ASSIGN_REVERSE, DECLINE
from bot.blocks.delivery import will_tell
from bot.listeners.actor import Actor
from bot.listeners.commands import Invocation, subcommand
from bot.listeners.guard import notice_view, run_reporting, submit_view
from bot.listeners.home import publish_home
from bot.listeners.messaging import (
    Queued,
    deliver_queued,
    enqueue_dm,
    replace_message,
    send_dm,
)
from bot.listeners.parsing import MENTION, mentioned_user_ids
from bot.listeners.support import answer, message_of, program_admins, submit_then
from bot.runtime import Runtime
from bot.services import answers, assignment_forms, assignments
from bot.services.assignment_forms import AssignForm
from bot.services.assignment_views import AssignmentView
from bot.services.assignments import AlreadyAnswered, Requested
from bot.services.errors import InvalidInput
from bot.services.reverse import SAME_PERSON

log = logging.getLogger(__name__)


def register(app: App) -> None:
    app.action(ASSIGN)(on_assign_click)
    app.action(ASSIGN_REVERSE)(on_assign_reverse_click)
    app.view(blocks.ASSIGN_VIEW)(on_assign_submit)
    app.action(ACCEPT)(on_accept_click)
    app.action(DECLINE)(on_decline_click)
    app.view(blocks.DECLINE_VIEW)(on_decline_submit)


@subcommand(
    "assign",
    usage="/mentor assign @mentor @mentee [reverse]",
    summary="Ask a mentor to mentor someone: dates, cadence, goals, expectations. "
    "`reverse`: a newer hire teaches a veteran a topic (no tenure rule).",
    order=31,
)
def assign_command(inv: Invocation) -> None:
    mentioned = mentioned_user_ids(inv.args)
    words = MENTION.sub(" ", inv.args or "").lower().split()
    kind = "reverse" if "reverse" in words else "standard"
    if kind == "reverse" and len(mentioned) == 2 and mentioned[0] == mentioned[1]:
        raise InvalidInput({"users": SAME_PERSON})
    if len(mentioned) != 2:
        raise InvalidInput(
            {
                "users": "Mention the mentor, then the mentee: `/mentor assign @mentor @newhire`. "
                "To see who fits best first: `/mentor match @newhire`."
            }
        )
    with inv.runtime.db() as db:
        form = assignment_forms.prepare_for(
            db,
            actor_id=inv.actor.id,
            mentor_slack_id=mentioned[0],
            mentee_slack_id=mentioned[1],
            now=inv.runtime.now(),
            kind=kind,
        )
    inv.client.views_open(trigger_id=inv.trigger_id, view=blocks.assign_modal(form))


def on_assign_click(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()
    actor: Actor = context["actor"]

    def prepare(db: Session, value: dict[str, Any], now: datetime) -> AssignForm:
        return assignment_forms.prepare(
            db,
            actor_id=actor.id,
            mentor_id=uuid.UUID(value["mentor"]),
            mentee_id=uuid.UUID(value["mentee"]),
            now=now,
            focus=value.get("focus") or (),  # buttons sent before focus_key
            focus_key=value.get("focus_key"),
        )

    open_assign_modal(body, action, client, context, prepare)


def on_assign_reverse_click(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """ "Assign (reverse)" under `/mentor match @learner reverse <topic>`: the modal
    `/mentor assign @teacher @learner reverse` opens, the topic as its focus."""
    ack()
    actor: Actor = context["actor"]

    def prepare(db: Session, value: dict[str, Any], now: datetime) -> AssignForm:
        return assignment_forms.prepare_reverse(
            db,
            actor_id=actor.id,
            teacher_id=uuid.UUID(value["teacher"]),
            learner_id=uuid.UUID(value["learner"]),
            now=now,
            topic=value.get("topic"),
        )

    open_assign_modal(body, action, client, context, prepare)


def open_assign_modal(
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    prepare: Callable[[Session, dict[str, Any], datetime], AssignForm],
) -> None:
    """Open the assign modal `prepare` fills from the button's JSON value; a refusal
    is told to the person who clicked."""
    runtime: Runtime = context["runtime"]

    def work() -> None:
        with runtime.db() as db:
            form = prepare(db, json.loads(action["value"]), runtime.now())
        client.views_open(trigger_id=body["trigger_id"], view=blocks.assign_modal(form))

    run_reporting(lambda text: answer(body, client, text), work)


def on_assign_submit(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    runtime, actor, metadata, values = submitted(view, context)

    def work() -> tuple[Requested, list[Queued]]:
        with runtime.db() as db:
            requested = assignments.request(
                db,
                actor_id=actor.id,
                mentor_id=uuid.UUID(metadata["mentor"]),
                mentee_id=uuid.UUID(metadata["mentee"]),
                now=runtime.now(),
                start_date=values.get("start_date"),
                expected_end=values.get("expected_end"),
                cadence=values.get("cadence"),
                goals=values.get("goals"),
                confirmed=blocks.CONFIRMED in (values.get("confirm") or []),
                focus=metadata.get("focus") or (),  # modals opened before focus_key
                focus_key=metadata.get("focus_key"),
                kind=metadata.get("kind") or "standard",
            )
            return requested, queue_request(db, requested, now=runtime.now())

    done: tuple[Requested, list[Queued]] | None = submit_view(ack, view, work)
    if done is None:
        return
    announce_request(client, runtime, *done)


def queue_request(db: Session, requested: Requested, *, now: datetime) -> list[Queued]:
    """In the request's transaction: the mentor's request with Accept and Decline, a
    notice to any mentor whose unanswered request it replaced."""
    a = requested.assignment
    queued = [
        enqueue_dm(
            db,
            a.mentor.slack_user_id,
            blocks.request_text(a),
            blocks.mentor_request(a),
            purpose="mentor_request",
            now=now,
        )
    ]
    for withdrawn in requested.withdrawn:
        text, notice = blocks.withdrawn_notice(withdrawn)
        queued.append(
            enqueue_dm(
                db, withdrawn.mentor.slack_user_id, text, notice, purpose="withdrawn", now=now
            )
        )
    return queued


def announce_request(
    client: WebClient, runtime: Runtime, requested: Requested, queued: list[Queued]
) -> None:
    """After the request committed: post what it queued, and whoever asked (a person)
    hears it went out, or that the mentor will get it as soon as Slack answers."""
    waiting = deliver_queued(client, runtime, queued)
    asked_by = requested.assignment.asked_by
    if asked_by is None:
        return
    if waiting:
        send_dm(client, asked_by.slack_user_id, will_tell(waiting))
        return
    text, sent_blocks = blocks.request_sent(requested.assignment)
    send_dm(client, asked_by.slack_user_id, text, sent_blocks)


def on_accept_click(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()
    runtime: Runtime = context["runtime"]
    actor: Actor = context["actor"]

    def work() -> None:
        assignment_id = uuid.UUID(action["value"])
        try:
            with runtime.db() as db:
                accepted = answers.accept(
                    db, assignment_id=assignment_id, actor_id=actor.id, now=runtime.now()
                )
                queued = queue_accepted(db, accepted, now=runtime.now())
        except AlreadyAnswered as exc:
            # Tell the person first: from App Home the answer is a modal on this
            # click's trigger, which must not wait behind other Slack calls.
            answer(body, client, str(exc))
            show_outcome(client, body, runtime, actor, exc.assignment)
            return
        show_outcome(client, body, runtime, actor, accepted)
        waiting = deliver_queued(client, runtime, queued)
        if waiting:
            answer(body, client, will_tell(waiting))

    run_reporting(lambda text: answer(body, client, text), work)


def queue_accepted(db: Session, accepted: AssignmentView, *, now: datetime) -> list[Queued]:
    """In the accept's transaction: the mentee's introduction to their mentor, and the
    notice to the manager (and whoever asked)."""
    text, intro = blocks.mentee_intro(accepted)
    queued = [
        enqueue_dm(db, accepted.mentee.slack_user_id, text, intro, purpose="mentee_intro", now=now)
    ]
    text, notice = blocks.accepted_notice(accepted)
    queued += [
        enqueue_dm(db, person.slack_user_id, text, notice, purpose="accepted_notice", now=now)
        for person in accepted.to_tell
    ]
    return queued


def on_decline_click(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()
    runtime: Runtime = context["runtime"]
    actor: Actor = context["actor"]

    def work() -> None:
        try:
            with runtime.db() as db:
                request = answers.check_answerable(
                    db, assignment_id=uuid.UUID(action["value"]), actor_id=actor.id
                )
        except AlreadyAnswered as exc:
            # Tell the person first: from App Home the answer is a modal on this
            # click's trigger, which must not wait behind other Slack calls.
            answer(body, client, str(exc))
            show_outcome(client, body, runtime, actor, exc.assignment)
            return
        channel, ts = message_of(body)
        view = blocks.decline_modal(request, {"channel": channel, "ts": ts} if channel else None)
        client.views_open(trigger_id=body["trigger_id"], view=view)

    run_reporting(lambda text: answer(body, client, text), work)


def on_decline_submit(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    runtime, actor, metadata, values = submitted(view, context)

    def work() -> tuple[AssignmentView, list[Queued]]:
        with runtime.db() as db:
            declined = answers.decline(
                db,
                assignment_id=uuid.UUID(metadata["assignment"]),
                actor_id=actor.id,
                reason=values.get("reason"),
                details=values.get("details"),
                now=runtime.now(),
            )
            # The manager hears of it with the next-best mentor, in the same transaction.
            queued = queue_next_suggestion(db, runtime, declined.id, now=runtime.now()) or []
            return declined, queued

    done: tuple[AssignmentView, list[Queued]] | None = submit_then(
        ack, view, work, lambda d: notice_view("Declined", blocks.outcome_text(d[0]))
    )
    if done is None:
        return
    declined, queued = done
    if metadata.get("channel") and metadata.get("ts"):
        replace_message(
            client,
            metadata["channel"],
            metadata["ts"],
            blocks.outcome_text(declined),
            blocks.request_outcome(declined),
        )
    else:
        publish_home(client, runtime, actor)
    deliver_queued(client, runtime, queued)


def offer_next_suggestion(
    client: WebClient, runtime: Runtime, assignment_id: uuid.UUID, *, key: str | None = None
) -> bool:
    """DM the mentee's manager (and whoever asked, if someone else; else the program
    admins) why this request went nowhere — unanswered past the fallback time, or its
    mentor left the workspace — and the next-best mentor with an Assign button. The
    reminders sweep calls this for unanswered requests (`key`: its ledger claim, so a
    sweep that died after queueing the DMs does not queue them twice). True if DMs are
    queued (posted now, or by the delivery worker later)."""
    with runtime.db() as db:
        queued = queue_next_suggestion(db, runtime, assignment_id, now=runtime.now(), key=key)
    if queued is None:
        return False
    deliver_queued(client, runtime, queued)
    return True


def queue_next_suggestion(
    db: Session,
    runtime: Runtime,
    assignment_id: uuid.UUID,
    *,
    now: datetime,
    key: str | None = None,
) -> list[Queued] | None:
    """In the caller's transaction (a decline's, or the sweep's): queue the next-best
    suggestion (see `offer_next_suggestion`); None when there is nobody to tell."""
    suggestion = answers.next_suggestion(db, assignment_id=assignment_id, now=now)
    # The mentee's manager and whoever asked; the program admins when there is neither.
    recipients = [p.slack_user_id for p in suggestion.assignment.to_tell] or program_admins(
        runtime, db
    )
    if not recipients:
        log.warning("nobody to tell about request %s: no asker, manager or admin", assignment_id)
        return None
    text, dm_blocks = blocks.next_suggestion(suggestion)
    return [
        enqueue_dm(db, r, text, dm_blocks, purpose="next_suggestion", now=now, key=key)
        for r in recipients
    ]


# -- helpers -----------------------------------------------------------------------------------


def submitted(
    view: dict[str, Any], context: BoltContext
) -> tuple[Runtime, Actor, dict[str, Any], dict[str, Any]]:
    """A modal submission as plain values: runtime, actor, private metadata, inputs."""
    metadata = json.loads(view.get("private_metadata") or "{}")
    return context["runtime"], context["actor"], metadata, kit.view_values(view)


def show_outcome(
    client: WebClient, body: dict[str, Any], runtime: Runtime, actor: Actor, a: AssignmentView
) -> None:
    """Replace the request's buttons by its outcome, so it can't be answered twice;
    from App Home, publish the home again. When Slack no longer has the message (it
    was deleted while still on the person's screen), tell them the outcome instead."""
    channel, ts = message_of(body)
    if channel:
        text = blocks.outcome_text(a)
        if not replace_message(client, channel, ts, text, blocks.request_outcome(a)):
            answer(body, client, text)
    else:
        publish_home(client, runtime, actor)
