"""The one web app (FastAPI): Slack at `POST /slack/events`, `GET /healthz`, and the
REST API under `/api` (described at `/api/openapi.json`, tried at `/api/docs`).

A slash command, a button or an event is acknowledged as soon as it is queued on the
work pool (bot/workpool.py), and Bolt runs it there after: its ack waits for no
thread, database or Slack call; with the pool full, the person is told we are busy.
`/mentor help` is answered in its ack: at once for someone the roster knows as they
are (bot/listeners/regulars.py), Bolt run on the pool's answer threads for anyone else.
A form submission, whose answer is its outcome, is dispatched in a worker thread and
answered when Bolt acks. Every API endpoint is a plain function FastAPI runs in its
thread pool, so one slow request never holds up the event loop (and with it every
other request's 3-second ack)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from slack_bolt import App, BoltContext, BoltResponse
from slack_bolt.request import BoltRequest
from slack_bolt.request.internals import build_context
from slack_sdk.signature import SignatureVerifier
from starlette.types import Receive, Scope, Send

from bot import api, slack_health
from bot.listeners.busy import (
    answer_in_time_async,
    busy_reply,
    route,
    start_answer,
    work_pool_of,
)
from bot.runtime import Runtime

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1_000_000  # Slack payloads are far smaller; refuse anything larger.
REFUSED = json.dumps({"error": "invalid request"}).encode()
MALFORMED = json.dumps({"error": "malformed body"}).encode()
FORM = "application/x-www-form-urlencoded"
SLACK_PATH = "/slack/events"


class _SlackFirst(FastAPI):
    """FastAPI, with Slack's POST handed straight to its endpoint. Starlette's error,
    exception and body-limit middlewares, its router and FastAPI's request handling do
    nothing for it that the endpoint doesn't do itself (it reads its body within a
    limit and answers every refusal), yet took two fifths of the CPU the event loop
    that acknowledges Slack spends on a button press (bench/serve_cost.py). Any other
    request, and any other method on Slack's path (405), goes through the whole stack."""

    slack_endpoint: Callable[[Request], Awaitable[Response]] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        endpoint = self.slack_endpoint
        if (
            endpoint is not None
            and scope["type"] == "http"
            and scope["path"] == SLACK_PATH
            and scope["method"] == "POST"
        ):
            # An error raised here reaches uvicorn, which logs it and answers 500, as
            # Starlette's error middleware would.
            response = await endpoint(Request(scope, receive))
            await response(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def create_web(bolt_app: App, runtime: Runtime) -> FastAPI:
    """The ASGI app serving Slack, health and the API from the same process."""
    web = _SlackFirst(
        title="MentorBot API",
        version="1",
        description=api.DESCRIPTION,
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    # Slack's signature is checked here, not by Bolt (create_app turns Bolt's check
    # off): Bolt logs a refused request with its whole body, whose response_url
    # anyone reading the log could post through for 30 minutes.
    secret = runtime.settings.slack_signing_secret
    verifier = SignatureVerifier(secret) if secret else None
    web.state.runtime = runtime
    web.state.slack = bolt_app.client
    work_pool_of(bolt_app)  # refuse at once an app that has no work pool

    @web.post(SLACK_PATH, include_in_schema=False)
    async def slack_events(request: Request) -> Response:
        raw = await read_limited(request)
        if raw is None:
            return PlainTextResponse("payload too large", status_code=413)
        bolt_request = signed_request(verifier, request, raw)
        if isinstance(bolt_request, Response):  # unsigned, or no Slack payload
            return bolt_request
        decision = route(bolt_app, bolt_request)
        if decision == "queued":
            return Response(b"", status_code=200)
        if decision == "busy":
            return busy(bolt_request.body)
        if decision == "answer":
            answering = start_answer(bolt_app, bolt_request)
            response = await answer_in_time_async(answering, bolt_request.body)
            status, headers, answer = bolt_answer(response)
        else:
            status, headers, answer = await asyncio.to_thread(dispatch, bolt_app, bolt_request)
        return Response(answer, status_code=status, media_type=headers.get("content-type"))

    web.slack_endpoint = slack_events

    @web.api_route("/healthz", methods=["GET", "HEAD"], include_in_schema=False)
    async def healthz() -> JSONResponse:
        # 200 only when the database answers and Slack takes our token (slack_health).
        status, body = await asyncio.to_thread(slack_health.report, runtime, bolt_app.client)
        return JSONResponse(body, status_code=status)

    api.mount(web)
    return web


async def read_limited(request: Request, limit: int = MAX_BODY_BYTES) -> bytes | None:
    """The request body, or None once it passes `limit` bytes (read no further)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def busy(body: dict[str, Any]) -> Response:
    status, answer = busy_reply(body)
    return Response(answer, status_code=status, media_type="application/json")


def signed_request(
    verifier: SignatureVerifier | None, request: Request, raw: bytes
) -> BoltRequest | Response:
    """The request as Bolt reads it, or the answer refusing it: a request Slack did not
    sign is refused before its body is parsed or logged, a signed body that is no
    Slack payload is refused too."""
    headers = {key.lower(): value for key, value in request.headers.items()}
    if not signed_by_slack(verifier, headers, raw):
        log.warning(
            "refused a request without a valid Slack signature (%d bytes; body not logged)",
            len(raw),
        )
        return Response(REFUSED, status_code=401, media_type="application/json")
    parsed = parse_slack_body(raw, headers.get("content-type", ""))
    if parsed is None:
        log.warning(
            "refused a signed request whose body is not a Slack payload (%d bytes)", len(raw)
        )
        return Response(MALFORMED, status_code=400, media_type="application/json")
    # The query as sent: Starlette's `request.url` would rebuild and parse the whole
    # URL for it, on every request.
    query = request.scope.get("query_string", b"").decode("latin-1")
    bolt_request = BoltRequest(body="", query=query, headers=headers)
    # Bolt's own parser takes any form body containing the word "payload" for an
    # interaction and finds none (`/mentor payload` was a 404); ours reads the fields.
    bolt_request.raw_body = raw.decode("utf-8")
    bolt_request.body = parsed
    bolt_request.context = build_context(BoltContext({}), parsed)
    return bolt_request


def dispatch(bolt_app: App, bolt_request: BoltRequest) -> tuple[int, dict[str, str], bytes]:
    """Hand one Slack request to Bolt (in a worker thread) and return its answer."""
    return bolt_answer(bolt_app.dispatch(bolt_request))


def bolt_answer(response: BoltResponse) -> tuple[int, dict[str, str], bytes]:
    """Bolt's response as (status, headers, body) for the HTTP answer."""
    out_headers = {
        k.lower(): v[0] if isinstance(v, list) else v for k, v in response.headers.items()
    }
    return response.status, out_headers, response.body.encode("utf-8")


def signed_by_slack(
    verifier: SignatureVerifier | None, headers: dict[str, str], raw: bytes
) -> bool:
    """Whether Slack signed this body with our signing secret in the last 5 minutes."""
    if verifier is None:  # no secret: nothing can be verified, so nothing passes
        return False
    try:
        return verifier.is_valid_request(raw, headers)
    except ValueError:  # a timestamp that is no number, a body that is no UTF-8
        return False


def parse_slack_body(raw: bytes, content_type: str) -> dict[str, Any] | None:
    """What Slack sent, as Bolt reads it: a form's `payload` field (interactions), the
    form's fields (slash commands) or a JSON object (events); None when the body is
    none of these (not UTF-8, broken JSON, another content type)."""
    try:
        text = raw.decode("utf-8")
        kind = content_type.split(";")[0].strip().lower()
        if kind == "application/json":
            body = json.loads(text)
        elif kind == FORM:
            fields = dict(parse_qsl(text, keep_blank_values=True))
            body = json.loads(fields["payload"]) if "payload" in fields else fields
        else:
            return None
    # UnicodeDecodeError and JSONDecodeError are ValueErrors; JSON nested thousands
    # of levels deep is a RecursionError.
    except (ValueError, RecursionError):
        return None
    # An empty object is no request Slack sends; Bolt would answer it 404.
    return body if isinstance(body, dict) and body else None
