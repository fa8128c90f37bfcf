"""`mentorbot serve`: uvicorn over HTTP (Slack, health, the API), Slack over Socket Mode if
asked; the scheduler beside either."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from types import FrameType

from bot.app import create_app
from bot.config import Settings
from bot.runtime import Runtime
from bot.scheduler import start_in_background
from bot.web import create_web

log = logging.getLogger(__name__)

#: How long a thread computing may keep the interpreter while another waits for it
#: (Python's default is 5 ms). The event loop that acknowledges Slack waits behind
#: every busy work thread in turn: at 1 ms, 30 of them hold an ack up 30 ms, not 150.
SWITCH_INTERVAL_S = 0.001


def _exit_cleanly(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def serve(settings: Settings, *, host: str, port: int, socket_mode: bool, scheduler: bool) -> None:
    """Serve until interrupted. SIGTERM is how platforms ask a service to stop, so it
    ends with status 0 (uvicorn drains requests first, then re-raises the signal,
    which without this handler would kill the process with -15)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _exit_cleanly)
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    runtime = Runtime.from_settings(settings)
    app = create_app(settings, runtime=runtime)
    stop_scheduler = start_in_background(settings, runtime, app) if scheduler else None
    socket = None
    try:
        if socket_mode:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            # Slack arrives over the socket; health and the API are still served over HTTP.
            log.info("connecting to Slack in Socket Mode")
            socket = SocketModeHandler(app, settings.slack_app_token)
            socket.connect()
        import uvicorn

        log.info("serving POST /slack/events, GET /healthz and /api on %s:%s", host, port)
        uvicorn.run(create_web(app, runtime), host=host, port=port, log_level="info")
    finally:
        if socket is not None:
            socket.close()
        if stop_scheduler is not None:
            stop_scheduler()
