"""`mentorbot serve`: uvicorn over HTTP (Slack, health, the API), Slack over Socket Mode if
asked; the scheduler beside either. With `--workers N`, N uvicorn worker processes share
the port, each with its own app, and the sweep runs once, in the supervising process."""

from __future__ import annotations

import gc
import logging
import signal
import sys
import threading
from collections.abc import Callable
from datetime import datetime
from types import FrameType

from fastapi import FastAPI

from bot.app import create_app
from bot.config import Settings
from bot.runtime import Runtime, clock_starting_at
from bot.scheduler import SWEEP_INTERVAL_SECONDS, start_in_background
from bot.socket_mode import DEFAULT_CONNECTIONS, SocketMode
from bot.web import create_web

log = logging.getLogger(__name__)

#: uvicorn's access log is off: a line per Slack request ("POST /slack/events 200")
#: names neither the person nor what they asked, costs the event loop that acks them,
#: and at a busy morning's hundreds a second floods the log. What an operator acts on
#: we log, with why: a request refused (no valid signature, no Slack payload, an event
#: left for Slack to retry), work that failed, Slack refusing our token.
ACCESS_LOG = False
#: How long a `--workers` worker may take to answer its supervisor before it is replaced.
WORKER_HEALTHCHECK_SECONDS = 30
#: How long a thread computing may keep the interpreter while another waits for it
#: (Python's default is 5 ms). The event loop that acknowledges Slack waits behind
#: every busy work thread in turn: at 1 ms, 30 of them hold an ack up 30 ms, not 150.
SWITCH_INTERVAL_S = 0.001
#: New objects the garbage collector lets pile up before it looks at them (Python's
#: default is 700). A request makes thousands (rows, Block Kit dicts, Bolt's context),
#: nearly all freed by reference counting alone, so at 700 the collector ran several
#: times a request and, every hundred young passes, walked the whole heap.
GC_YOUNG_OBJECTS = 20_000


def _exit_cleanly(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def serve(
    settings: Settings,
    *,
    host: str,
    port: int,
    socket_mode: bool,
    scheduler: bool,
    workers: int = 1,
    connections: int = DEFAULT_CONNECTIONS,
    starting_at: datetime | None = None,
    sweep_interval: int = SWEEP_INTERVAL_SECONDS,
) -> None:
    """Serve until interrupted. SIGTERM is how platforms ask a service to stop, so it
    ends with status 0 (uvicorn drains requests first, then re-raises the signal,
    which without this handler would kill the process with -15). With `starting_at`
    the process's clock starts at that instant and runs on (a rehearsal or a test).
    In Socket Mode, Slack arrives over `connections` websockets sharing one work pool."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _exit_cleanly)
    runtime = Runtime.from_settings(settings)
    if starting_at is not None:
        runtime.clock = clock_starting_at(starting_at)
    if workers > 1:
        _serve_workers(settings, runtime, host, port, workers, scheduler, sweep_interval)
        return
    app = create_app(settings, runtime=runtime)
    stop_scheduler = (
        start_in_background(settings, runtime, app, interval_seconds=sweep_interval)
        if scheduler
        else None
    )
    socket = None
    try:
        if socket_mode:
            # Slack arrives over the sockets; health and the API are still served over HTTP.
            log.info("connecting to Slack in Socket Mode (%d connections)", connections)
            socket = SocketMode(app, settings.slack_app_token or "", connections)
            socket.connect()
        import uvicorn

        web = create_web(app, runtime)
        settle_interpreter()
        log.info("serving POST /slack/events, GET /healthz and /api on %s:%s", host, port)
        uvicorn.run(
            web,
            host=host,
            port=port,
            log_level="info",
            access_log=ACCESS_LOG,
        )
    finally:
        if socket is not None:
            socket.close()
        if stop_scheduler is not None:
            stop_scheduler()


def _serve_workers(
    settings: Settings,
    runtime: Runtime,
    host: str,
    port: int,
    workers: int,
    scheduler: bool,
    sweep_interval: int,
) -> None:
    """uvicorn's supervisor starts `workers` processes (each reads the same environment
    and builds its app with `worker_web`) and restarts one that dies; the sweep runs
    here, once, whatever the number of workers."""
    import uvicorn

    stop_scheduler: Callable[[], None] | None = (
        start_in_background(settings, runtime, None, interval_seconds=sweep_interval)
        if scheduler
        else None
    )
    log.info(
        "serving POST /slack/events, GET /healthz and /api on %s:%s with %s workers",
        host,
        port,
        workers,
    )
    try:
        uvicorn.run(
            "bot.server:worker_web",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="info",
            access_log=ACCESS_LOG,
            # A worker that doesn't answer the supervisor's ping in time is killed and
            # replaced; uvicorn's 5 s is less than one takes to start on a busy machine.
            timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
        )
    finally:
        if stop_scheduler is not None:
            stop_scheduler()


def worker_web() -> FastAPI:
    """One `--workers` process's whole app, from the environment (uvicorn's factory)."""
    settings = Settings()
    runtime = Runtime.from_settings(settings)
    web = create_web(create_app(settings, runtime=runtime), runtime)
    settle_interpreter()
    return web


def settle_interpreter() -> None:
    """Tune the interpreter for serving, once the app is built: threads hand over the
    interpreter often (SWITCH_INTERVAL_S), and what start-up made (modules, the app,
    compiled statements: most of the heap, and kept for the process's life) is moved
    out of the collector's sight, so its passes walk only what requests made since."""
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    gc.collect()
    gc.freeze()
    _young, *older = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_OBJECTS, *older)
