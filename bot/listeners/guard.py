"""Turn domain errors and surprises into messages people can act on.

Nothing here lets an exception reach Slack as a 500 or a silent failure: a
DomainError is shown as it is; anything else is logged with a reference and the
person is told that nothing was saved (every service call is one transaction)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.blocks import kit
from bot.listeners.parsing import submitted_errors
from bot.services.errors import DomainError, InvalidInput, NotFound
from bot.services.idempotency import AlreadyHandled

log = logging.getLogger(__name__)

SORRY = (
    "Something went wrong on our side and nothing was saved. "
    "Please try again in a minute; if it keeps happening, tell your program lead (ref {ref})."
)
#: For a failure after the change was saved and its form answered (`support.acked_form`).
#: Not for an App Home that failed to refresh: that is only logged (`home.publish_home`).
SORRY_AFTER_SAVE = (
    "Your change is saved, but something went wrong on our side just after (ref {ref}): "
    "the people it concerns may hear of it late. "
    "If it keeps happening, tell your program lead."
)


def sorry_text(exc: BaseException, sorry: str = SORRY) -> str:
    """Log an unexpected error and return the message to show, with a reference."""
    ref = uuid.uuid4().hex[:8]
    log.error("unexpected error (ref %s)", ref, exc_info=exc)
    return sorry.format(ref=ref)


def twin_delivery(exc: BaseException) -> bool:
    """Whether `exc` says another delivery of this request has already done its work:
    its change is saved (AlreadyHandled), or it opened the modal (a trigger is used
    once, and a redelivered request carries the same one)."""
    if isinstance(exc, AlreadyHandled):
        return True
    return isinstance(exc, SlackApiError) and exc.response.get("error") == "exchanged_trigger_id"


def note_if_gone(exc: DomainError) -> None:
    """One log line when a click or a form points at something the bot no longer has
    (a stale message, a modal left open while the request was deleted)."""
    if isinstance(exc, NotFound):
        log.info("refused a request for something gone: %s", exc)


def run_reporting(say: Callable[[str], Any], work: Callable[[], Any]) -> Any:
    """Run `work`; on failure tell the person through `say` instead of raising."""
    try:
        return work()
    except DomainError as exc:
        note_if_gone(exc)
        say(str(exc))
    except Exception as exc:
        tell_sorry(say, exc)
    return None


def tell_sorry(say: Callable[[str], Any], exc: Exception, sorry: str = SORRY) -> None:
    """Log the unexpected `exc` and tell the person through `say` (`sorry`, with the
    log's reference); nothing for a twin delivery, whose first has answered."""
    if twin_delivery(exc):
        return  # another delivery of this request has answered: once is enough
    try:
        say(sorry_text(exc, sorry))
    except Exception:  # Slack itself may be the thing that is failing
        log.exception("could not report an error to the user")


def modal_errors(view: dict[str, Any], errors: dict[str, str]) -> dict[str, str]:
    """Map service field names to the view's input block ids. A field with no
    block of its own is shown on the first input, so no message is ever lost."""
    blocks = view.get("blocks") if isinstance(view.get("blocks"), list) else []
    input_ids = [
        str(b.get("block_id"))
        for b in blocks
        if isinstance(b, dict) and b.get("type") == "input" and b.get("block_id")
    ]
    shown: dict[str, str] = {}
    for field, message in errors.items():
        block_id = field if field in input_ids else (input_ids[0] if input_ids else field)
        shown[block_id] = (shown[block_id] + " " + message) if block_id in shown else message
    return shown


def submit_view(ack: Callable[..., Any], view: dict[str, Any], work: Callable[[], Any]) -> Any:
    """Run a view submission's `work` before acknowledging, so bad input comes
    back as `response_action: errors` on the fields and the modal stays open. Values
    the form's own inputs rule out (parsing.submitted_errors) never reach `work`."""
    refused = submitted_errors(view)
    if refused:
        ack(response_action="errors", errors=modal_errors(view, refused))
        return None
    try:
        result = work()
    except InvalidInput as exc:
        ack(response_action="errors", errors=modal_errors(view, exc.errors))
        return None
    except DomainError as exc:
        note_if_gone(exc)
        ack(response_action="errors", errors=modal_errors(view, {"_": str(exc)}))
        return None
    except Exception as exc:
        if twin_delivery(exc):
            ack()  # another delivery of this submission has answered
            return None
        ack(response_action="errors", errors=modal_errors(view, {"_": sorry_text(exc)}))
        return None
    ack()
    return result


def notice_view(title: str, text: str) -> dict[str, Any]:
    """A read-only modal with one message (for errors after the modal is gone)."""
    return kit.modal(title, [kit.section(text)], callback_id="notice", submit=None, close="Close")
