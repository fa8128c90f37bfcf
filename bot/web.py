"""The ASGI app: `POST /slack/events` through Bolt, `GET /healthz`, served by uvicorn.

Bolt's sync App is dispatched in a worker thread so one slow request never
holds up the event loop (and with it every other request's 3-second ack)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt import App
from slack_bolt.request import BoltRequest
from slack_sdk.signature import SignatureVerifier

from bot import slack_health
from bot.runtime import Runtime

log = logging.getLogger(__name__)

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

MAX_BODY_BYTES = 1_000_000  # Slack payloads are far smaller; refuse anything larger.
REFUSED = json.dumps({"error": "invalid request"}).encode()


class MentorBotWeb:
    def __init__(self, bolt_app: App, runtime: Runtime, path: str = "/slack/events") -> None:
        self.bolt_app = bolt_app
        self.runtime = runtime
        self.path = path
        # Slack's signature is checked here, not by Bolt (create_app turns Bolt's check
        # off): Bolt logs a refused request with its whole body, whose response_url
        # anyone reading the log could post through for 30 minutes.
        secret = runtime.settings.slack_signing_secret
        self.verifier = SignatureVerifier(secret) if secret else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        method, path = scope["method"], scope["path"]
        if path == "/healthz" and method in ("GET", "HEAD"):
            status, body = await asyncio.to_thread(self.health)
            await _respond(send, status, body, "application/json")
        elif path == self.path and method == "POST":
            raw = await _read_body(receive)
            if raw is None:
                await _respond(send, 413, b"payload too large", "text/plain")
                return
            status, headers, body = await asyncio.to_thread(self.dispatch, scope, raw)
            await _respond(send, status, body, headers.get("content-type", "text/plain"))
        else:
            await _respond(send, 404, b"not found", "text/plain")

    def dispatch(self, scope: Scope, raw: bytes) -> tuple[int, dict[str, str], bytes]:
        headers: dict[str, str] = {}
        for key, value in scope.get("headers", []):
            headers[key.decode("latin-1").lower()] = value.decode("latin-1")
        if not self.signed_by_slack(headers, raw):
            log.warning(
                "refused a request without a valid Slack signature (%d bytes; body not logged)",
                len(raw),
            )
            return 401, {"content-type": "application/json"}, REFUSED
        request = BoltRequest(
            body=raw.decode("utf-8", errors="replace"),
            query=scope.get("query_string", b"").decode("latin-1"),
            headers=headers,
        )
        response = self.bolt_app.dispatch(request)
        out_headers = {
            k.lower(): v[0] if isinstance(v, list) else v for k, v in response.headers.items()
        }
        return response.status, out_headers, response.body.encode("utf-8")

    def signed_by_slack(self, headers: dict[str, str], raw: bytes) -> bool:
        """Whether Slack signed this body with our signing secret in the last 5 minutes."""
        if self.verifier is None:  # no secret: nothing can be verified, so nothing passes
            return False
        try:
            return self.verifier.is_valid_request(raw, headers)
        except ValueError:  # a timestamp that is no number, a body that is no UTF-8
            return False

    def health(self) -> tuple[int, bytes]:
        """200 only when the database answers and Slack takes our token."""
        status, body = slack_health.report(self.runtime, self.bolt_app.client)
        return status, json.dumps(body).encode()


async def _read_body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


async def _respond(send: Send, status: int, body: bytes, content_type: str) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
