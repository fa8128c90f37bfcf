"""Run the real app over HTTP in this process, and know when its background work is done."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import uvicorn

from bot.app import create_app
from bot.config import Settings
from bot.runtime import Runtime
from bot.web import create_web


def wait_until(done: Callable[[], object], what: str, timeout: float = 45.0) -> None:
    """Wait for `done()` to hold, for work no executor here can wait for (another
    process's, a socket's); fail saying `what` was awaited when it doesn't in time."""
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, f"waited {timeout:.0f} s for {what}"
        time.sleep(0.05)


class TrackingExecutor(ThreadPoolExecutor):
    """The threads of the app's work pool (bot/workpool.py), able to wait until every
    request's work has finished, so a test sees the state after what runs after the ack."""

    def __init__(self, max_workers: int = 8) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="listener")
        self._pending = 0
        self._idle = threading.Condition()
        self.errors: list[BaseException] = []

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._idle:
            self._pending += 1
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(self._done)
        return future

    def _done(self, future: Future[Any]) -> None:
        if future.exception() is not None:
            self.errors.append(future.exception())  # type: ignore[arg-type]
        with self._idle:
            self._pending -= 1
            self._idle.notify_all()

    def wait_idle(self, timeout: float = 15.0) -> None:
        with self._idle:
            if not self._idle.wait_for(lambda: self._pending == 0, timeout=timeout):
                raise TimeoutError(f"{self._pending} listener(s) still running after {timeout}s")


class ServedApp:
    """The whole web app (Slack, health, the API) behind uvicorn on 127.0.0.1 and a
    free port, in a thread."""

    def __init__(self, settings: Settings, runtime: Runtime | None = None) -> None:
        self.settings = settings
        self.runtime = runtime or Runtime.from_settings(settings)
        self.executor = TrackingExecutor()
        self.bolt = create_app(settings, runtime=self.runtime, listener_executor=self.executor)
        self.web = create_web(self.bolt, self.runtime)
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        config = uvicorn.Config(self.web, log_level="warning", lifespan="off", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ServedApp:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise TimeoutError("the app did not start within 10 s")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self.executor.shutdown(wait=True)
        self.runtime.session_factory.kw["bind"].dispose()
