"""Slack delivering the same request more than once: an event retried because the
answer seemed late (`X-Slack-Retry-Num`), a submission or a click sent again. The
driver here sends every view submission, button press, shortcut and event twice,
one after the other or both at once, and notes what the second delivery changed."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from bot.testing.driver import SlackDriver
from bot.testing.signed_requests import HttpReply

#: What a person and the database show at one moment (compared, never read).
Observed = Any


@dataclass(frozen=True)
class Redelivery:
    """One request delivered twice: its kind and what the second delivery changed."""

    kind: str
    changed: list[str]
    answered_twice: bool
    #: The HTTP status of each delivery's answer: anything but 200 is Slack showing
    #: the person an error (or, for a 5xx to an event, delivering it yet again).
    statuses: tuple[int, ...] = ()


def delivered_kind(body: str, content_type: str) -> str | None:
    """'view_submission <callback_id>', 'block_actions <action_id>', 'shortcut
    <callback_id>' or 'event <type>' for a request Slack may deliver twice; None for
    any other (a slash command, which Slack never sends again)."""
    try:
        if "json" in content_type:
            payload = json.loads(body)
            if payload.get("type") != "event_callback":
                return None
            return f"event {(payload.get('event') or {}).get('type', '?')}"
        fields = parse_qs(body)
        if "payload" not in fields:
            return None
        payload = json.loads(fields["payload"][0])
    except ValueError:
        return None
    kind = payload.get("type")
    if kind == "view_submission":
        return f"view_submission {payload.get('view', {}).get('callback_id', '?')}"
    if kind == "block_actions":
        return f"block_actions {(payload.get('actions') or [{}])[0].get('action_id', '?')}"
    if kind in ("message_action", "shortcut"):
        return f"shortcut {payload.get('callback_id', '?')}"
    return None


class RedeliveringDriver(SlackDriver):
    """A SlackDriver whose every redeliverable request arrives twice: `together` sends
    both at once (two threads), otherwise the second follows the first's answer and
    `observe()` before and after it tells whether it changed anything."""

    def __init__(
        self, *args: Any, observe: Callable[[], dict[str, Observed]], together: bool = False
    ) -> None:
        super().__init__(*args)
        self.observe = observe
        self.together = together
        self.redelivered: list[Redelivery] = []

    def post(self, body: str, content_type: str, **kwargs: Any) -> HttpReply:
        kind = delivered_kind(body, content_type)
        if kind is None:
            return super().post(body, content_type, **kwargs)
        if self.together:
            return self._both_at_once(kind, body, content_type, kwargs)
        wait = kwargs.pop("wait", True)
        first = super().post(body, content_type, **kwargs, wait=True)
        before = self.observe()
        second = super().post(body, content_type, **{**kwargs, "retry_num": 1}, wait=True)
        after = self.observe()
        changed = sorted(name for name in before if before[name] != after.get(name))
        answered_twice = bool(second.body) and second.body != first.body
        self.redelivered.append(
            Redelivery(kind, changed, answered_twice, (first.status, second.status))
        )
        if wait:
            self.wait_idle()
        return first

    def _both_at_once(
        self, kind: str, body: str, content_type: str, kwargs: dict[str, Any]
    ) -> HttpReply:
        wait = kwargs.pop("wait", True)
        replies: list[HttpReply | BaseException] = []
        start = threading.Barrier(2)

        def deliver(retry_num: int | None) -> None:
            start.wait()
            try:
                sent = super(RedeliveringDriver, self).post(
                    body, content_type, **{**kwargs, "retry_num": retry_num}, wait=False
                )
                replies.append(sent)
            except BaseException as exc:  # reported below, in the test's thread
                replies.append(exc)

        threads = [threading.Thread(target=deliver, args=(n,)) for n in (None, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for reply in replies:
            if isinstance(reply, BaseException):
                raise reply
        answers = [r for r in replies if isinstance(r, HttpReply)]
        # The person sees the answer that says something; the twin's is an empty ack.
        shown = max(answers, key=lambda r: len(r.body))
        twice = len({r.body for r in answers if r.body}) > 1
        self.redelivered.append(Redelivery(kind, [], twice, tuple(r.status for r in answers)))
        if wait:
            self.wait_idle()
        return shown
