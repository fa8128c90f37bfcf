"""Every view submission, button press and event handled once, however often Slack
delivers it: the one place that binds a request to its delivery key (the database
enforces it: bot/services/idempotency.py)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import BoltContext, BoltResponse

from bot.runtime import Runtime
from bot.services import idempotency

log = logging.getLogger(__name__)


def handle_once(context: BoltContext, body: dict[str, Any], next: Any) -> Any:
    """Bolt middleware (after the actor's): a delivery whose change is already saved
    is acknowledged quietly (an empty 200, as the first was); any other gets a runtime
    whose first writing transaction records its key. Slack's own retries of an event
    (`X-Slack-Retry-Num`) are the same delivery by their event id."""
    key = idempotency.delivery_key(body)
    runtime: Runtime = context["runtime"]
    if key is None:
        return next()
    # A read: the key is written by the request's first change, in its transaction.
    with runtime.reading_on_the_way() as db:
        done = idempotency.handled(db, key)
    if done:
        log.info("a delivery already handled came again (%s); acknowledged quietly", key)
        return BoltResponse(status=200, body="")
    context["runtime"] = runtime.for_delivery(key)
    return next()
