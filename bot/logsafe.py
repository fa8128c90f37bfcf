"""Keep secrets out of the logs a library writes.

slack_sdk's webhook client logs, at DEBUG (and on a retry at INFO), the URL of every
post it makes. Those are response_urls and incoming-webhook URLs: whoever reads the log
can post through them (a response_url for 30 minutes). The URLs are cut out of its
records before any handler sees them; the rest of each line stays for debugging."""

from __future__ import annotations

import logging
import re

_URL = re.compile(r"https?://\S+")
WEBHOOK_LOGGER = "slack_sdk.webhook.client"


class HideWebhookUrls(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if _URL.search(message):
            record.msg = _URL.sub("<webhook url, not logged>", message)
            record.args = None
        return True


def hide_webhook_urls() -> None:
    """Install the filter on slack_sdk's webhook logger, once per process."""
    logger = logging.getLogger(WEBHOOK_LOGGER)
    if not any(isinstance(f, HideWebhookUrls) for f in logger.filters):
        logger.addFilter(HideWebhookUrls())
