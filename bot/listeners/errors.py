"""The last line of defence: anything no listener caught is logged, never a 500."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltResponse

from bot.listeners.guard import twin_delivery

log = logging.getLogger(__name__)


def register(app: App) -> None:
    app.error(on_unhandled_error)


def on_unhandled_error(error: Exception, body: dict[str, Any], logger: logging.Logger) -> Any:
    if twin_delivery(error):
        # A listener outside the shared helpers met a twin delivery: nothing to report.
        logger.info("a second delivery changed nothing (%s)", error)
        return BoltResponse(status=200, body="")
    logger.error(
        "unhandled error for a %s request", body.get("type", "slash command"), exc_info=error
    )
    # An empty 200 keeps Slack from showing a generic failure or retrying the request.
    return BoltResponse(status=200, body="")
