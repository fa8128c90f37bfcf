"""Play the people over Socket Mode: the same driver (commands, clicks, forms, events),
each request delivered by the fake Slack as an envelope on an open connection
instead of a signed HTTP request, and its ack read back as the HTTP answer would be."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from bot.testing.driver import SlackDriver
from bot.testing.fake_slack import FakeSlack
from bot.testing.fake_socket import ACK_DEADLINE_S, Envelope
from bot.testing.signed_requests import ACK_TIMES, AckTiming, HttpReply, LateAck
from bot.web import parse_slack_body

#: The HTTP status standing for "no ack": Slack delivers an event again.
NOT_ACKED = 503


class SocketDriver(SlackDriver):
    """`connection`: the connection every request goes to (None: Slack's turn about)."""

    def __init__(
        self,
        fake: FakeSlack,
        wait_idle: Callable[[], None] = lambda: None,
        connection: int | None = None,
        ack_log: list[AckTiming] = ACK_TIMES,
    ) -> None:
        # Socket Mode signs nothing: the secret is never used.
        super().__init__(fake, "socket://", "unused", wait_idle, ack_log=ack_log)
        self.connection = connection
        #: Every envelope this driver delivered, in order.
        self.sent: list[Envelope] = []

    def on(self, connection: int | None) -> SocketDriver:
        """The same people, their requests delivered on `connection`."""
        other = SocketDriver(self.fake, self.wait_idle, connection, self.ack_log)
        other.sent = self.sent
        return other

    def post(self, body: str, content_type: str, *, wait: bool = True, **_: Any) -> HttpReply:
        """Deliver what Slack would have POSTed as an envelope; the ack as an HttpReply
        (200 with the ack's payload), NOT_ACKED for an event left unacknowledged, and
        LateAck for a person's request not acknowledged within 3 s."""
        payload = parse_slack_body(body.encode(), content_type)
        assert payload is not None, body
        if payload.get("type") == "event_callback":
            kind = "events_api"
        elif payload.get("command"):
            kind = "slash_commands"
        else:
            kind = "interactive"
        envelope = self.fake.sockets.deliver(kind, payload, self.connection)
        self.sent.append(envelope)
        ack = envelope.wait_ack()
        what = f"{kind} {payload.get('command') or payload.get('type')}"
        waited = ack.at - envelope.sent_at if ack else time.monotonic() - envelope.sent_at
        self.ack_log.append(AckTiming(what, waited))
        if ack is None and kind != "events_api":
            raise LateAck(f"{what}: no ack in {ACK_DEADLINE_S:.0f} s; the person sees a timeout")
        reply = (
            HttpReply(NOT_ACKED, "")
            if ack is None
            else HttpReply(200, json.dumps(ack.payload) if ack.payload is not None else "")
        )
        if wait:
            self.wait_idle()
        return reply
