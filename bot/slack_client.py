"""The Slack Web API client every part of MentorBot uses."""

from __future__ import annotations

from typing import Any, Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.web import SlackResponse

from bot.config import Settings

#: Slack errors that mean OUR token is dead (revoked, app uninstalled, workspace or
#: bot user deactivated), not that anything is wrong with the person we wrote to.
TOKEN_REFUSED = frozenset({"account_inactive", "invalid_auth", "token_revoked", "not_authed"})


class TokenObserver(Protocol):
    """Told how each Web API call went for our token (see bot/slack_health.py)."""

    def refused(self, error: str) -> None: ...

    def accepted(self) -> None: ...


class WatchedClient(WebClient):
    """A WebClient that tells its `token_observer` whether Slack took our token, so a
    revoked token is noticed by whatever call meets it first, and a call that
    succeeds again ends the outage."""

    token_observer: TokenObserver | None = None

    def api_call(self, api_method: str, **kwargs: Any) -> SlackResponse:  # type: ignore[override]
        try:
            response = super().api_call(api_method, **kwargs)
        except SlackApiError as exc:
            error = str(exc.response.get("error") or "") if exc.response is not None else ""
            if self.token_observer is not None and error in TOKEN_REFUSED:
                self.token_observer.refused(error)
            raise
        if self.token_observer is not None:
            self.token_observer.accepted()
        return response  # type: ignore[no-any-return]


def make_client(settings: Settings, *, rate_limit_retries: int = 2) -> WatchedClient:
    """A WebClient on `SLACK_API_URL` that waits out a 429 (honouring Retry-After)
    (slack_sdk already retries a dropped connection once), so a busy Slack delays a
    message instead of losing it."""
    client = WatchedClient(
        token=settings.slack_bot_token, base_url=settings.slack_api_url, timeout=10
    )
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=rate_limit_retries))
    return client
