"""Benchmark: the REST API under load, beside a bare FastAPI endpoint in the same run.

    .venv/bin/python -m bench.api [--hires N] [--requests N] [--keep]

Makes its own throw-away PostgreSQL database (MENTORBOT_BENCH_POSTGRES_URL, default
postgresql+psycopg://postgres@127.0.0.1:5432/test), loads a generated program, serves
the whole app (Slack, health, /api) with uvicorn in one child process and a bare FastAPI
app whose one endpoint returns a constant in another, then measures requests per second
and p50/p95/p99 latency of GET /api/mentors/matches and GET /api/mentorship/analytics
(and the constant) at concurrency 1 and 20 from this process. Prints the machine's load.
Nothing is asserted: the table is the result."""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from typing import Any

import httpx
import sqlalchemy as sa

from bench.analytics import bench_spec, copy_load
from bench.database import throwaway_database
from bot.testing.program_generator import generate
from models.db import make_engine, make_session_factory

SERVER_URL = os.environ.get(
    "MENTORBOT_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
CONCURRENCY = (1, 20)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hires", type=int, default=15_000)
    parser.add_argument("--requests", type=int, default=200, help="per endpoint and concurrency")
    parser.add_argument("--keep", action="store_true", help="don't drop the database")
    parser.add_argument("--serve", choices=("app", "bare"), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--slack-url", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        return serve(args)
    with throwaway_database(SERVER_URL, keep=args.keep) as url:
        return run(url, args)


def serve(args: argparse.Namespace) -> int:
    """The child process: the whole MentorBot web app, or the bare constant app."""
    import uvicorn
    from fastapi import FastAPI

    if args.serve == "bare":
        bare = FastAPI()

        @bare.get("/constant")
        def constant() -> dict[str, str]:
            return {"ok": "constant"}

        uvicorn.run(bare, host="127.0.0.1", port=args.port, log_level="warning")
        return 0
    from bot.app import create_app
    from bot.config import Settings
    from bot.runtime import Runtime
    from bot.web import create_web

    settings = Settings(
        DATABASE_URL=args.database_url,
        SLACK_BOT_TOKEN="xoxb-bench",
        SLACK_SIGNING_SECRET="bench",
        SLACK_API_URL=args.slack_url,
        _env_file=None,
    )
    runtime = Runtime.from_settings(settings)
    web = create_web(create_app(settings, runtime=runtime, token_verification=False), runtime)
    uvicorn.run(web, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)
    return 0


def run(url: str, args: argparse.Namespace) -> int:
    from bot.services import api_tokens
    from bot.testing.fake_slack import FakeSlack

    engine = make_engine(url)
    started = time.perf_counter()
    program = generate(bench_spec(args.hires))
    counts = copy_load(engine, program)
    print(f"\nMentorBot API benchmark (PostgreSQL, database {sa.engine.make_url(url).database})")
    print(f"  loaded in {time.perf_counter() - started:.1f} s: ", end="")
    print(", ".join(f"{n:,} {table}" for table, n in counts.items() if n))
    with make_session_factory(engine)() as db:
        issued = api_tokens.issue_service(
            db, name="bench", scopes=["mentors:read", "analytics:read"], now=datetime.now(UTC)
        )
        mentee = db.scalar(
            sa.text("SELECT id FROM users ORDER BY hire_date DESC NULLS LAST LIMIT 1")
        )
        db.commit()
    engine.dispose()

    fake = FakeSlack().start()
    app_port, bare_port = _free_port(), _free_port()
    children = [
        _child("app", app_port, url, fake.url),
        _child("bare", bare_port, url, fake.url),
    ]
    try:
        headers = {"Authorization": f"Bearer {issued.token}"}
        targets = [
            ("GET /constant (bare FastAPI)", f"http://127.0.0.1:{bare_port}/constant", {}),
            (
                "GET /api/mentors/matches",
                f"http://127.0.0.1:{app_port}/api/mentors/matches?mentee={mentee}",
                headers,
            ),
            (
                "GET /api/mentorship/analytics",
                f"http://127.0.0.1:{app_port}/api/mentorship/analytics",
                headers,
            ),
        ]
        for _name, target, target_headers in targets:
            _wait_until_up(target, target_headers)
        print(f"  {args.requests} requests per line, after 10 warm-up requests")
        columns = ("req/s", "p50 ms", "p95 ms", "p99 ms")
        print(f"  {'endpoint':<32} {'conc.':>5} " + " ".join(f"{c:>8}" for c in columns))
        for name, target, target_headers in targets:
            for concurrency in CONCURRENCY:
                figures = asyncio.run(_load(target, target_headers, args.requests, concurrency))
                print(
                    f"  {name:<32} {concurrency:>5} {figures['rps']:>8.1f} "
                    f"{figures['p50']:>8.1f} {figures['p95']:>8.1f} {figures['p99']:>8.1f}"
                )
        load1, load5, _ = os.getloadavg()
        print(f"  load average after measuring: {load1:.2f} (1 min), {load5:.2f} (5 min)")
        print(f"  CPUs: {os.cpu_count()}; server: one uvicorn process each, client: this one")
    finally:
        for child in children:
            child.terminate()
            child.wait(timeout=10)
        fake.stop()
    return 0


async def _load(url: str, headers: dict[str, str], total: int, concurrency: int) -> dict[str, Any]:
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=120) as client:
        for _ in range(10):
            (await client.get(url)).raise_for_status()
        queue = list(range(total))

        async def worker() -> None:
            while queue:
                queue.pop()
                t0 = time.perf_counter()
                response = await client.get(url)
                latencies.append((time.perf_counter() - t0) * 1000)
                response.raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "rps": total / elapsed,
        "p50": statistics.median(ordered),
        "p95": ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))],
        "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
    }


def _child(kind: str, port: int, url: str, slack_url: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench.api",
            "--serve",
            kind,
            "--port",
            str(port),
            "--database-url",
            url,
            "--slack-url",
            slack_url,
        ],
    )


def _wait_until_up(url: str, headers: dict[str, str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, headers=headers, timeout=60).status_code < 500:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within 60 s")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


if __name__ == "__main__":
    sys.exit(main())
