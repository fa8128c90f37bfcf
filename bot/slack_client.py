"""The Slack Web API client every part of MentorBot uses, and the one way it posts
to a response_url; both send on the connections bot/slack_http.py keeps open."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol
from urllib.request import Request

from slack_bolt import BoltContext, Respond
from slack_bolt.context.respond.internals import _build_message
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.web import SlackResponse
from slack_sdk.webhook import WebhookClient, WebhookResponse

from bot import slack_http
from bot.config import Settings

#: Seconds a Web API call or a response_url post may take (each connect and read).
TIMEOUT_S = 10

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

    # slack_sdk's sync clients have no seam for their HTTP transport: each request goes
    # out through this private method (retries, 429s and errors are handled around
    # it), which opens a urllib connection per call. It is overridden to send on kept
    # connections instead; pyproject pins slack-sdk to the versions checked to have it.
    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        status, headers, body = slack_http.send(
            req, timeout=self.timeout, ssl=self.ssl, proxy=self.proxy
        )
        if headers.get_content_type() == "application/gzip":  # admin.analytics.getFile
            return {"status": status, "headers": headers, "body": body}
        charset = headers.get_content_charset() or "utf-8"
        return {"status": status, "headers": headers, "body": body.decode(charset)}


def make_client(settings: Settings, *, rate_limit_retries: int = 2) -> WatchedClient:
    """A WebClient on `SLACK_API_URL` that waits out a 429 (honouring Retry-After)
    (slack_sdk already retries a dropped connection once), so a busy Slack delays a
    message instead of losing it."""
    client = WatchedClient(
        token=settings.slack_bot_token, base_url=settings.slack_api_url, timeout=TIMEOUT_S
    )
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=rate_limit_retries))
    return client


class ResponseUrlClient(WebhookClient):
    """slack_sdk's client for response_urls (its retry of a dropped connection, its
    errors), sending on kept connections: see `WatchedClient`'s override for why a
    private method (pinned in pyproject)."""

    def _perform_http_request_internal(self, url: str, req: Request) -> WebhookResponse:
        status, headers, body = slack_http.send(
            req, timeout=self.timeout, ssl=self.ssl, proxy=self.proxy
        )
        charset = headers.get_content_charset() or "utf-8"
        return WebhookResponse(
            url=url,
            status_code=status,
            body=body.decode(charset),
            headers=headers,  # type: ignore[arg-type]  # as slack_sdk passes them
        )


def post_to_response_url(url: str, message: dict[str, Any]) -> WebhookResponse:
    """Post `message` to a response_url; Slack's refusal is the answer's status and
    body (404 `used_url` / `expired_url`, 400 for a message it won't show), a lost
    connection raises."""
    return ResponseUrlClient(url, timeout=TIMEOUT_S).send_dict(message)


class KeptRespond(Respond):
    """Bolt's `respond` listener argument, posting with `post_to_response_url` (Bolt's
    own opens a new connection per post); `kept_respond` hands it to every listener."""

    def __call__(self, text: str | dict[str, Any] = "", **fields: Any) -> WebhookResponse:  # type: ignore[override]
        if self.response_url is None:
            raise ValueError("respond is unsupported here as there is no response_url")
        # Bolt's own message building, so `respond` takes exactly what Bolt's takes.
        message = (
            _build_message(**text) if isinstance(text, dict) else _build_message(text, **fields)
        )
        return post_to_response_url(self.response_url, message)


def kept_respond(context: BoltContext, next: Callable[[], Any]) -> Any:
    """Bolt middleware: every listener's `respond` is a `KeptRespond`."""
    context["respond"] = KeptRespond(response_url=context.response_url)
    return next()
