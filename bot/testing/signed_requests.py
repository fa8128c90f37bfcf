"""How a request reaches the app the way Slack sends it: signed with the signing
secret (or deliberately not), and timed against Slack's 3 s deadline for the answer."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode

from slack_sdk.signature import SignatureVerifier

#: Slack waits this long for the app's HTTP answer to a slash command, an action, a
#: view submission or an event; later, the person sees a timeout (and Slack retries
#: an event). The driver waits no longer.
ACK_DEADLINE_S = 3.0


class LateAck(AssertionError):
    """The app answered Slack after the ack deadline."""


@dataclass
class AckTiming:
    """How long the app took to answer one request (for the latency report)."""

    what: str
    seconds: float


#: Every request's ack time in this process, slowest first on demand.
ACK_TIMES: list[AckTiming] = []


@dataclass
class HttpReply:
    status: int
    body: str

    def json(self) -> dict[str, Any]:
        return json.loads(self.body) if self.body else {}


class SignedRequests:
    """Mixed into SlackDriver, whose `__init__` sets the state declared here."""

    endpoint: str
    signer: SignatureVerifier
    wait_idle: Callable[[], None]
    ack_log: list[AckTiming]

    def post(
        self,
        body: str,
        content_type: str,
        *,
        signed: bool = True,
        timestamp: int | None = None,
        secret: str | None = None,
        retry_num: int | None = None,
        signature_body: str | None = None,
        wait: bool = True,
    ) -> HttpReply:
        """POST `body` to the app, signed as Slack signs (with `secret`, at `timestamp`,
        over `signature_body` when a test wants a signature that doesn't match)."""
        headers = {"Content-Type": content_type}
        if signed:
            ts = str(timestamp if timestamp is not None else int(time.time()))
            signer = SignatureVerifier(secret) if secret else self.signer
            headers["X-Slack-Request-Timestamp"] = ts
            headers["X-Slack-Signature"] = signer.generate_signature(
                timestamp=ts, body=signature_body if signature_body is not None else body
            )
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        request = urllib.request.Request(self.endpoint, data=body.encode(), headers=headers)
        what = _describe_request(body, content_type)
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=ACK_DEADLINE_S) as response:
                reply = HttpReply(response.status, response.read().decode())
        except urllib.error.HTTPError as exc:
            reply = HttpReply(exc.code, exc.read().decode())
        except (TimeoutError, urllib.error.URLError) as exc:
            if not isinstance(exc, TimeoutError) and not isinstance(exc.reason, TimeoutError):
                raise
            self.ack_log.append(AckTiming(what, time.monotonic() - started))
            raise LateAck(
                f"{what}: no answer within {ACK_DEADLINE_S:.0f} s; Slack gives up here and "
                "the person sees a timeout error"
            ) from exc
        elapsed = time.monotonic() - started
        self.ack_log.append(AckTiming(what, elapsed))
        if elapsed > ACK_DEADLINE_S:
            raise LateAck(
                f"{what}: answered after {elapsed:.2f} s, past Slack's {ACK_DEADLINE_S:.0f} s; "
                "the person saw a timeout error"
            )
        if wait:
            self.wait_idle()
        return reply

    def post_form(self, fields: dict[str, str], **kwargs: Any) -> HttpReply:
        return self.post(urlencode(fields), "application/x-www-form-urlencoded", **kwargs)

    def post_payload(self, payload: dict[str, Any], **kwargs: Any) -> HttpReply:
        return self.post_form({"payload": json.dumps(payload)}, **kwargs)


def _describe_request(body: str, content_type: str) -> str:
    """What a request to the app is, in a few words: '/mentor match', 'block_actions
    assign', 'event app_home_opened'."""
    try:
        if "json" in content_type:
            event = json.loads(body).get("event") or {}
            return f"event {event.get('type', '?')}"
        fields = {k: v[0] for k, v in parse_qs(body).items()}
        if "command" in fields:
            return f"{fields['command']} {fields.get('text', '').split(' ')[0]}".strip()
        payload = json.loads(fields.get("payload", "{}"))
        kind = payload.get("type", "?")
        if kind == "block_actions":
            return f"{kind} {(payload.get('actions') or [{}])[0].get('action_id', '?')}"
        if kind in ("view_submission", "view_closed"):
            return f"{kind} {payload.get('view', {}).get('callback_id', '?')}"
        return str(kind)
    except (ValueError, AttributeError, RecursionError):  # not what Slack sends
        return "request"
