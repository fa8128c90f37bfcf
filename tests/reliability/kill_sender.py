"""A sender the reliability tests SIGKILL mid-send: it runs the outbox's delivery
worker (`outbox`) or a reminder sweep (`sweep`) at a given instant, and kills itself
at one step of its N-th post: `before_post` (claimed, nothing sent), `after_post`
(Slack has it, nothing recorded) or `after_record` (recorded and committed).

    python -m tests.reliability.kill_sender outbox|sweep STEP N NOW DATABASE_URL API_URL
"""

from __future__ import annotations

import os
import signal
import sys
from datetime import datetime
from typing import Any

from bot import delivery, sweep
from bot.config import Settings
from bot.runtime import Runtime
from bot.services import ledger
from bot.slack_client import make_client
from bot.sweep import run_sweep

STEPS = ("before_post", "after_post", "after_record")


def die() -> None:
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def main(mode: str, step: str, nth: int, now: datetime, database_url: str, api_url: str) -> None:
    settings = Settings(
        DATABASE_URL=database_url,
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET="kill-test",
        SLACK_API_URL=api_url,
        _env_file=None,
    )
    runtime = Runtime.from_settings(settings)
    runtime.clock = lambda: now
    client = make_client(settings)
    posts = [0]
    original_post = client.chat_postMessage

    def post(**kwargs: Any) -> Any:
        posts[0] += 1
        if posts[0] == nth and step == "before_post":
            die()
        response = original_post(**kwargs)
        if posts[0] == nth and step == "after_post":
            die()
        return response

    client.chat_postMessage = post  # type: ignore[method-assign]

    # After the N-th post's outcome is committed: the outbox's `_send` returns then; the
    # ledger's `record` commits when the sweep's `with` block ends (see below).
    original_send = delivery._send

    def send(*args: Any) -> Any:
        outcome = original_send(*args)
        if posts[0] == nth and step == "after_record":
            die()
        return outcome

    delivery._send = send  # type: ignore[assignment]
    original_record = ledger.record
    recorded = [False]

    def record(*args: Any, **kwargs: Any) -> Any:
        status = original_record(*args, **kwargs)
        recorded[0] = posts[0] == nth and step == "after_record"
        return status

    ledger.record = record  # type: ignore[assignment]
    _kill_on_next_heartbeat(recorded)
    if mode == "outbox":
        delivery.deliver(runtime, client)
    else:
        run_sweep(runtime, client, now=now)
    if recorded[0]:
        die()  # the N-th was the sweep's last: its record committed, nothing after it
    print("finished without being killed")


def _kill_on_next_heartbeat(recorded: list[bool]) -> None:
    """Kill right after the sweep's record transaction committed: the next delivery's
    heartbeat check is the first thing that runs after it."""
    original = sweep.Heartbeat.due

    def due(self: Any) -> bool:
        if recorded[0]:
            die()
        return original(self)

    sweep.Heartbeat.due = due  # type: ignore[method-assign]


if __name__ == "__main__":
    mode, step, nth, now, database_url, api_url = sys.argv[1:7]
    assert mode in ("outbox", "sweep") and step in STEPS
    main(mode, step, int(nth), datetime.fromisoformat(now), database_url, api_url)
