"""Benchmark: what an idle `mentorbot serve` holds, and the CPU one `/mentor help` costs.

    .venv/bin/python -m bench.serve_cost [--tree DIR[,KEY=VALUE...] ...] [--requests N]

Makes a throw-away PostgreSQL database with a small generated program (as bench/load.py
--quick), starts `mentorbot serve --no-scheduler` from each source tree given (default:
this one; e.g. an export of main beside it, to compare in the same minutes; after a
comma, environment variables for that server only, e.g. `.,MALLOC_ARENA_MAX=8`) and
the bare Bolt app of bench/load.py, warms every path of bench/load.py a few times, and
prints each server's idle RSS. Then it sends `/mentor help` from 50 people at once to
each server in turn (three rounds, alternating; each server's senders are people of
its own, so the first round includes each one's first contacts) and prints requests/s
served, its ratio to bare Bolt's, and CPU milliseconds (user + system, of the server's
process) per request: a count the machine's other work disturbs less than a rate."""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.api import SERVER_URL, _free_port, _wait_until_up
from bench.database import throwaway_database
from bench.load import SIZES, cpu_s, load_program, rss_mb
from bench.load_traffic import SECRET, LoadFake, People, closed_loop, make_fake, settle

WARM_PATHS = ("help", "match", "button", "home")
ROUNDS = 3


def start(
    tree: str, url: str, fake: LoadFake, people: People, log: Path
) -> tuple[subprocess.Popen[bytes], str]:
    """`mentorbot serve` from a tree's sources (run from it, so `bot` is imported
    there), with that tree's own environment variables."""
    folder, *assignments = tree.split(",")
    port = _free_port()
    env = {
        **os.environ,
        **dict(a.split("=", 1) for a in assignments),
        "DATABASE_URL": url,
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.url,
        "MENTORBOT_ADMINS": ",".join(people.admins),
    }
    out = log.open("ab")
    command = ["serve", "--host", "127.0.0.1", "--port", str(port), "--no-scheduler"]
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", *command], env=env, stdout=out, stderr=out, cwd=folder
    )
    _wait_until_up(f"http://127.0.0.1:{port}/healthz", {})
    return process, f"http://127.0.0.1:{port}/slack/events"


def start_bare(log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    out = log.open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.load", "--serve-bare", str(port)], stdout=out, stderr=out
    )
    time.sleep(3)  # no health check: the bare app answers nothing but Slack's path
    return process, f"http://127.0.0.1:{port}/slack/events"


def help_round(
    url: str, pid: int, fake: LoadFake, people: People, total: int, waits: bool
) -> tuple[float, float]:
    """(requests/s, CPU ms per request) for `total` help requests, 50 at once; a server
    that works after the ack is timed to the end of its work (`waits`)."""
    fake.url_posts.clear()
    cpu0, t0 = cpu_s(pid), time.perf_counter()
    asyncio.run(closed_loop(url, fake, people, "help", total, 50))
    if waits:
        while len(fake.url_posts) < total and time.perf_counter() - t0 < 120:
            time.sleep(0.005)
    elapsed = time.perf_counter() - t0
    return total / elapsed, (cpu_s(pid) - cpu0) * 1000 / total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", action="append", help="source tree to serve from[,KEY=VALUE...]")
    parser.add_argument("--requests", type=int, default=1000, help="help requests per round")
    args = parser.parse_args(argv)
    trees = args.tree or ["."]
    log = Path(f"/tmp/bench-serve-cost-{os.getpid()}.log")
    with throwaway_database(SERVER_URL) as url:
        people = load_program(url, SIZES["quick"])
        fake = make_fake(people)
        servers = [start(tree, url, fake, people, log) for tree in trees]
        bare = start_bare(log)
        try:
            for _, app_url in servers:
                for path in WARM_PATHS:
                    asyncio.run(closed_loop(app_url, fake, people, path, 3, 1))
            settle(fake)
            for tree, (process, _) in zip(trees, servers, strict=True):
                print(f"{tree}: idle RSS {rss_mb(process.pid, 'VmRSS'):.1f} MB")
            # Each server hears from people of its own: a person's first request writes
            # (first contact), and that write is the first server's alone otherwise.
            own = [
                People(people.mentors, people.hires[i :: len(trees)], people.admins)
                for i in range(len(trees))
            ]
            print(f"load average {os.getloadavg()[0]:.2f}; help, 50 at once, {args.requests}:")
            for _ in range(ROUNDS):
                bare_rps, bare_ms = help_round(
                    bare[1], bare[0].pid, fake, people, args.requests, False
                )
                print(f"  bare Bolt: {bare_rps:6.0f} req/s, {bare_ms:5.2f} CPU ms/request")
                for tree, (process, app_url), theirs in zip(trees, servers, own, strict=True):
                    rps, ms = help_round(app_url, process.pid, fake, theirs, args.requests, True)
                    print(
                        f"  {tree}: {rps:6.0f} req/s ({rps / bare_rps:.2f}x), "
                        f"{ms:5.2f} CPU ms/request, RSS {rss_mb(process.pid, 'VmRSS'):.0f} MB "
                        f"(peak {rss_mb(process.pid, 'VmHWM'):.0f})"
                    )
        finally:
            for process, _ in [*servers, bare]:
                process.terminate()
                process.wait(timeout=15)
            fake.stop()
    print(f"server log: {log}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
