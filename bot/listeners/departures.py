"""People who leave the workspace, found the way Slack reports them: the
`user_change` event and `users.info` saying `deleted: true`, or `user_not_found`.
Never by a DM failing: Slack still delivers DMs to a deactivated account."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import slack_health
from bot.blocks import assignments as blocks
from bot.listeners.actor import lookup_profile
from bot.listeners.assignments import queue_next_suggestion
from bot.listeners.messaging import Queued, deliver_queued, enqueue_dm
from bot.runtime import Runtime
from bot.services import departures, roster
from bot.slack_client import TOKEN_REFUSED

log = logging.getLogger(__name__)

#: How long a `users.info` confirmation of a person holds before the sweep asks again.
RECHECK_EVERY = timedelta(days=1)
#: The most people one sweep checks (`users.info` is Tier 4, about 100 a minute); the
#: rest are checked by the next sweeps.
CHECKS_PER_SWEEP = 50


def register(app: App) -> None:
    app.event("user_change")(on_user_change)


def on_user_change(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """Someone's Slack account changed: deactivated (they left), or a new name or
    timezone, which the roster takes over (an account shown active again is active
    again here too). People outside the roster are ignored."""
    runtime: Runtime = context["runtime"]
    user = event.get("user")
    if not isinstance(user, dict) or not user.get("id"):
        return
    slack_user_id = str(user["id"])
    if user.get("deleted"):
        handle_departure(client, runtime, slack_user_id, reason="user_change")
        return
    with runtime.db() as db:
        roster.refresh_from_slack(db, slack_user_id, user, now=runtime.now())


def handle_departure(
    client: WebClient,
    runtime: Runtime,
    slack_user_id: str,
    *,
    reason: str,
    now: datetime | None = None,
) -> bool:
    """Slack says this person left (`reason`: how). Record it once, then tell each
    person it concerns, once: for every mentee who lost their mentor, the manager (else
    the program admins) gets the next-best mentor with an Assign button, and the mentee
    hears that the mentorship ended; for every request or mentorship of a mentee who
    left, the mentor and whoever asked are told. True when this call recorded it."""
    now = now or runtime.now()
    queued: list[Queued] = []
    with runtime.db() as db:
        departure = departures.record(db, slack_user_id=slack_user_id, reason=reason, now=now)
        if departure is None:
            return False
        # Everyone it concerns is told in the transaction that records it.
        for ended in departure.as_mentor:
            queued += queue_next_suggestion(db, runtime, ended.assignment.id, now=now) or []
            if ended.was_active:
                text, notice = blocks.mentor_left_notice(ended.assignment)
                queued.append(
                    enqueue_dm(
                        db,
                        ended.assignment.mentee.slack_user_id,
                        text,
                        notice,
                        purpose="mentor_left",
                        now=now,
                    )
                )
        for ended in departure.as_mentee:
            a = ended.assignment
            text, notice = blocks.left_notice(a)
            told = dict.fromkeys([a.mentor.slack_user_id, *(p.slack_user_id for p in a.to_tell)])
            queued += [
                enqueue_dm(db, recipient, text, notice, purpose="mentee_left", now=now)
                for recipient in told
                if recipient != slack_user_id
            ]
    log.info("%s left the workspace (%s)", slack_user_id, reason)
    deliver_queued(client, runtime, queued)
    return True


def check_accounts(
    runtime: Runtime, client: WebClient, user_ids: Iterable[uuid.UUID], *, now: datetime
) -> tuple[list[str], str | None]:
    """`users.info` for these people (the reminder sweep's recipients) whose account was
    not confirmed within RECHECK_EVERY, at most CHECKS_PER_SWEEP of them. Returns the
    Slack ids of those who left (each handled once), and Slack's error if it refused
    our token (then the check stops there and nobody more is looked at)."""
    with runtime.db() as db:
        to_check = roster.due_for_check(
            db, user_ids, checked_before=now - RECHECK_EVERY, limit=CHECKS_PER_SWEEP
        )
    departed: list[str] = []
    confirmed: list[str] = []
    refused: str | None = None
    for slack_user_id in to_check:
        try:
            profile = lookup_profile(client, slack_user_id)
        except SlackApiError as exc:
            error = str(exc.response.get("error") or "")
            if error in TOKEN_REFUSED:
                slack_health.token_refused(runtime, client, error)
                refused = error
                break
            log.warning("users.info for %s failed (%s); checked later", slack_user_id, error)
            continue
        except Exception:
            log.warning("users.info for %s failed; checked later", slack_user_id, exc_info=True)
            continue
        if profile.get("deleted"):
            handle_departure(client, runtime, slack_user_id, reason="users.info", now=now)
            departed.append(slack_user_id)
        else:
            confirmed.append(slack_user_id)
    with runtime.db() as db:
        roster.mark_checked(db, confirmed, now=now)
    return departed, refused
