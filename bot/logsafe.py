"""Keep secrets out of the logs a library writes.

slack_sdk's webhook client logs, at DEBUG (and on a retry at INFO), the URL of every
post it makes, and urllib3, which sends it (bot/slack_http.py), logs its path at DEBUG.
Those are response_urls and incoming-webhook URLs: whoever reads the log can post
through them (a response_url for 30 minutes). The URLs, and every request path but the
Web API's (`/api/<method>`), are cut out of those records before any handler sees
them; the rest of each line stays for debugging."""

from __future__ import annotations

import logging
import re

_URL = re.compile(r"https?://\S+")
#: urllib3's request line: `"POST /actions/T0/123/abc HTTP/1.1"`.
_PATH = re.compile(r'"([A-Z]+) (?!/api/)/\S*')
WEBHOOK_LOGGER = "slack_sdk.webhook.client"
CONNECTION_LOGGER = "urllib3.connectionpool"


class HideWebhookUrls(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        hidden = _PATH.sub(
            r'"\1 <path, not logged>', _URL.sub("<webhook url, not logged>", message)
        )
        if hidden != message:
            record.msg = hidden
            record.args = None
        return True


def hide_webhook_urls() -> None:
    """Install the filter on the loggers that see webhook URLs, once per process."""
    for name in (WEBHOOK_LOGGER, CONNECTION_LOGGER):
        logger = logging.getLogger(name)
        if not any(isinstance(f, HideWebhookUrls) for f in logger.filters):
            logger.addFilter(HideWebhookUrls())
