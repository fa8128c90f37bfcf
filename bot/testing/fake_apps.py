"""The fake Slack's `apps.connections.open`: a Socket Mode URL for the app-level token,
served by bot/testing/fake_socket.py. That module (and its `websockets` package, a dev
dependency) is loaded on first use: the demo runs the fake from an installed package
without it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.testing.fake_socket import FakeSocketMode


class FakeAppConnections:
    """Mixed into FakeSlack."""

    _sockets: FakeSocketMode | None

    @property
    def sockets(self) -> FakeSocketMode:
        """The websocket side: connections, envelopes, acks."""
        if self._sockets is None:
            from bot.testing.fake_socket import FakeSocketMode

            self._sockets = FakeSocketMode()
        return self._sockets

    def stop_sockets(self) -> None:
        if self._sockets is not None:
            self._sockets.stop()

    def open_connection(self, token: str) -> dict[str, Any]:
        """apps.connections.open: a Socket Mode URL, for the app-level token only."""
        from bot.testing.fake_socket import APP_TOKEN

        if not token:
            return {"ok": False, "error": "not_authed"}
        if not token.startswith("xapp-"):
            return {"ok": False, "error": "not_allowed_token_type"}
        if token != APP_TOKEN:
            return {"ok": False, "error": "invalid_auth"}
        return {"ok": True, "url": self.sockets.open_url()}
