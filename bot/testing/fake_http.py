"""The fake Slack's HTTP face: the Web API under /api/, response_urls under /response/
and file uploads, served by a ThreadingHTTPServer on 127.0.0.1."""

from __future__ import annotations

import contextlib
import json
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from bot.testing.fake_files import UPLOAD_PATH

if TYPE_CHECKING:
    from bot.testing.fake_slack import FakeSlack


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
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            # Read methods (conversations.history) are called with their arguments
            # in the query string.
            path, _, query = self.path.partition("?")
            if not path.startswith("/api/"):
                self._send(404, {}, b"not found")
                return
            args = {k: v[0] for k, v in parse_qs(query).items()}
            status, headers, body = fake.handle_api(path[len("/api/") :], args, self._token())
            self._send(status, headers, json.dumps(body).encode())

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path.startswith("/response/"):
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
