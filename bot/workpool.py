"""The bounded pool all Slack work runs on, so an ack never waits for anyone's work.

Threads (MENTORBOT_WORK_THREADS) run the work; at most MENTORBOT_WORK_QUEUE more wait
for one. Past that, `admit` says no and the caller answers "busy" at once: a flood
from one person, a Slack answering 429 or a slow database make people wait their turn
or try again, never time out, and the queue (so the process's memory) stays bounded.

Bolt hands the pool its listeners as `listener_executor`. Work that `admit` took is
already on a pool thread, so Bolt's listener then runs right there, start to finish,
instead of taking a second thread (see `submit`). A request answered in its ack (the
help) runs on threads of its own (`answer`), never behind the pool's work."""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

BUSY = "I'm busy right now — try again in a minute."

#: Requests one person may have in the pool at once: a flood from one person is told
#: "busy" beyond these, and everyone else is still served meanwhile.
PER_PERSON = 4

#: Threads answering requests in their ack (`answer`).
ANSWER_THREADS = 6
#: Answers that may wait for one of them. Past that (a database held while a crowd
#: asks for help) `answer` declines and the caller answers without Bolt: memory stays
#: bounded, and the person's first contact is made on their next request.
ANSWER_QUEUE = 64

#: A request that waited this long for a thread is answered "busy" instead of run:
#: its trigger_id (3 s to open a modal) would be gone before its modal could open.
MAX_WAIT_S = 2.0


class WorkPool(Executor):
    """`threads` (an executor, or how many threads to start) running the work, and
    room for `queue` more waiting."""

    def __init__(self, threads: ThreadPoolExecutor | int, queue: int) -> None:
        if isinstance(threads, int):
            threads = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="work")
        self._threads = threads
        self.limit = threads._max_workers + queue
        self._lock = threading.Lock()
        self._in_flight = 0
        self._per_person: Counter[str] = Counter()
        self._here = threading.local()
        # An answer is short and mostly CPU (a row read at most): a few threads do.
        self._answers = ThreadPoolExecutor(max_workers=ANSWER_THREADS, thread_name_prefix="answer")
        self._answering = 0

    @property
    def in_flight(self) -> int:
        """Work admitted and not yet finished (running or waiting for a thread)."""
        return self._in_flight

    @property
    def full(self) -> bool:
        return self._in_flight >= self.limit

    def admit(self, work: Callable[[], Any], too_late: Callable[[], Any], who: str = "") -> bool:
        """Queue `work` for person `who`, or return False at once when the pool is
        full or `who` has PER_PERSON requests in it already. Work that waits more than
        MAX_WAIT_S for its thread runs `too_late` instead."""
        with self._lock:
            if self._in_flight >= self.limit or (who and self._per_person[who] >= PER_PERSON):
                return False
            self._in_flight += 1
            if who:
                self._per_person[who] += 1
        queued_at = time.monotonic()

        def run() -> Any:
            try:
                if time.monotonic() - queued_at > MAX_WAIT_S:
                    return too_late()
                return self._run_here(work)
            finally:
                if who:
                    with self._lock:
                        self._per_person[who] -= 1
                        if not self._per_person[who]:
                            del self._per_person[who]  # so the counter stays small

        self._counted(run)
        return True

    def notice(self, fn: Callable[..., Any], /, *args: Any) -> bool:
        """Run `fn(*args)` (telling someone turned away that we are busy) unless even
        those have filled a second `limit`: then it is dropped, and False."""
        with self._lock:
            if self._in_flight >= 2 * self.limit:
                log.warning("busy: a notice to someone turned away was dropped")
                return False
            self._in_flight += 1
        self._counted(fn, *args)
        return True

    def later(self, fn: Callable[..., Any], /, *args: Any) -> Future[Any]:
        """Run `fn(*args)` on a pool thread of its own (work after an ack that must
        not hold the request up, e.g. fetching a profile while a modal opens)."""
        with self._lock:
            self._in_flight += 1
        return self._counted(fn, *args)

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        """Bolt's way in: on a thread running admitted work, run the listener here and
        now (that request was acknowledged already); otherwise as `later`."""
        if not self.runs_listeners_here:
            return self.later(lambda: fn(*args, **kwargs))
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # Bolt reads the outcome from the future
            future.set_exception(exc)
        return future

    @property
    def runs_listeners_here(self) -> bool:
        """Whether Bolt runs the listener of the request this thread serves here, right
        after its middleware (`submit`)."""
        return bool(getattr(self._here, "run_listeners", False))

    @property
    def answering(self) -> int:
        """Answers running or waiting for an answer thread."""
        return self._answering

    def answer(self, work: Callable[[], T]) -> Future[T] | None:
        """Run `work` (Bolt's dispatch of a request answered in its ack) on an answer
        thread, Bolt's listener on that same thread: it waits for none of the pool's
        work. None, at once, when ANSWER_QUEUE answers wait already."""
        with self._lock:
            if self._answering >= ANSWER_THREADS + ANSWER_QUEUE:
                return None
            self._answering += 1

        def run() -> T:
            try:
                return self._run_here(work)
            finally:
                with self._lock:
                    self._answering -= 1

        return self._answers.submit(run)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._threads.shutdown(wait=wait, cancel_futures=cancel_futures)
        self._answers.shutdown(wait=wait, cancel_futures=cancel_futures)

    def _run_here(self, work: Callable[[], T]) -> T:
        with self._listeners_run_here():
            return work()

    @contextmanager
    def _listeners_run_here(self) -> Iterator[None]:
        self._here.run_listeners = True
        try:
            yield
        finally:
            self._here.run_listeners = False

    def _counted(self, fn: Callable[..., Any], /, *args: Any) -> Future[Any]:
        def run() -> Any:
            try:
                return fn(*args)
            except Exception:
                log.exception("work after an ack failed")
                raise
            finally:
                with self._lock:
                    self._in_flight -= 1

        try:
            return self._threads.submit(run)
        except RuntimeError:  # shut down: nothing will run it
            with self._lock:
                self._in_flight -= 1
            raise
