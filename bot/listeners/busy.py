"""Which Slack requests are acknowledged before any work, which are answered in the
ack itself, and what a person turned away by a full work pool (bot/workpool.py) is
told instead of a timeout. `route` is that decision for one request, the same whether
it came over HTTP (bot/web.py) or a Socket Mode connection (bot/socket_mode.py)."""

from __future__ import annotations

import asyncio
import json
import logging
from concurrent.futures import Future
from functools import lru_cache
from typing import Any, Literal

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk import WebClient

from bot.listeners.commands import SUBCOMMANDS, asks_for_help, help_reply, requested
from bot.listeners.guard import modal_errors
from bot.listeners.regulars import Regulars
from bot.listeners.support import answer
from bot.slack_client import post_to_response_url
from bot.workpool import BUSY, WorkPool

log = logging.getLogger(__name__)

#: How long an answer in the ack may take before the help is sent without it (its
#: first contact then completes after, `help_without_bolt`): Slack gives up at 3 s.
ANSWER_WITHIN_S = 2.0

#: Interactive payloads whose ack Slack reads nothing from: a slash command's ack
#: carries the help (`answers_in_ack`); other answers come through response_url.
ACK_FIRST_PAYLOADS = frozenset({"block_actions", "shortcut", "message_action"})


#: What becomes of one request: "answer" (the help: answer with `start_answer`'s
#: outcome, in the ack), "queued" (acknowledge it now, empty; its work runs after),
#: "busy" (answer `busy_reply`; a button's notice follows by itself) or "dispatch" (a
#: form submission: run Bolt now and answer with its outcome).
Route = Literal["answer", "queued", "busy", "dispatch"]


def route(bolt_app: App, bolt_request: BoltRequest) -> Route:
    """Answer the help at once; queue a command, a button or an event on the app's
    work pool, or say there is no room; tell the caller to run a form submission now
    unless the pool is full."""
    body = bolt_request.body
    if answers_in_ack(body):
        return "answer"
    work = work_pool_of(bolt_app)
    if acks_first(body):
        run = lambda: answer_after_ack(body, bolt_app.dispatch(bolt_request))  # noqa: E731
        # An event may start late (no trigger to expire); a person's request may not.
        too_late = run if is_event(body) else lambda: tell_busy(bolt_app.client, body)
        if work.admit(run, too_late=too_late, who=person_of(body)):
            return "queued"
        if is_button(body):
            work.notice(tell_busy, bolt_app.client, body)
        return "busy"
    if body.get("type") == "view_submission" and work.full:
        return "busy"
    return "dispatch"


def answers_in_ack(body: dict[str, Any]) -> bool:
    """A `/mentor` whose whole answer is the help: Slack shows a slash command's ack
    body to the person, so it needs no work thread and is never told "busy"."""
    return body.get("command") == "/mentor" and asks_for_help(body.get("text"))


def start_answer(bolt_app: App, bolt_request: BoltRequest) -> Future[BoltResponse]:
    """The answer to a request routed "answer", for `answer_in_time` to wait for.
    `help_without_bolt` at once for someone the roster knows as they are (nothing
    else to do for them: bot/listeners/regulars.py), or when too many answers wait
    already; for anyone else Bolt's answer, their first contact with it, run on the
    pool's answer threads (its listener with it): a full pool holds it up no more
    than it holds up an ack."""
    asker = bolt_request.context
    answering = None
    if not regulars_of(bolt_app).knows(asker.team_id, asker.user_id):
        answering = work_pool_of(bolt_app).answer(lambda: bolt_app.dispatch(bolt_request))
    if answering is None:
        answering = Future()
        answering.set_result(help_without_bolt(bolt_request.body))
    return answering


def answer_in_time(
    answering: Future[BoltResponse], body: dict[str, Any], within_s: float = ANSWER_WITHIN_S
) -> BoltResponse:
    """The ack of a request routed "answer" (`start_answer`'s future): Bolt's answer if
    it comes within `within_s`, else `help_without_bolt` (Slack gives up at 3 s). The
    future is not cancelled: the person's first contact still completes after. Blocks
    the caller (a Socket Mode connection's thread); the event loop awaits
    `answer_in_time_async`."""
    try:
        return answering.result(timeout=within_s)
    except TimeoutError:
        return help_without_bolt(body)


async def answer_in_time_async(
    answering: Future[BoltResponse], body: dict[str, Any]
) -> BoltResponse:
    """`answer_in_time` without holding the event loop (HTTP, bot/web.py) or a thread
    while it waits."""
    if not answering.done():  # an answer made at once needs no trip round the loop
        await asyncio.wait((asyncio.wrap_future(answering),), timeout=ANSWER_WITHIN_S)
    return answer_in_time(answering, body, within_s=0)


def help_without_bolt(body: dict[str, Any]) -> BoltResponse:
    """The help, which is the same for everyone, as Bolt's ack would carry it: for
    someone with nothing else to do (`start_answer`), or for a request whose Bolt
    answer is late (the database held its first contact, a statement held for
    seconds): that first contact completes after (or, for a request that found every
    answer thread's queue full, on the person's next request)."""
    name, _ = requested(body.get("text"))
    return BoltResponse(status=200, body=help_json(name, len(SUBCOMMANDS)))


@lru_cache(maxsize=32)
def help_json(name: str, registered: int) -> str:
    """`help_reply` as the ack's JSON, encoded once per name (mostly `help` and none)
    rather than per request; keyed by how many sub-commands there are, as the list is."""
    del registered  # only the cache's key
    return json.dumps(help_reply(name))


def work_pool_of(bolt_app: App) -> WorkPool:
    """The pool Bolt runs listeners on (create_app gives it one)."""
    pool = bolt_app.listener_runner.listener_executor
    if not isinstance(pool, WorkPool):
        raise TypeError("the Bolt app was not made by bot.app.create_app")
    return pool


def regulars_of(bolt_app: App) -> Regulars:
    """Who is answered the help at once (create_app gives the app its memo)."""
    regulars = getattr(bolt_app, "regulars", None)
    if not isinstance(regulars, Regulars):
        raise TypeError("the Bolt app was not made by bot.app.create_app")
    return regulars


def acks_first(body: dict[str, Any]) -> bool:
    """True for a request whose HTTP answer carries nothing: a slash command, a button,
    a shortcut, an event. Those are answered 200 as soon as they are queued and the
    work runs after; a form submission's answer is its outcome, so it waits for it."""
    return bool(body.get("command")) or is_event(body) or is_button(body)


def is_event(body: dict[str, Any]) -> bool:
    return body.get("type") == "event_callback"


def is_button(body: dict[str, Any]) -> bool:
    """A button, a select or a shortcut: there is a person to answer, not in the ack."""
    return body.get("type") in ACK_FIRST_PAYLOADS


def person_of(body: dict[str, Any]) -> str:
    """The Slack id of who typed the command or pressed the button ("" for events,
    which nobody can be told about)."""
    if body.get("command"):
        return str(body.get("user_id") or "")
    user = body.get("user")
    return str(user.get("id") or "") if is_button(body) and isinstance(user, dict) else ""


def busy_reply(body: dict[str, Any]) -> tuple[int, bytes]:
    """The HTTP answer (status, JSON body) to a request the pool has no room for."""
    if body.get("command"):  # shown to the person as an ephemeral message
        return 200, json.dumps({"response_type": "ephemeral", "text": BUSY}).encode()
    if body.get("type") == "view_submission":  # on the form, which stays open
        errors = modal_errors(body.get("view") or {}, {"_": BUSY})
        return 200, json.dumps({"response_action": "errors", "errors": errors}).encode()
    if is_event(body):
        # Anything but 2xx and Slack delivers the event again, after a minute and
        # after five: nothing is lost.
        log.warning("busy: event %s left for Slack to retry", body.get("event_id"))
        return 503, json.dumps({"error": "busy"}).encode()
    return 200, b""  # a button: the notice follows (`tell_busy`)


def tell_busy(client: WebClient, body: dict[str, Any]) -> None:
    """Tell the person behind a request that could not be worked on in time that
    MentorBot is busy: under their command, or wherever their button was."""
    if body.get("command"):
        say_under_command(body, {"response_type": "ephemeral", "text": BUSY})
    elif is_button(body):
        answer(body, client, BUSY)


def answer_after_ack(body: dict[str, Any], response: BoltResponse) -> None:
    """What Bolt answered a slash command that was acknowledged before its work (an
    error's "nothing was saved"), posted under the command instead of in the ack."""
    if not body.get("command") or not response.body:
        return
    try:
        message = json.loads(response.body)
    except ValueError:
        return
    if isinstance(message, dict) and (message.get("text") or message.get("blocks")):
        say_under_command(body, message)


def say_under_command(body: dict[str, Any], message: dict[str, Any]) -> None:
    """Post `message` to the command's response_url (logged when Slack refuses)."""
    url = body.get("response_url")
    if not url:
        return
    try:
        post_to_response_url(url, {"replace_original": False, **message})
    except Exception:
        log.warning("could not answer under a command", exc_info=True)
