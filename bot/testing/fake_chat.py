"""Messages in the fake Slack: chat.postMessage/update/delete/postEphemeral as strict
as Slack (the channel must exist and take the bot, only the bot's own messages change,
blocks and metadata validated), and the messages each channel and person holds."""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.blocks.plaintext import render_blocks
from bot.testing import slack_rules
from bot.testing.fake_history import metadata_error
from bot.testing.fake_views import dm_channel

if TYPE_CHECKING:
    from bot.testing.fake_slack import Channel

BOT_USER_ID = "UMENTORBOT"


@dataclass
class Message:
    """A message as it stands now in a channel (DM) or in a person's ephemeral list."""

    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    ephemeral_for: str | None = None
    deleted: bool = False
    author: str = BOT_USER_ID
    #: The message metadata it was posted with (shown by conversations.history).
    metadata: dict[str, Any] | None = None

    @property
    def rendered(self) -> str:
        body = render_blocks(self.blocks)
        return body if body else self.text

    @property
    def all_text(self) -> str:
        """Fallback text and every block's text: what assertions search."""
        return f"{self.text}\n{render_blocks(self.blocks)}"

    def as_payload(self) -> dict[str, Any]:
        return {
            "type": "message",
            "ts": self.ts,
            "text": self.text,
            "blocks": self.blocks,
            "user": self.author,
        }


class FakeChat:
    """Mixed into FakeSlack, whose `reset()` sets the state declared here."""

    _lock: threading.RLock
    _counter: itertools.count[int]
    users: dict[str, dict[str, Any]]
    channels: dict[str, Channel]
    messages: dict[str, list[Message]]
    ephemerals: dict[str, list[Message]]

    def _refused(self, method: str, answer: dict[str, Any] | None) -> dict[str, Any] | None:
        raise NotImplementedError

    def slack_file_error(self, blocks: Any, channel: str) -> dict[str, Any] | None:
        raise NotImplementedError

    def dms(self, slack_user_id: str) -> list[Message]:
        with self._lock:
            return [m for m in self.messages.get(dm_channel(slack_user_id), []) if not m.deleted]

    def channel_messages(self, channel: str) -> list[Message]:
        with self._lock:
            return [m for m in self.messages.get(channel, []) if not m.deleted]

    def ephemeral(self, slack_user_id: str) -> list[Message]:
        with self._lock:
            return list(self.ephemerals.get(slack_user_id, []))

    def channel_message(self, channel: str, ts: str) -> Message | None:
        """The message at `ts` in `channel` as everyone there sees it (not ephemeral)."""
        with self._lock:
            for message in self.messages.get(channel, []):
                if message.ts == ts and not message.deleted:
                    return message
        return None

    def find_message(self, channel: str, ts: str) -> Message | None:
        with self._lock:
            for message in self.messages.get(channel, []):
                if message.ts == ts:
                    return message
            for messages in self.ephemerals.values():
                for message in messages:
                    if message.ts == ts and message.channel == channel:
                        return message
        return None

    def _members(self, channel: str) -> set[str] | None:
        """The people in `channel` (a DM with the bot: that person), None if no such
        channel. `channel` is a channel id (a user id is not one)."""
        if channel.startswith("D") and channel[1:] in self.users:
            return {channel[1:]}
        known = self.channels.get(channel)
        return None if known is None else known.members

    def _post_error(self, channel: str) -> str | None:
        """Why Slack would refuse a post to `channel` (a user id: their DM), or None."""
        if not channel or self._members(channel) is None:
            return "channel_not_found"
        known = self.channels.get(channel)
        if known is not None and known.is_private and not known.bot_member:
            return "not_in_channel"
        return None

    def api_chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        # Posting to a user id lands in their DM with the bot, even a deactivated
        # person's: Slack accepts it (nobody reads it).
        channel = normalize_channel(str(args.get("channel", "")))
        error = self._post_error(channel)
        if error:
            return {"ok": False, "error": error}
        if not args.get("text") and not args.get("blocks"):
            return {"ok": False, "error": "no_text"}
        if error := metadata_error(args.get("metadata")):
            return {"ok": False, "error": error}
        refused = self._refused(
            "chat.postMessage", slack_rules.message_refusal(args)
        ) or self.slack_file_error(args.get("blocks"), channel)
        if refused:
            return refused
        message = Message(
            channel,
            self._ts(),
            str(args.get("text") or ""),
            list(args.get("blocks") or []),
            metadata=args.get("metadata") or None,
        )
        self.messages.setdefault(channel, []).append(message)
        return {"ok": True, "channel": channel, "ts": message.ts, "message": message.as_payload()}

    def post_as(self, slack_user_id: str, channel: str, text: str) -> Message:
        """A person posts `text` in `channel` (a message that is not the bot's)."""
        with self._lock:
            message = Message(channel, self._ts(), text, author=slack_user_id)
            self.messages.setdefault(channel, []).append(message)
            return message

    def _own_message(self, args: dict[str, Any], not_ours: str) -> Message | dict[str, Any]:
        """The bot's message chat.update/chat.delete names, or Slack's refusal: the
        channel must be a channel id (not a user id), the ts a message in it that
        everyone sees (an ephemeral one is not), and the message the bot's."""
        channel = str(args.get("channel", ""))
        if self._members(channel) is None:
            return {"ok": False, "error": "channel_not_found"}
        message = self.channel_message(channel, str(args.get("ts", "")))
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        if message.author != BOT_USER_ID:
            return {"ok": False, "error": not_ours}
        return message

    def api_chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        message = self._own_message(args, "cant_update_message")
        if not isinstance(message, Message):
            return message
        if not args.get("text") and not args.get("blocks"):
            return {"ok": False, "error": "no_text"}
        refused = self._refused(
            "chat.update", slack_rules.message_refusal(args)
        ) or self.slack_file_error(args.get("blocks"), message.channel)
        if refused:
            return refused
        if "text" in args:
            message.text = str(args["text"] or "")
        if "blocks" in args:
            message.blocks = list(args["blocks"] or [])
        return {"ok": True, "channel": message.channel, "ts": message.ts}

    def api_chat_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        message = self._own_message(args, "cant_delete_message")
        if not isinstance(message, Message):
            return message
        message.deleted = True
        return {"ok": True, "channel": message.channel, "ts": message.ts}

    def api_chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        user = str(args.get("user", ""))
        channel = normalize_channel(str(args.get("channel", "")))
        error = self._post_error(channel)
        if error:
            return {"ok": False, "error": error}
        if user not in self.users:
            return {"ok": False, "error": "user_not_found"}
        if user not in (self._members(channel) or set()):
            return {"ok": False, "error": "user_not_in_channel"}
        if not args.get("text") and not args.get("blocks"):
            return {"ok": False, "error": "no_text"}
        if refused := self._refused("chat.postEphemeral", slack_rules.message_refusal(args)):
            return refused
        message = Message(
            channel,
            self._ts(),
            str(args.get("text") or ""),
            list(args.get("blocks") or []),
            ephemeral_for=user,
        )
        self.ephemerals.setdefault(user, []).append(message)
        return {"ok": True, "message_ts": message.ts}

    def answer_command(
        self, user: str, channel: str, ack: str, *, at: int
    ) -> dict[str, Any] | None:
        """What Slack does with the HTTP answer (`ack`, its body) to a slash command
        `user` typed in `channel`: it shows it to them at once, `at` that place among
        their ephemeral messages (ahead of anything the app posted after it). An empty
        body shows nothing; a JSON one, its message (text, blocks, response_type),
        held to the same rules as a response_url post; any other body, as text.
        Returns Slack's refusal (the person sees an error instead), or None."""
        if not ack:
            return None
        try:
            body = json.loads(ack) if ack.startswith("{") else {"text": ack}
        except ValueError:
            body = {"text": ack}
        with self._lock:
            refused = self._refused("slash command ack", slack_rules.response_refusal(body))
            if refused is None and (body.get("text") or body.get("blocks")):
                self.show_answer(user, channel, body, at=at)
            return refused

    def show_answer(
        self, user: str, channel: str, body: dict[str, Any], *, at: int | None = None
    ) -> Message:
        """A new message answering `user`'s command or click (an ack or a response_url
        post): only they see it unless `response_type` is in_channel. `at`: its place
        among their ephemeral messages (default: the newest)."""
        message = Message(
            channel, self._ts(), str(body.get("text") or ""), list(body.get("blocks") or [])
        )
        if body.get("response_type") == "in_channel":
            self.messages.setdefault(channel, []).append(message)
            return message
        message.ephemeral_for = user
        mine = self.ephemerals.setdefault(user, [])
        mine.insert(len(mine) if at is None else at, message)
        return message

    def _ts(self) -> str:
        return f"{int(time.time())}.{next(self._counter):06d}"


def normalize_channel(channel: str) -> str:
    """Posting to a user id lands in the DM with the bot, as in Slack."""
    return dm_channel(channel) if channel.startswith(("U", "W")) else channel
