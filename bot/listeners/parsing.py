"""Pure parsing of what people type after `/mentor`."""

from __future__ import annotations

import re

MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


def parse_subcommand(text: str | None) -> tuple[str, str]:
    """Split `"match <@U1> focus: QBRs"` into `("match", "<@U1> focus: QBRs")`.
    The sub-command is case-insensitive; the rest is kept as typed."""
    stripped = (text or "").strip()
    if not stripped:
        return "", ""
    head, _, rest = stripped.partition(" ")
    return head.lower(), rest.strip()


def mentioned_user_ids(text: str) -> list[str]:
    """Slack user ids mentioned as `<@U123>` or `<@U123|name>`, in order."""
    return MENTION.findall(text or "")
