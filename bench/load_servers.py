"""The three servers bench/load.py measures, and what their processes use: `mentorbot
serve` and, under the same server (uvicorn) with the same number of worker processes,
a bare Bolt app whose listeners only ack (the ceiling) and a simple Bolt app doing the
same work the simple way (bench/load_simple.py, the fair baseline)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
from fastapi import FastAPI, Request, Response

from bench.api import _free_port, _wait_until_up
from bench.load_traffic import SECRET, LoadFake, People

if TYPE_CHECKING:
    from slack_bolt import App


@dataclass
class Servers:
    app: subprocess.Popen[bytes]
    bare: subprocess.Popen[bytes]
    simple: subprocess.Popen[bytes]
    app_port: int
    bare_port: int
    simple_port: int
    workers: int

    def stop(self) -> None:
        for child in (self.app, self.bare, self.simple):
            child.terminate()
            child.wait(timeout=30)


def server_env(url: str, fake: LoadFake, people: People) -> dict[str, str]:
    """The environment `mentorbot serve` runs with: this database, the fake Web API."""
    return {
        **os.environ,
        "DATABASE_URL": url,
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.url,
        "MENTORBOT_ADMINS": ",".join(people.admins),
    }


def serve_command(port: int, workers: int = 1) -> list[str]:
    """`mentorbot serve` on 127.0.0.1:`port` with `workers` processes and no
    scheduler (the benchmarks measure requests, not the sweep)."""
    return [
        *(sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)),
        *("--no-scheduler", "--workers", str(workers)),
    ]


def start_servers(url: str, fake: LoadFake, people: People, log: Path, workers: int) -> Servers:
    """The three servers started on free ports, each with `workers` processes, and up."""
    app_port, bare_port, simple_port = _free_port(), _free_port(), _free_port()
    env = server_env(url, fake, people)
    out = log.open("ab")
    app = subprocess.Popen(serve_command(app_port, workers), env=env, stdout=out, stderr=out)
    bare = subprocess.Popen(
        [sys.executable, "-m", "bench.load_servers", str(bare_port), str(workers)],
        env=env,
        stdout=out,
        stderr=out,
    )
    simple = subprocess.Popen(
        [sys.executable, "-m", "bench.load_simple", str(simple_port), str(workers)],
        env=env,
        stdout=out,
        stderr=out,
    )
    _wait_until_up(f"http://127.0.0.1:{app_port}/healthz", {})
    for port in (bare_port, simple_port):
        for _ in range(300):
            try:
                httpx.post(f"http://127.0.0.1:{port}/slack/events", content=b"", timeout=5)
                break
            except httpx.TransportError:
                time.sleep(0.2)
    if workers > 1:  # every worker has taken a request before anything is measured
        time.sleep(3)
    return Servers(app, bare, simple, app_port, bare_port, simple_port, workers)


def bare_web():  # type: ignore[no-untyped-def]
    """The ceiling: Bolt with listeners that only ack, dispatched as bot/web.py did
    before acks moved ahead of the work (a worker thread per request).

    Its client is on the fake Web API (`SLACK_API_URL`), as the other servers' are:
    Bolt checks the token with one `auth.test` before its first listener runs, and
    on slack.com that failed on every request (no network), so each was answered 500
    after a failed DNS lookup (bench.load's "bare Bolt" until 2026-12-06 measured
    that, or FastAPI's 422, see `bolt_web`)."""
    from slack_bolt import App
    from slack_sdk import WebClient

    client = WebClient(token="xoxb-bare", base_url=os.environ["SLACK_API_URL"])
    bolt = App(client=client, signing_secret=SECRET, token_verification_enabled=False)
    bolt.command("/mentor")(lambda ack: ack())
    bolt.action(re.compile(".*"))(lambda ack: ack())
    bolt.event("app_home_opened")(lambda: None)
    return bolt_web(bolt)


def bolt_web(bolt: App) -> FastAPI:
    """`bolt` served on `POST /slack/events` by FastAPI, each request dispatched on a
    worker thread: how both baselines (bare and simple) are served.

    FastAPI and its `Request` are imported at the top of this module: FastAPI reads
    `events`'s annotations (strings here) in the module's globals, and a `Request`
    imported inside this function made it a required query parameter, so every
    request was answered 422 without reaching Bolt (bench.load's "bare Bolt" until
    2026-12-06 measured that)."""
    from slack_bolt.request import BoltRequest

    web = FastAPI()

    @web.post("/slack/events")
    async def events(request: Request) -> Response:
        raw = (await request.body()).decode()
        headers = dict(request.headers)
        answer = await asyncio.to_thread(bolt.dispatch, BoltRequest(body=raw, headers=headers))
        return Response(answer.body, status_code=answer.status)

    return web


def run_baseline(factory: str, port: int, workers: int) -> None:
    """Serve the app `factory` ("module:function") with uvicorn on 127.0.0.1:`port`
    with `workers` processes, as `mentorbot serve --workers N` runs."""
    import uvicorn

    uvicorn.run(
        factory,
        factory=True,
        host="127.0.0.1",
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
    )


def tree(pid: int) -> list[int]:
    """`pid` and its descendants (a `--workers` supervisor and its workers)."""
    found, todo = [], [pid]
    while todo:
        here = todo.pop()
        found.append(here)
        for task in Path(f"/proc/{here}/task").glob("*"):
            with contextlib.suppress(OSError):  # the thread ended meanwhile
                todo.extend(int(c) for c in (task / "children").read_text().split())
    return found


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) process `pid` and its children have used."""
    total = 0.0
    for each in tree(pid):
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def rss_mb(pid: int, key: str) -> float:
    """The largest `key` (VmRSS, VmHWM) among `pid`'s processes, in MB: the goal is per
    process, and a supervisor's workers each hold their own app."""
    largest = float("nan")
    for each in tree(pid):
        try:
            lines = Path(f"/proc/{each}/status").read_text().splitlines()
        except OSError:
            continue
        for line in lines:
            if line.startswith(key + ":"):
                value = int(line.split()[1]) / 1024
                largest = value if largest != largest else max(largest, value)
    return largest


if __name__ == "__main__":
    run_baseline("bench.load_servers:bare_web", int(sys.argv[1]), int(sys.argv[2]))
