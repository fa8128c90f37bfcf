"""`/mentor status`, `/mentor skills`, `/mentor progress @mentee`, the "Rate my skills",
"Progress" and "Escalate" buttons, and their modals."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.blocks import progress as blocks
from bot.blocks.actions import ESCALATE, PROGRESS_OPEN, SELF_ASSESS
from bot.blocks.delivery import will_tell
from bot.listeners.actor import Actor
from bot.listeners.commands import Invocation, subcommand
from bot.listeners.guard import run_reporting
from bot.listeners.messaging import Notice, deliver_queued, enqueue_notices, send_dm
from bot.listeners.parsing import mentioned_user_ids
from bot.listeners.support import (
    Form,
    answer,
    mentioned_person,
    modal_button,
    open_modal,
    refresh_homes,
    submit_service,
    tz_of,
)
from bot.runtime import Runtime
from bot.services import inputs, mentorships, progress


def register(app: App) -> None:
    app.action(SELF_ASSESS)(modal_button(_open_skills))
    app.view(blocks.SKILLS_CALLBACK)(on_skills_submit)
    app.action(PROGRESS_OPEN)(modal_button(_open_note))
    app.view(blocks.NOTE_CALLBACK)(on_note_submit)
    app.action(ESCALATE)(on_escalate)


@subcommand(
    "status",
    usage="/mentor status [@report]",
    summary="How a mentorship is going: mentor, sessions, milestones, confidence, "
    "on-track flag (never private notes).",
    order=50,
)
def status_command(inv: Invocation) -> None:
    runtime = inv.runtime
    subject = mentioned_person(runtime, inv.args)
    tz = tz_of(runtime, inv.actor)
    now = runtime.now()
    with runtime.db() as db:
        if subject is None:
            found = progress.statuses_for(db, actor_id=inv.actor.id, now=now)
        else:
            found = [progress.status(db, actor_id=inv.actor.id, subject_user_id=subject, now=now)]
    inv.reply(*blocks.status_message(found, tz, now.astimezone(tz).date()))


@subcommand(
    "skills",
    usage="/mentor skills",
    summary="Rate your focus skills from 1 to 5 and see your trend (mentees).",
    order=55,
)
def skills_command(inv: Invocation) -> None:
    _open_skills(inv.client, inv.runtime, inv.actor, inv.trigger_id, "")


def _open_skills(
    client: WebClient, runtime: Runtime, actor: Actor, trigger_id: str, assignment_id: str
) -> None:
    with runtime.db() as db:
        form = progress.skill_form(db, actor_id=actor.id, assignment_id=assignment_id or None)
    open_modal(client, trigger_id, blocks.skills_modal(form))


def on_skills_submit(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    def call(db: Session, form: Form) -> tuple[int, dict[str, list[int]]]:
        ratings = {
            int(key.removeprefix("skill_")): value
            for key, value in form.values.items()
            if key.startswith("skill_")
        }
        count = progress.self_assess(
            db, actor_id=form.actor.id, assignment_id=form.metadata, ratings=ratings, now=form.now
        )
        return count, progress.skill_history(db, form.actor.id)

    submit_service(ack, view, context, call, lambda saved: blocks.skills_saved(*saved))


@subcommand(
    "progress",
    usage="/mentor progress [@mentee]",
    summary="Mentors: a private progress note and the on-track / at-risk flag.",
    order=56,
)
def progress_command(inv: Invocation) -> None:
    mentioned = mentioned_user_ids(inv.args)
    with inv.runtime.db() as db:
        assignment_id = mentorships.choose(
            db, actor_id=inv.actor.id, other_slack_id=mentioned[0] if mentioned else None
        )
    _open_note(inv.client, inv.runtime, inv.actor, inv.trigger_id, str(assignment_id))


def _open_note(
    client: WebClient, runtime: Runtime, actor: Actor, trigger_id: str, assignment_id: str
) -> None:
    with runtime.db() as db:
        form = progress.note_form(db, actor_id=actor.id, assignment_id=assignment_id)
        tz = inputs.zone(db, actor.timezone)
    open_modal(client, trigger_id, blocks.note_modal(form, tz))


def on_note_submit(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    actor: Actor = context["actor"]
    saved = submit_service(
        ack,
        view,
        context,
        lambda db, form: progress.record_note(
            db,
            actor_id=form.actor.id,
            assignment_id=form.metadata,
            note=form.values.get("note"),
            flag=form.values.get("flag"),
            now=form.now,
        ),
        blocks.note_saved,
        notices=_flag_notices,
    )
    if not isinstance(saved, progress.NoteSaved):
        return
    if saved.flag == "at_risk":
        text, offer = blocks.escalation_offer(saved)
        send_dm(client, actor.slack_user_id, text, offer)
    refresh_homes(client, context["runtime"], [actor.id])


def _flag_notices(saved: progress.NoteSaved) -> list[Notice]:
    """A changed flag is told to the mentee's manager (queued with the note)."""
    if not saved.manager_slack_id or saved.flag == (saved.previous_flag or "on_track"):
        return []
    text, notice = blocks.flag_notice(saved)
    return [Notice(saved.manager_slack_id, text, notice, "flag_changed")]


def on_escalate(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()
    actor: Actor = context["actor"]
    runtime: Runtime = context["runtime"]

    def work() -> None:
        now = runtime.now()
        with runtime.db() as db:
            done = progress.escalate(
                db, actor_id=actor.id, note_id=action.get("value", ""), now=now
            )
            # Admins named in MENTORBOT_ADMINS count even before they first use the bot.
            admins = [
                a
                for a in dict.fromkeys([*done.admin_slack_ids, *runtime.settings.mentorbot_admins])
                if a != actor.slack_user_id
            ]
            text, notice = blocks.escalation_notice(done)
            queued = enqueue_notices(
                db, [Notice(admin, text, notice, "escalation") for admin in admins], now=now
            )
        waiting = deliver_queued(client, runtime, queued)
        if not admins:
            said = (
                "There is no program admin to tell; your flag is saved. "
                "Please tell your program lead directly."
            )
        elif waiting:
            said = "Escalated (your note stays private). " + will_tell(waiting)
        else:
            said = (
                f"Escalated: {len(admins)} program admin(s) told that {done.mentee_name}'s "
                "mentorship needs help (your note stays private)."
            )
        answer(body, client, said)

    run_reporting(lambda text: answer(body, client, text), work)
