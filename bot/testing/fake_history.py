"""A conversation's history in the fake Slack: `conversations.history` as Slack
answers it (newest first, `oldest`/`latest`/`inclusive`, `limit` and cursor paging,
message metadata only with `include_all_metadata`), and the metadata a post carries."""

from __future__ import annotations

import base64
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.testing.fake_chat import Message
    from bot.testing.fake_slack import Channel

#: Slack's default page size and its maximum.
DEFAULT_LIMIT = 100
MAX_LIMIT = 999


def metadata_error(metadata: Any) -> str | None:
    """Why Slack refuses a post's `metadata`, or None: an object with a string
    `event_type` and an object `event_payload`."""
    if metadata in (None, ""):
        return None
    if (
        not isinstance(metadata, dict)
        or not isinstance(metadata.get("event_type"), str)
        or not metadata["event_type"]
        or not isinstance(metadata.get("event_payload"), dict)
    ):
        return "invalid_metadata_format"
    return None


def _flag(value: Any) -> bool:
    return str(value).lower() in ("1", "true")


def _cursor(offset: int) -> str:
    return base64.b64encode(f"next_ts:{offset}".encode()).decode()


def _offset(cursor: str) -> int | None:
    try:
        kind, _, number = base64.b64decode(cursor.encode()).decode().partition(":")
        return int(number) if kind == "next_ts" else None
    except ValueError:
        return None


class FakeHistory:
    """Mixed into FakeSlack, whose `reset()` sets the state declared here."""

    _lock: threading.RLock
    messages: dict[str, list[Message]]
    channels: dict[str, Channel]

    def _members(self, channel: str) -> set[str] | None:
        raise NotImplementedError

    def api_conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel", ""))
        if self._members(channel) is None:  # a user id is not a conversation
            return {"ok": False, "error": "channel_not_found"}
        known = self.channels.get(channel)
        if known is not None and not known.bot_member:
            return {"ok": False, "error": "not_in_channel"}
        try:
            limit = int(args.get("limit") or DEFAULT_LIMIT)
            oldest = float(args.get("oldest") or 0)
            latest = float(args["latest"]) if args.get("latest") else float("inf")
        except ValueError:
            return {"ok": False, "error": "invalid_arguments"}
        limit = min(max(limit, 1), MAX_LIMIT)
        offset = 0
        if args.get("cursor"):
            found = _offset(str(args["cursor"]))
            if found is None:
                return {"ok": False, "error": "invalid_cursor"}
            offset = found
        inclusive = _flag(args.get("inclusive"))
        with_metadata = _flag(args.get("include_all_metadata"))

        def within(ts: float) -> bool:
            if inclusive:
                return oldest <= ts <= latest
            return oldest < ts < latest

        with self._lock:
            shown = [m for m in self.messages.get(channel, []) if not m.deleted]
        shown = sorted(
            (m for m in shown if within(float(m.ts))), key=lambda m: float(m.ts), reverse=True
        )
        page = shown[offset : offset + limit]
        has_more = offset + limit < len(shown)
        payloads = []
        for message in page:
            payload = message.as_payload()
            if with_metadata and message.metadata:
                payload["metadata"] = message.metadata
            payloads.append(payload)
        return {
            "ok": True,
            "messages": payloads,
            "has_more": has_more,
            "pin_count": 0,
            "response_metadata": {"next_cursor": _cursor(offset + limit) if has_more else ""},
        }
