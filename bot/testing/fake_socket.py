"""The fake Slack's Socket Mode: `apps.connections.open` (FakeSlack) hands out a
single-use `ws://127.0.0.1:PORT/link/?ticket=...` URL served here, by a websocket
server (the `websockets` package) in a thread.

As Slack does, it greets each connection with `hello`, delivers envelopes
(`slash_commands`, `interactive`, `events_api`) to one connection, and takes an ack,
`{"envelope_id": ..., "payload": ...}`, back on that connection. It records every ack
with its time and holds the app to Slack's rules: an envelope must be acknowledged
within 3 seconds (later, the person sees a timeout and an event is delivered again),
once, on the connection it came on, with a payload only where the envelope
`accepts_response_payload`; at most 10 connections are open at once. What broke a
rule is in `refusals`; `late()` lists the envelopes acknowledged too late or never."""

from __future__ import annotations

import itertools
import json
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlparse

from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve

from bot.testing import slack_rules

#: Slack waits this long for an envelope's ack.
ACK_DEADLINE_S = 3.0
#: Slack's limit of simultaneous Socket Mode connections for one app.
MAX_CONNECTIONS = 10
APP_ID = "AMENTORBOT"
#: The app-level token the fake accepts for `apps.connections.open`.
APP_TOKEN = "xapp-1-AMENTORBOT-1-fake"

#: An envelope's type for each kind of payload Slack sends over the socket.
KINDS = ("slash_commands", "interactive", "events_api")


@dataclass
class Ack:
    envelope_id: str
    at: float  # time.monotonic() when it arrived
    connection: int
    payload: dict[str, Any] | None


@dataclass
class Envelope:
    envelope_id: str
    type: str
    payload: dict[str, Any]
    accepts_response_payload: bool
    connection: int
    sent_at: float  # time.monotonic()
    acks: list[Ack] = field(default_factory=list)
    _acked: threading.Event = field(default_factory=threading.Event)

    def as_message(self) -> dict[str, Any]:
        message: dict[str, Any] = {
            "envelope_id": self.envelope_id,
            "type": self.type,
            "payload": self.payload,
            "accepts_response_payload": self.accepts_response_payload,
        }
        if self.type == "events_api":
            message |= {"retry_attempt": 0, "retry_reason": ""}
        return message

    def wait_ack(self, within: float = ACK_DEADLINE_S) -> Ack | None:
        """The ack, once it came; None if none came within `within` seconds of sending."""
        self._acked.wait(timeout=max(0.0, self.sent_at + within - time.monotonic()))
        return self.acks[0] if self.acks else None

    @property
    def acked_after(self) -> float | None:
        return self.acks[0].at - self.sent_at if self.acks else None


class FakeSocketMode:
    """The websocket side of the fake Slack. Connections are numbered from 0 in the
    order they opened; `live()` lists the open ones."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._server: Server | None = None
        self._numbers = itertools.count()
        self.tickets: set[str] = set()
        self.connections: dict[int, ServerConnection] = {}
        self.reset()

    def reset(self) -> None:
        """Forget the envelopes and refusals (the connections stay open)."""
        with self._lock:
            self.envelopes: dict[str, Envelope] = {}
            #: Acks Slack would not take, and why.
            self.refusals: list[str] = []
            self._next_live = 0

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> FakeSocketMode:
        if self._server is None:
            self._server = serve(
                self._serve, "127.0.0.1", 0, process_request=self._check_ticket, compression=None
            )
            threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server = None

    def open_url(self) -> str:
        """A new single-use websocket URL (what apps.connections.open answers)."""
        self.start()
        assert self._server is not None
        port = self._server.socket.getsockname()[1]
        ticket = uuid.uuid4().hex
        with self._lock:
            self.tickets.add(ticket)
        return f"ws://127.0.0.1:{port}/link/?ticket={ticket}&app_id={APP_ID}"

    # -- what Slack does -------------------------------------------------------------------
    def live(self) -> list[int]:
        """The numbers of the connections open now."""
        with self._lock:
            return sorted(self.connections)

    def wait_for_connections(self, count: int, timeout: float = 15.0) -> list[int]:
        """Wait until `count` connections are open; their numbers."""
        deadline = time.monotonic() + timeout
        while len(self.live()) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(self.live())} of {count} connections open")
            time.sleep(0.02)
        return self.live()

    def deliver(
        self, kind: str, payload: dict[str, Any], connection: int | None = None
    ) -> Envelope:
        """Send `payload` as an envelope of `kind` on `connection` (by default the next
        open one in turn, as Slack spreads envelopes across them)."""
        assert kind in KINDS, kind
        with self._lock:
            live = sorted(self.connections)
            assert live, "no Socket Mode connection is open"
            if connection is None:
                connection = live[self._next_live % len(live)]
                self._next_live += 1
            target = self.connections[connection]
            envelope = Envelope(
                envelope_id=str(uuid.uuid4()),
                type=kind,
                payload=payload,
                # Slack takes an answer in the ack of a command and of a form only.
                accepts_response_payload=kind == "slash_commands"
                or payload.get("type") == "view_submission",
                connection=connection,
                sent_at=time.monotonic(),
            )
            self.envelopes[envelope.envelope_id] = envelope
        target.send(json.dumps(envelope.as_message()))
        return envelope

    def kill(self, connection: int) -> None:
        """Drop `connection` without a word, as a network failure does."""
        with self._lock:
            target = self.connections.pop(connection)
        target.socket.shutdown(socket.SHUT_RDWR)
        target.socket.close()

    def late(self) -> list[Envelope]:
        """Envelopes not acknowledged within Slack's 3 seconds (so far)."""
        now = time.monotonic()
        with self._lock:
            return [
                e
                for e in self.envelopes.values()
                if (e.acked_after if e.acks else now - e.sent_at) > ACK_DEADLINE_S
            ]

    def take_late(self) -> list[Envelope]:
        """`late()`, each forgotten once taken (a test that expected them takes them)."""
        taken = self.late()
        with self._lock:
            for envelope in taken:
                self.envelopes.pop(envelope.envelope_id, None)
        return taken

    # -- the server ------------------------------------------------------------------------
    def _check_ticket(self, connection: ServerConnection, request: Request) -> Response | None:
        ticket = (parse_qs(urlparse(request.path).query).get("ticket") or [""])[0]
        with self._lock:
            if ticket not in self.tickets:
                return _refuse(HTTPStatus.UNAUTHORIZED, "invalid or used ticket")
            self.tickets.discard(ticket)  # a URL is good for one connection
            if len(self.connections) >= MAX_CONNECTIONS:
                return _refuse(HTTPStatus.TOO_MANY_REQUESTS, "too_many_websockets")
        return None

    def _serve(self, connection: ServerConnection) -> None:
        number = next(self._numbers)
        hello = {
            "type": "hello",
            "num_connections": len(self.connections) + 1,
            "debug_info": {"host": "applink-fake", "approximate_connection_time": 18060},
            "connection_info": {"app_id": APP_ID},
        }
        connection.send(json.dumps(hello))
        with self._lock:
            self.connections[number] = connection
        try:
            for message in connection:
                self._take(number, message)
        except ConnectionClosed:
            pass
        finally:
            with self._lock:
                self.connections.pop(number, None)

    def _take(self, number: int, message: str | bytes) -> None:
        at = time.monotonic()
        try:
            ack = json.loads(message)
        except ValueError:
            self._refuse(f"connection {number} sent no JSON: {message!r}")
            return
        with self._lock:
            envelope = self.envelopes.get(str(ack.get("envelope_id")))
            if envelope is None:
                self._refuse(f"ack of an unknown envelope: {ack}")
                return
            payload = ack.get("payload")
            envelope.acks.append(Ack(envelope.envelope_id, at, number, payload))
            if len(envelope.acks) > 1:
                self._refuse(f"envelope {envelope.envelope_id} acknowledged twice")
            if number != envelope.connection:
                self._refuse(f"envelope {envelope.envelope_id} acked on another connection")
            if payload is not None and not envelope.accepts_response_payload:
                self._refuse(f"a payload in the ack of a {envelope.type} envelope: {payload}")
            if payload is not None and envelope.type == "slash_commands":
                refusal = slack_rules.response_refusal(payload)
                if refusal is not None:
                    self._refuse(f"a command's ack Slack refuses: {refusal}")
        envelope._acked.set()

    def _refuse(self, why: str) -> None:
        with self._lock:
            self.refusals.append(why)


def _refuse(status: HTTPStatus, why: str) -> Response:
    body = why.encode()
    headers = Headers([("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return Response(status.value, status.phrase, headers, body)
