"""Posting to Slack exactly once: the outbox's delivery worker, and the post step it
shares with the reminder sweep.

Every post carries its key in Slack's message metadata (`OUTBOX_EVENT`). A post whose
outcome is unknown — its sender died after posting and before recording, or Slack
timed out or answered 5xx — is "in doubt": before posting it again, the conversation's
recent history (`conversations.history`, scope `im:history`) is searched for that key,
and a message found there is recorded as sent instead of being posted twice.

`deliver` is run right after a change commits (so the happy path is instant), every
few seconds by the scheduler in `mentorbot serve` / `mentorbot scheduler`, and by
every reminder sweep. Each message is claimed alone under a one-minute lease, so a
crashed worker's message is taken over within a minute."""

from __future__ import annotations

import copy
import logging
import urllib.error
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot import slack_health
from bot.runtime import Runtime
from bot.services import outbox
from bot.services.ledger import Outcome
from bot.slack_client import TOKEN_REFUSED

log = logging.getLogger(__name__)

#: The metadata event type of every message MentorBot posts through this module.
OUTBOX_EVENT = "mentorbot_outbox"
#: Messages per conversations.history page when looking for an in-doubt post.
HISTORY_PAGE = 200
#: Slack's clock and ours may differ: the history is searched from this much earlier.
CLOCK_SKEW = timedelta(minutes=10)
#: Slack errors that mean the person is gone for good. (`account_inactive` is about
#: our token, not them: see TOKEN_REFUSED.)
RECIPIENT_GONE = frozenset({"user_not_found"})
#: Slack errors that mean "try again later".
TRANSIENT_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)


@dataclass(frozen=True)
class Posted:
    channel: str
    ts: str


def post_once(
    client: WebClient,
    *,
    channel: str,
    text: str,
    blocks: list[dict[str, Any]] | None,
    key: str,
    in_doubt: bool,
    since: datetime,
) -> Posted:
    """Post a message carrying `key` in its metadata to `channel` (a user id: their
    DM). When an earlier post of it may have reached Slack (`in_doubt`), look for it in
    the conversation since `since` first and return that one instead. Raises what the
    Slack client raises (`outcome_of` classifies it)."""
    if in_doubt:
        found = find_posted(client, channel, key, since)
        if found is not None:
            log.info("message %s was already in Slack; not posted again", key)
            return found
    response = client.chat_postMessage(
        channel=channel,
        text=text,
        blocks=blocks,
        metadata={"event_type": OUTBOX_EVENT, "event_payload": {"key": key}},
    )
    return Posted(str(response["channel"]), str(response["ts"]))


def find_posted(client: WebClient, channel: str, key: str, since: datetime) -> Posted | None:
    """The message carrying `key` in `channel` posted since `since`, if Slack has it."""
    conversation = channel
    if channel.startswith(("U", "W")):  # a person: history needs their DM's id
        conversation = str(client.conversations_open(users=channel)["channel"]["id"])
    oldest = f"{(since - CLOCK_SKEW).timestamp():.6f}"
    cursor: str | None = None
    while True:
        page = client.conversations_history(
            channel=conversation,
            oldest=oldest,
            limit=HISTORY_PAGE,
            include_all_metadata=True,
            cursor=cursor,
        )
        for message in page.get("messages") or []:
            metadata = message.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if metadata.get("event_type") == OUTBOX_EVENT and payload.get("key") == key:
                return Posted(conversation, str(message["ts"]))
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if not page.get("has_more") or cursor is None:
            return None


def outcome_of(exc: BaseException) -> Outcome:
    """Classify a failed send: retry later, the person is gone, or Slack refused it.
    A 5xx or a lost connection may have posted it (`maybe_posted`); a 429 did not."""
    if isinstance(exc, SlackApiError):
        response = exc.response
        error = str(response.get("error") or "") if response is not None else ""
        status = response.status_code if response is not None else 0
        if error in TOKEN_REFUSED:
            return Outcome("refused", error)
        if error in RECIPIENT_GONE:
            return Outcome("gone", error)
        if status == 429 or status >= 500 or error in TRANSIENT_ERRORS:
            maybe_posted = status != 429 and error != "ratelimited"
            return Outcome("retry", error or f"HTTP {status}", _retry_after(response), maybe_posted)
        return Outcome("rejected", error or f"HTTP {status}")
    if isinstance(exc, urllib.error.URLError | TimeoutError | ConnectionError):
        return Outcome("retry", f"network: {exc}", maybe_posted=True)
    return Outcome("rejected", f"{type(exc).__name__}: {exc}")


def _retry_after(response: object) -> float | None:
    headers = getattr(response, "headers", None) or {}
    for name, value in dict(headers).items():
        if str(name).lower() == "retry-after":
            try:
                return float(value[0] if isinstance(value, list) else value)
            except (TypeError, ValueError):
                return None
    return None


#: The longest Retry-After a sender sleeps out itself (twice at most): Slack's pace of
#: about a message a second per conversation asks for a second or two; a longer wait
#: would outlast the one-minute lease, so the message goes back to the outbox instead.
LONGEST_WAIT_S = 5


class ShortRateLimitRetry(RateLimitErrorRetryHandler):
    """Waits out a 429 only when Slack asks for at most LONGEST_WAIT_S seconds."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        wait = _retry_after(response)
        return wait is None or wait <= LONGEST_WAIT_S


def without_waiting(client: WebClient) -> WebClient:
    """The same client, but it sleeps out only a short Retry-After (`ShortRateLimitRetry`):
    a sender holding a one-minute lease schedules a longer one itself."""
    quick = copy.copy(client)
    quick.retry_handlers = [
        ShortRateLimitRetry(max_retry_count=handler.max_retry_count)
        if isinstance(handler, RateLimitErrorRetryHandler)
        else handler
        for handler in client.retry_handlers
    ]
    return quick


# -- the outbox's worker -----------------------------------------------------------------------


@dataclass
class DeliveryReport:
    """What one run of the worker did with the messages it looked at."""

    sent: list[uuid.UUID] = field(default_factory=list)
    #: Not sent yet (Slack busy, down, or our token refused): a later run retries.
    waiting: list[uuid.UUID] = field(default_factory=list)
    dead: list[uuid.UUID] = field(default_factory=list)
    #: Slack's error when it refused our token and the run stopped there.
    stopped: str | None = None

    def summary(self) -> str:
        return f"{len(self.sent)} queued messages sent, {len(self.waiting)} waiting for Slack" + (
            f", {len(self.dead)} dropped" if self.dead else ""
        )


def deliver(
    runtime: Runtime,
    client: WebClient,
    *,
    only: Sequence[uuid.UUID] | None = None,
    limit: int = 500,
) -> DeliveryReport:
    """Post what the outbox holds that is due (or only the messages `only`, right after
    the change that enqueued them committed), each once. Never raises for a message's
    trouble: it is recorded and retried later."""
    report = DeliveryReport()
    if only is not None and not only:
        return report
    sender = without_waiting(client)
    with runtime.db() as db:
        ids = outbox.due_ids(db, now=runtime.now(), only=only, limit=limit)
        if only is not None:  # the others are settled, or another worker holds them
            _sort(report, outbox.statuses(db, [i for i in only if i not in ids]))
    for index, message_id in enumerate(ids):
        with runtime.db() as db:
            claimed = outbox.claim(db, message_id, now=runtime.now())
            if claimed is None and only is not None:  # another worker was faster
                _sort(report, outbox.statuses(db, [message_id]))
        if claimed is None:
            continue
        status, error = _send(runtime, sender, claimed)
        if status == "refused":
            report.stopped = error or "invalid_auth"
            slack_health.token_refused(runtime, client, report.stopped)
            report.waiting.extend(ids[index:])
            break
        _sort(report, {message_id: status})
    return report


def _sort(report: DeliveryReport, statuses: dict[uuid.UUID, str]) -> None:
    for message_id, status in statuses.items():
        {"sent": report.sent, "dead": report.dead}.get(status, report.waiting).append(message_id)


def _send(runtime: Runtime, client: WebClient, claimed: outbox.Claimed) -> tuple[str, str | None]:
    """Post one claimed message and record how it went: (sent | pending | dead |
    refused, Slack's error)."""
    try:
        posted = post_once(
            client,
            channel=claimed.channel,
            text=claimed.text,
            blocks=claimed.blocks,
            key=f"outbox:{claimed.id}",
            in_doubt=claimed.in_doubt,
            since=claimed.created_at,
        )
    except Exception as exc:
        outcome = outcome_of(exc)
        return _record_failure(runtime, claimed, outcome), outcome.error
    with runtime.db() as db:
        outbox.record_sent(db, claimed, channel=posted.channel, ts=posted.ts, now=runtime.now())
    return "sent", None


def _record_failure(runtime: Runtime, claimed: outbox.Claimed, outcome: Outcome) -> str:
    now = runtime.now()
    with runtime.db() as db:
        if outcome.status == "refused":
            outbox.give_back(db, claimed, now=now, error=outcome.error or "refused")
            return "refused"
        if outcome.status == "gone":
            outbox.record_dead(db, claimed, error=outcome.error or "gone")
            return "dead"
        status = outbox.record_failure(
            db,
            claimed,
            error=outcome.error or "failed",
            now=now,
            retry=outcome.status == "retry",
            # Still in doubt if it was and we could not look (the history lookup failed).
            maybe_posted=outcome.maybe_posted or claimed.in_doubt,
            retry_after=outcome.retry_after,
        )
    log.warning("message %s to %s: %s (%s)", claimed.id, claimed.channel, status, outcome.error)
    return status
