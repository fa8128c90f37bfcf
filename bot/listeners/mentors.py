"""The mentor program in Slack: `/mentor optin`, `optout`, `pause`, `profile`,
`trainings`; the opt-in modal; the "Become a mentor" / "Edit profile", "Mark done"
and "Certify" buttons; the mentor's App Home section; recognition shout-outs."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.blocks import kit
from bot.blocks import mentor_home as home_blocks
from bot.blocks import mentors as blocks
from bot.blocks.actions import (
    CERTIFY,
    OPTIN_OPEN,
    PAUSE_DECLINE_WAITING,
    PAUSE_KEEP_WAITING,
    TRAINING_DONE,
    WAITING_ALL,
)
from bot.blocks.delivery import will_tell
from bot.listeners.actor import Actor, fetch_profile
from bot.listeners.assignments import queue_next_suggestion
from bot.listeners.commands import Invocation, subcommand
from bot.listeners.guard import notice_view, run_reporting
from bot.listeners.home import home_section, publish_home
from bot.listeners.messaging import (
    Notice,
    deliver_queued,
    enqueue_dm,
    enqueue_notices,
    post_message,
    send_dm,
)
from bot.listeners.parsing import mentioned_user_ids
from bot.listeners.profiles import refresh_stale_profile
from bot.listeners.support import admit, answer, modal_button, submit_then, update_modal
from bot.runtime import Runtime
from bot.services import (
    access,
    mentor_optin,
    mentor_profiles,
    mentor_trainings,
    mentors,
    recognition,
    time_off,
    timezones,
)
from bot.services import mentor_home as home_service
from bot.services.errors import DomainError, InvalidInput
from models import User


def register(app: App) -> None:
    app.view(blocks.OPTIN_VIEW)(on_optin_submitted)
    app.action(OPTIN_OPEN)(modal_button(open_optin))
    app.action(TRAINING_DONE)(on_training_done)
    app.action(CERTIFY)(on_certify)
    app.action(WAITING_ALL)(modal_button(open_waiting))
    app.action(PAUSE_DECLINE_WAITING)(on_decline_waiting)
    app.action(PAUSE_KEEP_WAITING)(on_keep_waiting)


# -- opt-in ---------------------------------------------------------------------------------------


@subcommand(
    "optin",
    usage="/mentor optin",
    summary="Become a mentor, or edit your mentor profile (expertise, capacity, availability).",
    order=10,
)
def optin(inv: Invocation) -> None:
    open_optin(inv.client, inv.runtime, inv.actor, inv.trigger_id)


def open_optin(
    client: WebClient, runtime: Runtime, actor: Actor, trigger_id: str, value: str = ""
) -> None:
    """Open the opt-in modal, or raise NotEligible naming what is missing.

    The modal opens at once with what the roster knows (a trigger lives 3 seconds);
    then the Slack profile is read (unless this process read it lately:
    `refresh_stale_profile`) and, if it changes the answer (a new timezone, a bot),
    the open modal is updated."""
    with runtime.reading() as db:  # the form is a read: no transaction before views.open
        asker = access.load_user(db, actor.id)  # start_optin finds them read: one statement
        form = mentor_optin.start_optin(db, user_id=actor.id, now=runtime.now())
    shown = blocks.optin_modal(form, actor.timezone)
    opened = client.views_open(trigger_id=trigger_id, view=shown)
    user = refresh_stale_profile(client, runtime, asker)
    # Slack's profile tells the roster only these: as they were, so is the form.
    if user is None or (Actor.of(user) == actor and not user.is_bot and not user.deactivated_at):
        return
    try:
        with runtime.reading() as db:
            form = mentor_optin.start_optin(db, user_id=actor.id, now=runtime.now())
        fresh = blocks.optin_modal(form, user.timezone)
    except DomainError as exc:
        fresh = notice_view("Become a mentor", str(exc))
    if fresh != shown:
        update_modal(client, opened["view"]["id"], fresh, opened["view"].get("hash"))


UNCHANGED = "Nothing changed: your mentor profile is as it was."


def on_optin_submitted(
    ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    actor: Actor = context["actor"]
    runtime: Runtime = context["runtime"]
    values = kit.view_values(view)

    def save() -> mentor_optin.OptinResult:
        with runtime.db() as db:
            return mentor_optin.save_optin(
                db,
                user_id=actor.id,
                expertise=values.get("expertise"),
                capacity=values.get("capacity"),
                availability=values.get("availability"),
                timezone=blocks.optin_timezone(view),
                now=runtime.now(),
            )

    # A save that changed nothing (or Slack's retry of one) is answered on the form.
    result = submit_then(
        ack, view, save, lambda saved: None if saved.changed else notice_view("Profile", UNCHANGED)
    )
    if result is None:
        return
    if result.changed:  # a Slack retry of the same submission is not confirmed twice
        text, message = blocks.optin_saved(result.created, result.profile)
        send_dm(client, actor.slack_user_id, text, message)
    publish_home(client, runtime, actor)


# -- opt-out and pause ----------------------------------------------------------------------------


@subcommand(
    "optout",
    usage="/mentor optout",
    summary="Stop taking new mentees (current mentorships continue).",
    order=11,
)
def optout(inv: Invocation) -> None:
    now = inv.runtime.now()
    with inv.runtime.db() as db:
        result = time_off.opt_out(db, user_id=inv.actor.id, now=now)
        queued = enqueue_notices(db, optout_notices(result, inv.actor.name), now=now)
    inv.reply(blocks.optout_reply(result, inv.actor.timezone))
    deliver_queued(inv.client, inv.runtime, queued)
    publish_home(inv.client, inv.runtime, inv.actor)


def optout_notices(result: time_off.OptOutResult, mentor_name: str) -> list[Notice]:
    """Each manager whose request the opt-out declined is told (queued with it)."""
    return [
        Notice(
            item.manager_slack_user_id,
            blocks.declined_for_manager(item, mentor_name),
            None,
            "declined_by_optout",
        )
        for item in result.declined
        if item.manager_slack_user_id
    ]


@subcommand(
    "pause",
    usage="/mentor pause until YYYY-MM-DD",
    summary="No new mentees until that date (inclusive); `/mentor pause off` ends it early.",
    order=12,
)
def pause(inv: Invocation) -> None:
    with inv.runtime.db() as db:
        result = time_off.pause(db, user_id=inv.actor.id, args=inv.args, now=inv.runtime.now())
    inv.reply(*blocks.pause_message(result))
    publish_home(inv.client, inv.runtime, inv.actor)


def on_decline_waiting(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
) -> None:
    """ "Decline them" under the pause reply: each asker gets the reason and the next
    suggestion, as after any decline."""
    ack()
    actor: Actor = context["actor"]
    runtime: Runtime = context["runtime"]

    def decline() -> None:
        now = runtime.now()
        with runtime.db() as db:
            declined = time_off.decline_waiting_for_pause(db, user_id=actor.id, now=now)
            queued = [
                message
                for item in declined
                for message in queue_next_suggestion(db, runtime, item.assignment_id, now=now) or []
            ]
        respond(text=blocks.waiting_declined(len(declined)), replace_original=True)
        deliver_queued(client, runtime, queued)
        publish_home(client, runtime, actor)

    run_reporting(lambda text: answer(body, client, text), decline)


def on_keep_waiting(ack: Ack, respond: Respond) -> None:
    ack()
    respond(text=blocks.WAITING_KEPT, replace_original=True)


# -- profiles -------------------------------------------------------------------------------------


@subcommand(
    "profile",
    usage="/mentor profile [@someone]",
    summary="A mentor's expertise, capacity, availability, certification, badges and ratings.",
    order=13,
)
def profile(inv: Invocation) -> None:
    subject, is_bot = _profile_subject(inv)
    with inv.runtime.db() as db:
        view = mentor_profiles.profile(
            db,
            viewer_id=inv.actor.id,
            subject_slack_user_id=subject,
            now=inv.runtime.now(),
            subject_is_bot=is_bot,
        )
    inv.reply(*blocks.profile_message(view, inv.actor.timezone))


def _profile_subject(inv: Invocation) -> tuple[str | None, bool]:
    """Whose profile was asked for (None: the asker's own) and whether Slack says it
    is a bot."""
    if not inv.args:
        return None, False
    mentioned = mentioned_user_ids(inv.args)
    if not mentioned:
        raise InvalidInput(
            {
                "user": f"'{inv.args}' isn't someone I can look up. Mention a person: "
                "`/mentor profile @name`, or `/mentor profile` for your own."
            }
        )
    return mentioned[0], is_slack_bot(inv.client, mentioned[0])


def is_slack_bot(client: WebClient, slack_user_id: str) -> bool:
    """True when Slack's directory says this id is a bot (or Slackbot)."""
    found = fetch_profile(client, slack_user_id)
    return bool(found and (found.get("is_bot") or found.get("id") == "USLACKBOT"))


# -- trainings and certification ------------------------------------------------------------------


@subcommand(
    "trainings",
    usage="/mentor trainings",
    summary="The required mentor trainings: mark them done to get certified.",
    order=14,
)
def trainings(inv: Invocation) -> None:
    with inv.runtime.db() as db:
        view = mentor_trainings.trainings(db, user_id=inv.actor.id)
    inv.reply(*blocks.trainings_message(view, inv.actor.timezone))


def on_training_done(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
) -> None:
    ack()
    actor: Actor = context["actor"]
    runtime: Runtime = context["runtime"]

    def mark_done() -> None:
        with runtime.db() as db:
            result = mentor_trainings.complete_training(
                db, user_id=actor.id, training_key=action["value"], now=runtime.now()
            )
        if body.get("response_url"):
            text, message = blocks.trainings_message(result.view, actor.timezone)
            respond(text=text, blocks=message, replace_original=True)
        if result.newly_certified:
            send_dm(client, actor.slack_user_id, blocks.certified_dm(result.activated))
        publish_home(client, runtime, actor)

    run_reporting(lambda text: answer(body, client, text), mark_done)


def on_certify(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
) -> None:
    ack()
    actor: Actor = context["actor"]
    runtime: Runtime = context["runtime"]

    def say(text: str) -> None:
        answer(body, client, text)

    def certify() -> None:
        admit(runtime, actor, "certify")
        now = runtime.now()
        with runtime.db() as db:
            result = mentor_trainings.certify(
                db, actor_id=actor.id, mentor_id=uuid.UUID(action["value"]), now=now
            )
            if result.newly_certified:
                queued = [
                    enqueue_dm(
                        db,
                        result.mentor_slack_user_id,
                        blocks.certified_dm(result.activated),
                        purpose="certified",
                        now=now,
                    )
                ]
        if not result.newly_certified:
            say(f"{result.mentor_name} is already certified.")
            return
        if deliver_queued(client, runtime, queued):
            say(
                f":mortar_board: {result.mentor_name} is certified now. "
                + will_tell([result.mentor_slack_user_id])
            )
            return
        say(f":mortar_board: {result.mentor_name} is certified now; I've told them.")

    run_reporting(say, certify)


# -- App Home -------------------------------------------------------------------------------------


def open_waiting(
    client: WebClient, runtime: Runtime, actor: Actor, trigger_id: str, value: str = ""
) -> None:
    """The Home tab's "See all N requests": every request waiting for this mentor."""
    with runtime.db() as db:
        home = home_service.mentor_home(db, user_id=actor.id, now=runtime.now())
    waiting = home.waiting if home is not None else []
    client.views_open(
        trigger_id=trigger_id, view=home_blocks.waiting_modal(waiting, actor.timezone)
    )


@home_section(order=20)
def mentor_home(db: Session, user: User, roles: set[str], now: datetime) -> list[kit.Block]:
    home = (
        home_service.mentor_home(db, user_id=user.id, now=now) if access.MENTOR in roles else None
    )
    shown = home_blocks.mentor_home_section(home, user.timezone) if home is not None else []
    if home is not None and not home.reverse_only:
        return shown
    if mentors.is_eligible(db, user, timezones.local_today(now, user.timezone)):
        return shown + home_blocks.become_mentor_section()
    return shown


# -- recognition ----------------------------------------------------------------------------------


def post_completion_shoutout(
    client: WebClient, runtime: Runtime, assignment_id: uuid.UUID
) -> dict[str, str] | None:
    """Post the recognition shout-out for a completed mentorship, if it earns one
    (mentee rating 4+, a recognition channel set). Call after the completion is
    committed. Returns where it was posted, or None."""
    with runtime.db() as db:
        shoutout = recognition.completion_shoutout(db, assignment_id)
    if shoutout is None:
        return None
    return post_message(client, shoutout.channel, shoutout.text)
