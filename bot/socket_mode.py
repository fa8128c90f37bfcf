"""Slack over Socket Mode (`mentorbot serve --socket-mode`): several websocket
connections, each envelope routed as an HTTP request is (bot.listeners.busy.route).

Slack lets an app hold up to 10 Socket Mode connections and spreads envelopes across
them; while one is being refreshed or has dropped, the others still receive. Every
connection is a slack_sdk SocketModeClient (it opens its URL with the app-level token,
answers pings and reconnects by itself) and all of them share the app's one work pool.

The ack of an envelope is its response, `SocketModeResponse(envelope_id, payload)`:
a command, a button or an event is acknowledged as soon as it is queued and its work
runs after; `/mentor help` and a form submission are answered with their outcome.
With the pool full, a command's ack carries "busy" as its text, a form's carries the
error on the form, a button's is empty (the notice follows) and an event is left
unacknowledged, so Slack delivers it again."""

from __future__ import annotations

import json
import logging
import threading
import time

from slack_bolt import App, BoltRequest
from slack_bolt.adapter.socket_mode.internals import build_headers, send_response
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from bot.cli_errors import CliError
from bot.listeners.busy import (
    answer_in_time,
    busy_reply,
    route,
    start_answer,
    work_pool_of,
)

log = logging.getLogger(__name__)

#: Slack's limit of simultaneous Socket Mode connections for one app.
MAX_CONNECTIONS = 10
#: Two, so that Slack has another connection to deliver to while one is refreshed.
DEFAULT_CONNECTIONS = 2
#: slack_sdk's default: a connection that stopped answering is noticed after a few
#: missed pings this far apart, and replaced.
PING_INTERVAL_S = 5.0


class SocketMode:
    """`connections` Socket Mode connections for `bolt_app` (made by create_app),
    opened with the app-level token `app_token`."""

    def __init__(
        self,
        bolt_app: App,
        app_token: str,
        connections: int = DEFAULT_CONNECTIONS,
        ping_interval: float = PING_INTERVAL_S,
    ) -> None:
        if not 1 <= connections <= MAX_CONNECTIONS:
            raise ValueError(
                f"Slack allows 1 to {MAX_CONNECTIONS} Socket Mode connections, not {connections}"
            )
        work_pool_of(bolt_app)  # refuse at once an app that has no work pool
        self.bolt_app = bolt_app
        # apps.connections.open goes through a client of its own: the app's client
        # watches for a dead bot token (/healthz), and an app token Slack refuses
        # says nothing about that one.
        opener = WebClient(base_url=bolt_app.client.base_url, timeout=bolt_app.client.timeout)
        self.clients = [
            SocketModeClient(
                app_token=app_token, web_client=opener, logger=log, ping_interval=ping_interval
            )
            for _ in range(connections)
        ]
        for client in self.clients:
            client.socket_mode_request_listeners.append(self._on_envelope)

    def connect(self) -> None:
        """Open every connection (each then reconnects by itself when it drops); a
        token Slack refuses is a CliError saying which."""
        try:
            for client in self.clients:
                client.connect()
        except SlackApiError as exc:
            self.close()
            raise CliError(
                f"Slack refused SLACK_APP_TOKEN for Socket Mode ({exc.response.get('error')}): "
                "give the app-level token (xapp-...) with the connections:write scope"
            ) from exc
        log.info("connected to Slack in Socket Mode with %d connection(s)", len(self.clients))

    def close(self) -> None:
        """Close every connection, all at once: each takes up to its ping interval
        (5 s) to stop, and a stopping process should not wait that times N."""
        closing = [threading.Thread(target=client.close) for client in self.clients]
        for thread in closing:
            thread.start()
        for thread in closing:
            thread.join()

    def _on_envelope(self, client: SocketModeClient, envelope: SocketModeRequest) -> None:
        # Run on the client's own threads, never the work pool's: a full pool must
        # not hold up the next envelope's ack.
        received_at = time.time()
        bolt_request = BoltRequest(
            mode="socket_mode", body=envelope.payload, headers=build_headers(envelope)
        )
        decision = route(self.bolt_app, bolt_request)
        if decision == "answer":
            answer = answer_in_time(start_answer(self.bolt_app, bolt_request), envelope.payload)
            send_response(client, envelope, answer, received_at)
            return
        if decision == "dispatch":
            send_response(client, envelope, self.bolt_app.dispatch(bolt_request), received_at)
            return
        ack = (
            SocketModeResponse(envelope.envelope_id) if decision == "queued" else busy_ack(envelope)
        )
        if ack is not None:
            client.send_socket_mode_response(ack)


def busy_ack(envelope: SocketModeRequest) -> SocketModeResponse | None:
    """The ack telling Slack we are busy: HTTP's busy answer as the envelope's payload,
    or None (no ack, Slack delivers it again) where HTTP answers an error status."""
    status, answer = busy_reply(envelope.payload)
    if status != 200:
        return None
    return SocketModeResponse(envelope.envelope_id, json.loads(answer) if answer else None)
