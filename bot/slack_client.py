"""The Slack Web API client every part of MentorBot uses."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.config import Settings


def make_client(settings: Settings, *, rate_limit_retries: int = 2) -> WebClient:
    """A WebClient on `SLACK_API_URL` that waits out a 429 (honouring Retry-After)
    (slack_sdk already retries a dropped connection once), so a busy Slack delays a
    message instead of losing it."""
    client = WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url, timeout=10)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=rate_limit_retries))
    return client
