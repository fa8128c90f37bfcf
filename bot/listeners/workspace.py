"""Requests from a workspace this install doesn't serve: answered 200 and dropped.

MentorBot runs on one workspace's bot token. Slack can still deliver a request from
another one (the app installed there too, or a shared channel), and acting on it would
put strangers in the roster and call the Web API about people the token can't see."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext, BoltResponse

log = logging.getLogger(__name__)


def only_our_workspace(context: BoltContext, next: Callable[[], Any]) -> Any:
    """Bolt middleware: let through requests from the token's own workspace only."""
    result = context.authorize_result
    ours = result.team_id if result is not None else None
    if ours and context.team_id and context.team_id != ours:
        log.info(
            "ignored a request from workspace %s: this install serves %s", context.team_id, ours
        )
        return BoltResponse(status=200, body="")
    return next()
