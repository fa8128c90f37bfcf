"""`/mentor milestones [@person]`, the Submit modal, Approve / Request changes, and
the milestone parts of App Home (the mentee's milestones, the mentor's reviews)."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.blocks import kit
from bot.blocks import milestones as blocks
from bot.blocks.actions import MILESTONE_APPROVE, MILESTONE_REQUEST_CHANGES, MILESTONE_SUBMIT
from bot.listeners import milestone_templates
from bot.listeners.actor import Actor
from bot.listeners.commands import Invocation, subcommand
from bot.listeners.guard import notice_view, run_reporting
from bot.listeners.home import home_section
from bot.listeners.messaging import (
    Notice,
    deliver_queued,
    enqueue_notices,
    replace_message,
)
from bot.listeners.support import (
    answer,
    mentioned_person,
    message_of,
    modal_button,
    open_modal,
    refresh_homes,
    submit_service,
    submit_then,
)
from bot.runtime import Runtime
from bot.services import access, inputs, milestone_views, milestones
from bot.services.errors import NotAllowed


def register(app: App) -> None:
    app.action(MILESTONE_SUBMIT)(modal_button(_open_submit))
    app.view(blocks.SUBMIT_CALLBACK)(on_submit)
    app.action(MILESTONE_APPROVE)(on_approve)
    app.action(MILESTONE_REQUEST_CHANGES)(on_request_changes)
    app.view(blocks.CHANGES_CALLBACK)(on_changes_submit)


@subcommand(
    "milestones",
    usage="/mentor milestones [@mentee] · /mentor milestones templates",
    summary="Ramp milestones with target and achieved dates (yours, or a mentee's or "
    "report's); `templates` (admins): add, edit, reorder and retire the program's ramp.",
    order=45,
)
def milestones_command(inv: Invocation) -> None:
    if inv.args.strip().lower() == "templates":
        milestone_templates.templates_command(inv)
        return
    runtime = inv.runtime
    subject = mentioned_person(runtime, inv.args) or inv.actor.id
    with runtime.db() as db:
        listed = milestone_views.list_for(
            db, actor_id=inv.actor.id, subject_user_id=subject, now=runtime.now()
        )
        today = inputs.local_day(runtime.now(), inputs.zone(db, inv.actor.timezone))
    inv.reply(
        f"{listed.subject_name}: {len(listed.items)} milestones",
        blocks.milestone_list(listed, today)[: kit.MAX_BLOCKS_MESSAGE],
    )


def _open_submit(
    client: WebClient, runtime: Runtime, actor: Actor, trigger_id: str, milestone_id: str
) -> None:
    with runtime.db() as db:
        listed = milestone_views.list_for(
            db, actor_id=actor.id, subject_user_id=actor.id, now=runtime.now()
        )
    chosen = [m for m in listed.items if str(m.id) == milestone_id]
    if not chosen:
        raise NotAllowed("Only the mentee can submit their own milestones.")
    open_modal(client, trigger_id, blocks.submit_modal(chosen[0]))


def on_submit(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    result = submit_service(
        ack,
        view,
        context,
        lambda db, form: milestones.submit(
            db,
            actor_id=form.actor.id,
            milestone_id=form.metadata,
            evidence=form.values.get("evidence"),
            now=form.now,
        ),
        blocks.submitted_view,
        notices=review_requests,
    )
    if not isinstance(result, milestones.Submitted):
        return
    refresh_homes(client, context["runtime"], [context["actor"].id, result.reviewer_user_id])


def review_requests(result: milestones.Submitted) -> list[Notice]:
    """The mentor is asked to review a submission (none to ask when it was
    self-reported); queued with the submission."""
    if not result.reviewer_slack_id:
        return []
    text, request = blocks.review_request(result)
    return [Notice(result.reviewer_slack_id, text, request, "review_request")]


def _review(
    context: BoltContext, submission_id: str, decision: str, feedback: str | None
) -> milestones.Reviewed:
    runtime: Runtime = context["runtime"]
    with runtime.db() as db:
        reviewed = milestones.review(
            db,
            actor_id=context["actor"].id,
            submission_id=submission_id,
            decision=decision,
            feedback=feedback,
            now=runtime.now(),
        )
        queued = enqueue_notices(db, decision_notices(reviewed), now=runtime.now())
    deliver_queued(context["client"], runtime, queued)
    return reviewed


def _announce(
    client: WebClient, context: BoltContext, result: milestones.Reviewed, channel: str, ts: str
) -> None:
    """After a decision: the review request shows the outcome, the mentee is told."""
    if channel and ts:
        text, outcome = blocks.review_outcome(result)
        replace_message(client, channel, ts, text, outcome)
    announce_review(client, context["runtime"], context["actor"].id, result)


def decision_notices(result: milestones.Reviewed) -> list[Notice]:
    """The mentee is told the mentor's decision (and feedback); queued with it."""
    text, notice = blocks.decision_notice(result)
    return [Notice(result.mentee_slack_id, text, notice, "review_decision")]


def announce_review(
    client: WebClient, runtime: Runtime, reviewer_id: uuid.UUID, result: milestones.Reviewed
) -> None:
    """After the decision and its notice committed: both homes show it."""
    refresh_homes(client, runtime, [reviewer_id, result.mentee_user_id])


def on_approve(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()

    def work() -> None:
        result = _review(context, action.get("value", ""), "approve", None)
        _announce(client, context, result, *message_of(body))

    run_reporting(lambda text: answer(body, client, text), work)


def on_request_changes(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Changes need feedback, so this opens a modal; the decision is made on its Send."""
    ack()
    channel, ts = message_of(body)
    run_reporting(
        lambda text: answer(body, client, text),
        lambda: open_modal(
            client,
            body.get("trigger_id", ""),
            blocks.changes_modal(action.get("value", ""), channel, ts),
        ),
    )


def on_changes_submit(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    meta = json.loads(view.get("private_metadata") or "{}")
    feedback = kit.view_values(view).get("feedback")
    result = submit_then(
        ack,
        view,
        lambda: _review(context, meta.get("submission", ""), "request_changes", feedback),
        lambda reviewed: notice_view("Changes asked", blocks.review_outcome(reviewed)[0]),
    )
    if isinstance(result, milestones.Reviewed):
        _announce(client, context, result, meta.get("channel", ""), meta.get("ts", ""))


@home_section(order=35)
def milestones_home(db: Session, user: Any, roles: set[str], now: datetime) -> list[kit.Block]:
    """The person's own ramp milestones (with Submit), then reviews waiting for them."""
    found: list[kit.Block] = []
    tz = inputs.zone(db, user.timezone)
    today = inputs.local_day(now, tz)
    listed = milestone_views.list_for(
        db, actor_id=user.id, subject_user_id=user.id, now=now, ensure=False, reviewer=False
    )
    if listed.items:
        done = sum(1 for m in listed.items if m.status == "achieved")
        found += [
            kit.header("Your ramp milestones"),
            kit.context(f"{done} of {len(listed.items)} achieved · `/mentor milestones` for all"),
        ]
        waiting = [m for m in listed.items if m.status != "achieved"]
        found += blocks.milestone_rows(waiting, today, submit=True, limit=8)
    # Only a mentor reviews milestones (their mentees').
    requests = milestone_views.pending_reviews(db, user.id) if access.MENTOR in roles else []
    if requests:
        found += [kit.header("Milestone reviews"), *blocks.review_rows(requests, tz)]
    return found
