"""The last line of defence: anything no listener caught is logged, never a 500, and
the person who typed a command or submitted a form is still answered."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import App, BoltResponse

from bot.listeners.guard import modal_errors, sorry_text, twin_delivery

log = logging.getLogger(__name__)


def register(app: App) -> None:
    app.error(on_unhandled_error)


def on_unhandled_error(
    error: Exception, body: dict[str, Any], logger: logging.Logger, response: BoltResponse | None
) -> Any:
    # Bolt passes no response once the listener has acknowledged: Slack has its answer,
    # and a second one handed back here would be refused (an assertion in Bolt).
    answered = response is None
    if twin_delivery(error):
        # A listener outside the shared helpers met a twin delivery: nothing to report.
        logger.info("a second delivery changed nothing (%s)", error)
        return None if answered else BoltResponse(status=200, body="")
    logger.error(
        "unhandled error for a %s request", body.get("type", "slash command"), exc_info=error
    )
    if answered:
        return None
    # A 200 keeps Slack from showing a generic failure or retrying the request; a slash
    # command or a form gets the same "nothing was saved" it would get from a listener.
    view = body.get("view")
    if body.get("type") == "view_submission" and isinstance(view, dict):
        answer = {
            "response_action": "errors",
            "errors": modal_errors(view, {"_": sorry_text(error)}),
        }
    elif "command" in body:
        answer = {"response_type": "ephemeral", "text": sorry_text(error)}
    else:
        return BoltResponse(status=200, body="")
    return BoltResponse(
        status=200, body=json.dumps(answer), headers={"content-type": "application/json"}
    )
