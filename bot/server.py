"""`mentorbot serve`: uvicorn over HTTP, or Socket Mode; the scheduler beside either."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

from bot.app import create_app
from bot.config import Settings
from bot.runtime import Runtime
from bot.scheduler import start_in_background
from bot.web import MentorBotWeb

log = logging.getLogger(__name__)


def _exit_cleanly(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def serve(settings: Settings, *, host: str, port: int, socket_mode: bool, scheduler: bool) -> None:
    """Serve until interrupted. SIGTERM is how platforms ask a service to stop, so it
    ends with status 0 (uvicorn drains requests first, then re-raises the signal,
    which without this handler would kill the process with -15)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _exit_cleanly)
    runtime = Runtime.from_settings(settings)
    app = create_app(settings, runtime=runtime)
    stop_scheduler = start_in_background(settings, runtime, app) if scheduler else None
    try:
        if socket_mode:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            log.info("connecting to Slack in Socket Mode")
            SocketModeHandler(app, settings.slack_app_token).start()
        else:
            import uvicorn

            log.info("serving POST /slack/events and GET /healthz on %s:%s", host, port)
            uvicorn.run(MentorBotWeb(app, runtime), host=host, port=port, log_level="info")
    finally:
        if stop_scheduler is not None:
            stop_scheduler()
