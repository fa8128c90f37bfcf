"""Small Slack chores the mentorship listeners share: opening a modal, answering a
button press wherever it came from, refreshing the homes of people a change touched."""

from __future__ import annotations

import functools
import inspect
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.blocks import kit
from bot.blocks.delivery import will_tell
from bot.listeners.actor import Actor
from bot.listeners.guard import (
    SORRY_AFTER_SAVE,
    notice_view,
    run_reporting,
    submit_view,
    tell_sorry,
    twin_delivery,
)
from bot.listeners.home import publish_home
from bot.listeners.messaging import (
    Notice,
    Queued,
    deliver_queued,
    enqueue_notices,
    replace_message,
    send_dm,
)
from bot.listeners.parsing import mentioned_user_ids
from bot.runtime import Runtime
from bot.services import access, admin, coverage, inputs, roster
from bot.services.errors import NotFound
from bot.slack_client import post_to_response_url

log = logging.getLogger(__name__)


def open_modal(client: WebClient, trigger_id: str, view: dict[str, Any]) -> bool:
    """Open `view`; False (logged) when Slack refuses, e.g. an expired trigger.
    AlreadyHandled when the trigger was used already: a trigger is used once, so this
    request came twice and its first delivery opened the modal."""
    try:
        client.views_open(trigger_id=trigger_id, view=view)
    except Exception as exc:
        if twin_delivery(exc):
            raise
        log.warning("could not open a modal", exc_info=True)
        return False
    return True


def update_modal(
    client: WebClient, view_id: str, view: dict[str, Any], view_hash: str | None = None
) -> bool:
    """Replace an open modal; with `view_hash`, only if nothing replaced it meanwhile.
    False (logged) when Slack refuses."""
    try:
        client.views_update(view_id=view_id, view=view, hash=view_hash)
    except Exception:
        log.warning("could not update modal %s", view_id, exc_info=True)
        return False
    return True


def answer(body: dict[str, Any], client: WebClient, text: str) -> None:
    """Tell the person who pressed a button: ephemerally under the message; on App
    Home or in a modal (no response_url there) in a small modal over it; by DM when
    Slack won't open one (the trigger expires after 3 seconds)."""
    url = body.get("response_url")
    user = body.get("user", {}).get("id", "")
    if url:
        try:
            response = post_to_response_url(
                url, {"text": text, "response_type": "ephemeral", "replace_original": False}
            )
            if response.status_code == 200:
                return
        except Exception:
            log.warning("could not answer through response_url", exc_info=True)
    trigger_id = body.get("trigger_id")
    if trigger_id:
        notice = notice_view("MentorBot", text)
        in_modal = (body.get("view") or {}).get("type") == "modal"
        try:
            if in_modal:
                client.views_push(trigger_id=trigger_id, view=notice)
            else:
                client.views_open(trigger_id=trigger_id, view=notice)
            return
        except Exception:
            log.warning("could not show a notice modal", exc_info=True)
    send_dm(client, user, text)


def message_of(body: dict[str, Any]) -> tuple[str, str]:
    """(channel, ts) of the message a button sits on, or ("", "") when there is none
    the bot can update: a view (App Home, a modal) or an ephemeral message."""
    container = body.get("container") or {}
    if container.get("type") != "message" or container.get("is_ephemeral"):
        return "", ""
    return str(container.get("channel_id", "")), str(container.get("message_ts", ""))


def settled(body: dict[str, Any], client: WebClient, text: str) -> None:
    """A button's work is done: its message keeps what it said, the buttons give way to
    `text` (or, where there is no message of ours to update, `text` is the answer)."""
    channel, ts = message_of(body)
    kept = [b for b in (body.get("message") or {}).get("blocks", []) if b.get("type") != "actions"]
    if not channel or not replace_message(
        client, channel, ts, text, [*kept, kit.context(text)][: kit.MAX_BLOCKS_MESSAGE]
    ):
        answer(body, client, text)


def refresh_homes(
    client: WebClient, runtime: Runtime, user_ids: Iterable[uuid.UUID | None]
) -> None:
    """Re-publish the App Home of each person a change touched."""
    actors = []
    with runtime.db() as db:
        for user_id in dict.fromkeys(u for u in user_ids if u is not None):
            user = access.load_user(db, user_id)
            actors.append(Actor.of(user))
    for actor in actors:
        publish_home(client, runtime, actor)


def admit(runtime: Runtime, actor: Actor, surface: str) -> None:
    """Go on only for a program admin; anyone else is refused (NotAllowed), and the
    attempt is audited in its own transaction, so the refusal does not roll it back."""
    with runtime.db() as db:
        refused = admin.refusal(db, actor_id=actor.id, surface=surface, now=runtime.now())
    if refused is not None:
        raise refused


def program_admins(runtime: Runtime, db: Session | None = None) -> list[str]:
    """Slack ids of the program admins: marked in the roster, or named in MENTORBOT_ADMINS
    (who become admins on their first request). In `db`'s transaction, if given."""
    if db is None:
        with runtime.db() as own:
            return program_admins(runtime, own)
    return sorted(set(coverage.program_admins(db)) | set(runtime.settings.mentorbot_admins))


def tz_of(runtime: Runtime, actor: Actor) -> ZoneInfo:
    with runtime.db() as db:
        return inputs.zone(db, actor.timezone)


def mentioned_person(runtime: Runtime, args: str) -> uuid.UUID | None:
    """The roster id of the first person mentioned in `args`, None when nobody is;
    NotFound when the mention is someone the roster doesn't know."""
    ids = mentioned_user_ids(args)
    if not ids:
        return None
    with runtime.db() as db:
        user = roster.by_slack_id(db, ids[0])
        if user is None:
            raise NotFound(f"<@{ids[0]}> is not in the roster yet.")
        return user.id


#: (client, runtime, actor, trigger_id, button value) -> opens a modal.
ModalOpener = Callable[[WebClient, Runtime, Actor, str, str], Any]


def modal_button(opener: ModalOpener) -> Callable[..., None]:
    """A Bolt action listener for a button that opens a modal: ack, then open it
    (a refusal or a failure is told to the person who pressed)."""

    def on_press(
        ack: Callable[..., Any],
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        context: Any,
    ) -> None:
        ack()
        run_reporting(
            lambda text: answer(body, client, text),
            lambda: opener(
                client,
                context["runtime"],
                context["actor"],
                body.get("trigger_id", ""),
                action.get("value", ""),
            ),
        )

    return on_press


#: (db, who pressed, the button's value, now) -> the service's result.
ButtonCall = Callable[[Session, Actor, str, datetime], Any]
#: (the action's body, client, runtime, result) -> tell whoever needs telling.
ButtonAfter = Callable[[dict[str, Any], WebClient, Runtime, Any], None]


def button_service(call: ButtonCall, after: ButtonAfter) -> Callable[..., None]:
    """A Bolt action listener for a button that is one service call: ack, run
    `call` in one transaction, then `after`; a refusal is told to the person."""

    def on_press(
        ack: Callable[..., Any],
        body: dict[str, Any],
        action: dict[str, Any],
        client: WebClient,
        context: Any,
    ) -> None:
        ack()
        actor: Actor = context["actor"]
        runtime: Runtime = context["runtime"]

        def work() -> None:
            with runtime.db() as db:
                result = call(db, actor, action.get("value", ""), runtime.now())
            after(body, client, runtime, result)

        run_reporting(lambda text: answer(body, client, text), work)

    return on_press


def acked_form(listener: Callable[..., None]) -> Callable[..., None]:
    """`listener`, a form's (it takes `ack` and `context`), made never to raise once it
    has acknowledged. Slack has its answer by then, and an exception raised into Bolt's
    listener thread after the ack can swap that answer for a 500 or lose it to a 404
    "unhandled request" (slack_bolt/listener/thread_runner.py). So a failure of the work
    after the ack (its DMs) is logged and the person told their change is saved (a home
    that fails to refresh never gets here: `publish_home` logs it); one before the ack is
    raised, for errors.on_unhandled_error to answer on the form. bot/app.py wraps every
    form listener in it."""
    wants = inspect.signature(listener).parameters
    if "ack" not in wants or "context" not in wants:
        raise TypeError(f"the form listener {listener.__name__} must take ack and context")

    @functools.wraps(listener)  # Bolt passes the arguments `listener` names
    def run(**kwargs: Any) -> None:
        try:
            listener(**kwargs)
        except Exception as exc:
            if kwargs["ack"].response is None:
                raise
            context = kwargs["context"]
            tell = lambda text: send_dm(context.client, context.user_id, text)  # noqa: E731
            tell_sorry(tell, exc, SORRY_AFTER_SAVE)

    return run


def submit_then(
    ack: Callable[..., Any],
    view: dict[str, Any],
    work: Callable[[], Any],
    after: Callable[[Any], dict[str, Any] | None],
) -> Any:
    """`guard.submit_view`, and on success answer with the view `after(result)`
    returns (the modal then says what happened, whatever Slack does next)."""
    result_box: list[Any] = []

    def run() -> Any:
        result = work()
        result_box.append(result)
        return result

    def acknowledge(**kwargs: Any) -> None:
        if result_box and not kwargs:
            shown = after(result_box[0])
            if shown is not None:
                ack(response_action="update", view=shown)
                return
        ack(**kwargs)

    return submit_view(acknowledge, view, run)


@dataclass(frozen=True)
class Form:
    """A submitted modal as plain values: who, what they typed, the view's metadata."""

    actor: Actor
    values: dict[str, Any]
    metadata: str
    now: datetime


def submit_service(
    ack: Callable[..., Any],
    view: dict[str, Any],
    context: Any,
    call: Callable[[Session, Form], Any],
    after: Callable[[Any], dict[str, Any] | None] = lambda _: None,
    *,
    notices: Callable[[Any], list[Notice]] | None = None,
) -> Any:
    """A modal submission that is one service call: `call(db, form)` runs in one
    transaction before the ack (so bad input stays on the form), then the modal shows
    `after(result)` (or closes). The DMs `notices(result)` lists are queued in that
    transaction and posted after it; if Slack does not take them now, the modal also
    says who will be told. Returns the result, or None when refused."""
    runtime: Runtime = context["runtime"]
    form = Form(
        context["actor"], kit.view_values(view), view.get("private_metadata", ""), runtime.now()
    )
    queued: list[Queued] = []

    def work() -> Any:
        with runtime.db() as db:
            result = call(db, form)
            made = enqueue_notices(db, notices(result), now=form.now) if notices else []
        # Only once committed: a twin delivery's queue is rolled back at its commit
        # (AlreadyHandled), and its rows were never anyone's to post.
        queued.extend(made)
        return result

    result = submit_then(ack, view, work, after)
    waiting = deliver_queued(context["client"], runtime, queued)
    shown = after(result) if waiting else None
    if shown is not None and view.get("id"):
        shown["blocks"] = [*shown.get("blocks", []), kit.section(will_tell(waiting))]
        update_modal(context["client"], view["id"], shown)
    return result
