"""The fake Slack's HTTP face: the Web API under /api/, response_urls under /response/
and file uploads, served by a ThreadingHTTPServer on 127.0.0.1 over HTTP/1.1: like
Slack's servers, it keeps a connection open for the client's next request (unless the
client asks to close it) and closes one left idle for IDLE_TIMEOUT_S."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from bot.testing.fake_files import UPLOAD_PATH

#: Seconds a kept connection may wait for its next request before the fake closes it.
IDLE_TIMEOUT_S = 30

if TYPE_CHECKING:
    from bot.testing.fake_slack import FakeSlack


class Server(ThreadingHTTPServer):
    """Counts the connections it accepts and can close the idle ones."""

    # socketserver's backlog of 5 pending connections resets the rest: a process with
    # 32 work threads calling at once met "connection reset by peer" and retried a
    # second later, which slack.com's servers never make it do.
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self.connections = 0  # accepted so far
        self._open: dict[socket.socket, bool] = {}  # each open one: answering a request now?
        self._open_changed = threading.Condition()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_changed:
            self.connections += 1
            self._open[request] = False
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_changed:
            self._open.pop(request, None)
        super().shutdown_request(request)

    def answering(self, connection: socket.socket, busy: bool) -> None:
        with self._open_changed:
            if connection in self._open:
                self._open[connection] = busy
                self._open_changed.notify_all()

    def close_idle(self, settle_s: float = 1.0) -> int:
        """Close the connections that are not answering a request, once those whose
        answer is on its way have finished (up to `settle_s`); how many."""
        with self._open_changed:
            self._open_changed.wait_for(lambda: not any(self._open.values()), settle_s)
            idle = [connection for connection, busy in self._open.items() if not busy]
        for connection in idle:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        return len(idle)


class FakeConnections:
    """The fake's connections as a test sees them (a mixin of FakeSlack)."""

    _server: Server
    _lock: threading.RLock
    drops: Counter[str]

    @property
    def connections(self) -> int:
        """Connections clients opened to this fake so far (it speaks HTTP/1.1 and keeps
        each open between requests, as Slack does)."""
        return self._server.connections

    def close_idle_connections(self) -> int:
        """Close every connection not answering a request now, as Slack closes the
        ones left idle; how many were closed."""
        return self._server.close_idle()

    def drop(self, method: str, *, times: int = 1) -> None:
        """The next `times` requests for `method` ("response_url" for a post to one)
        find their connection closed without an answer: a kept connection that Slack
        closed just as the request went out on it."""
        with self._lock:
            self.drops[method] += times

    def take_drop(self, method: str) -> bool:
        with self._lock:
            if self.drops[method] <= 0:
                return False
            self.drops[method] -= 1
            return True


def _decode_args(handler: BaseHTTPRequestHandler, raw: bytes) -> dict[str, Any]:
    content_type = handler.headers.get("Content-Type", "")
    if "application/json" in content_type:
        args = json.loads(raw or b"{}")
    else:
        args = {k: v[0] for k, v in parse_qs(raw.decode("utf-8")).items()}
    for key in ("blocks", "view", "attachments", "files", "metadata"):
        if isinstance(args.get(key), str):
            with contextlib.suppress(ValueError):
                args[key] = json.loads(args[key])
    return args


def handler_for(fake: FakeSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = IDLE_TIMEOUT_S
        # An answer is written as its headers, then its body: on a kept connection
        # Nagle's algorithm held the body until the client's delayed ACK (40 ms a call).
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def parse_request(self) -> bool:
            # A request came: its connection is not idle until it is answered.
            self.server.answering(self.connection, True)  # type: ignore[attr-defined]
            return super().parse_request()

        def handle_one_request(self) -> None:
            try:
                super().handle_one_request()
            finally:
                self.server.answering(self.connection, False)  # type: ignore[attr-defined]

        def _dropped(self, method: str) -> bool:
            """Close the connection unanswered when a test asked (`FakeSlack.drop`)."""
            if fake.take_drop(method):
                self.close_connection = True
                return True
            return False

        def do_GET(self) -> None:
            # Read methods (conversations.history) are called with their arguments
            # in the query string.
            path, _, query = self.path.partition("?")
            if not path.startswith("/api/"):
                self._send(404, {}, b"not found")
                return
            if self._dropped(path[len("/api/") :]):
                return
            args = {k: v[0] for k, v in parse_qs(query).items()}
            status, headers, body = fake.handle_api(path[len("/api/") :], args, self._token())
            self._send(status, headers, json.dumps(body).encode())

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path.startswith("/response/"):
                if self._dropped("response_url"):
                    return
                status, answer = fake.handle_response_url(
                    self.path.rsplit("/", 1)[-1], json.loads(raw or b"{}")
                )
                self._send(status, {}, answer.encode())
                return
            if self.path.startswith(UPLOAD_PATH):
                status, body = fake.handle_upload(self.path[len(UPLOAD_PATH) :], raw)
                self._send(status, {}, body)
                return
            if not self.path.startswith("/api/"):
                self._send(404, {}, b"not found")
                return
            if self._dropped(self.path[len("/api/") :]):
                return
            args = _decode_args(self, raw)
            status, headers, body = fake.handle_api(self.path[len("/api/") :], args, self._token())
            self._send(status, headers, json.dumps(body).encode())

        def _token(self) -> str:
            return self.headers.get("Authorization", "").removeprefix("Bearer ").strip()

        def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler
