"""Benchmark: Slack's requests against `mentorbot serve` under load, beside a bare Bolt app.

    .venv/bin/python -m bench.load [--quick] [--keep] [--workers N] [--home-only]

Makes a throw-away PostgreSQL database (MENTORBOT_BENCH_POSTGRES_URL, as bench/api.py),
loads a generated program (1,000 mentors and about 11,000 people; --quick: 100 and
1,100), starts `mentorbot serve` (a real process, no scheduler) on it and, beside it
under the same server (uvicorn), a bare Bolt app whose listeners only ack. Both talk
to a local fake Web API in this process (Slack's per-minute quotas lifted: a load test
sends in a second what a workspace sends in an hour), answering in 0 ms, then 150 ms.

The requests are prepared here and signed and sent from a process of its own on aiohttp
(bench/load_client.py), so the load generator is never the slowest party: the first
one (httpx, sharing an interpreter with the fake) held even the bare app to a p99 over
a second at 50 at once. It sends at concurrency 1, 10 and 50: `/mentor help`,
`/mentor match @hire` (by a program admin), a button that opens a modal (a mentor's
"Edit profile") and `app_home_opened`; then App Home opened 50 times a second. For
each it prints requests/s acknowledged, ack p50/p95/p99, how many were told "busy",
requests/s served (worked on to their last Web API call), end-to-end p50/p95 (request
to the last Web API call it caused, from the fake's record), the ratio to bare Bolt,
the CPU milliseconds `mentorbot serve` spent per request served (what a faster machine
or more workers would divide),
RSS idle and peak, the load average, and the issue's goals, met or NOT met. Nothing is
asserted: the machine is shared, so read the figures with its load."""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from bench.analytics import NOW, copy_load
from bench.api import SERVER_URL
from bench.database import throwaway_database
from bench.load_client import DROPPED
from bench.load_servers import Servers, cpu_s, rss_mb, start_servers
from bench.load_traffic import (
    People,
    Sender,
    Sent,
    finish_times,
    make_fake,
)
from bot.testing.program_generator import ProgramSpec, generate
from models.db import make_engine

CONCURRENCY = (1, 10, 50)
LATENCIES_MS = (0, 150)
PATHS = ("help", "match", "button", "home")
SIZES = {
    "quick": {"hires": 1_000, "mentors": 100, "managers": 20, "requests": 40, "home_s": 10},
    "full": {"hires": 10_000, "mentors": 1_000, "managers": 100, "requests": 200, "home_s": 60},
}
HOME_RATE = 50  # opens per second, the sustained App Home goal


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="a tenth of the program, fewer requests"
    )
    parser.add_argument("--keep", action="store_true", help="don't drop the database")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes of each server (`mentorbot serve --workers N`, and the same "
        "for the bare app); default 1",
    )
    parser.add_argument(
        "--home-only",
        action="store_true",
        help=f"only App Home opened {HOME_RATE}/s (the last line), without the table",
    )
    args = parser.parse_args(argv)
    size = SIZES["quick" if args.quick else "full"]
    with throwaway_database(SERVER_URL, keep=args.keep) as url:
        return run(url, size, "quick" if args.quick else "full", args.workers, args.home_only)


def load_program(url: str, size: dict[str, int]) -> People:
    spec = ProgramSpec(
        hires=size["hires"],
        mentored_share=2 / 3,
        mentors=size["mentors"],
        managers=size["managers"],
        today=NOW.date(),
        mentorship_weeks=16,
        seed=2026,
    )
    engine = make_engine(url)
    started = time.perf_counter()
    counts = copy_load(engine, generate(spec))
    with engine.connect() as conn:
        mentors = list(
            conn.scalars(
                sa.text(
                    "SELECT u.slack_user_id FROM mentors m JOIN users u ON u.id = m.user_id "
                    "ORDER BY 1"
                )
            )
        )
        managers = list(
            conn.scalars(
                sa.text(
                    "SELECT DISTINCT m.slack_user_id FROM users u "
                    "JOIN users m ON m.id = u.manager_id ORDER BY 1"
                )
            )
        )
        hires = list(
            conn.scalars(
                sa.text(
                    "SELECT slack_user_id FROM users WHERE id NOT IN (SELECT user_id FROM mentors) "
                    "AND hire_date IS NOT NULL ORDER BY hire_date DESC"
                )
            )
        )
    engine.dispose()
    print(
        f"  loaded in {time.perf_counter() - started:.1f} s: "
        + ", ".join(
            f"{n:,} {table}"
            for table, n in counts.items()
            if n and table in ("users", "mentors", "mentorship_assignments", "mentorship_sessions")
        )
    )
    return People(mentors, hires, managers)


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000


@dataclass
class Row:
    acked_rps: float
    ack: tuple[float, float, float]
    busy: int
    served_rps: float
    e2e: tuple[float, float]
    #: Acks after Slack's 3 s, or connections dropped with no answer at all.
    late: int
    #: CPU milliseconds `mentorbot serve` spent per request it served (ack and work).
    cpu_ms: float = float("nan")


def figures(sent: list[Sent], elapsed: float) -> Row:
    """The row of the table for these requests, sent over `elapsed` seconds."""
    acks = [s.ack_s for s in sent]
    served = [s for s in sent if not s.busy and s.status != DROPPED]
    e2e = [s.e2e_s for s in served if s.e2e_s is not None]
    span = max((s.at + s.e2e_s for s in served if s.e2e_s is not None), default=0.0)
    start = min(s.at for s in sent)
    served_rps = len(served) / max(span - start, elapsed) if e2e else len(served) / elapsed
    return Row(
        len(sent) / elapsed,
        (pct(acks, 0.5), pct(acks, 0.95), pct(acks, 0.99)),
        sum(s.busy for s in sent),
        served_rps,
        (pct(e2e, 0.5), pct(e2e, 0.95)),
        sum(s.ack_s > 3.0 or s.status == DROPPED for s in sent),
    )


def run(url: str, size: dict[str, int], name: str, workers: int, home_only: bool = False) -> int:
    load1, load5, _ = os.getloadavg()
    print(
        f"\nMentorBot load benchmark ({name} size; PostgreSQL, database "
        f"{sa.engine.make_url(url).database}); load average before: {load1:.2f} / {load5:.2f}"
    )
    people = load_program(url, size)
    fake = make_fake(people)
    log = Path(f"/tmp/bench-load-{os.getpid()}.log")
    servers = start_servers(url, fake, people, log, workers)
    sender = Sender(fake, people)
    try:
        measure(sender, size, servers, log, home_only)
    finally:
        servers.stop()
        sender.close()
        fake.stop()
    return 0


def measure(
    sender: Sender,
    size: dict[str, int],
    servers: Servers,
    log: Path,
    home_only: bool = False,
) -> None:
    app, bare = servers.app, servers.bare
    app_url = f"http://127.0.0.1:{servers.app_port}/slack/events"
    bare_url = f"http://127.0.0.1:{servers.bare_port}/slack/events"
    fake = sender.fake
    for path in PATHS:  # warm up: every path once, then the idle size
        sender.closed_loop(app_url, path, 3, 1)
    idle = rss_mb(app.pid, "VmRSS")
    cpu_before = (cpu_s(app.pid), cpu_s(bare.pid), time.process_time(), time.perf_counter())
    print(
        f"  requests per line: {size['requests']}; worker processes per server: "
        f"{servers.workers}; server log: {log}"
    )
    print(
        f"  {'path':<8} {'lat.':>5} {'conc':>4} {'acked/s':>8} {'ack p50':>8} {'p95':>7} "
        f"{'p99':>7} {'busy':>5} {'served/s':>9} {'e2e p50':>8} {'p95':>7} "
        f"{'bare/s':>7} {'p99':>6} {'ratio':>6} {'cpu ms':>6}"
    )
    results: dict[tuple[int, str, int], Row] = {}
    ceilings: dict[tuple[str, int], Row] = {}
    for latency in () if home_only else LATENCIES_MS:
        fake.latency = latency / 1000
        for path in PATHS:
            for conc in CONCURRENCY:
                cpu_line = cpu_s(app.pid)
                sent, elapsed = sender.closed_loop(app_url, path, size["requests"], conc)
                finish_times(fake, sent)
                row = results[(latency, path, conc)] = figures(sent, elapsed)
                row.cpu_ms = (cpu_s(app.pid) - cpu_line) * 1000 / max(1, len(sent) - row.busy)
                if (path, conc) not in ceilings:  # the bare app makes no Web API call
                    ceilings[(path, conc)] = figures(
                        *sender.closed_loop(bare_url, path, size["requests"], conc)
                    )
                print(line(path, latency, conc, row, ceilings[(path, conc)]))
    fake.latency = 0
    cpu_line = cpu_s(app.pid)
    sent, elapsed = sender.open_loop(app_url, HOME_RATE, size["home_s"])
    finish_times(fake, sent)
    home = figures(sent, elapsed)
    home_cpu = (cpu_s(app.pid) - cpu_line) * 1000 / max(1, len(sent) - home.busy)
    print(
        f"  App Home opened {HOME_RATE}/s for {size['home_s']} s at 0 ms: ack p99 "
        f"{home.ack[2]:.1f} ms, busy {home.busy}, e2e p50 {home.e2e[0]:.0f} ms, "
        f"p95 {home.e2e[1]:.0f} ms; {home_cpu:.1f} CPU ms per home served"
    )
    peak = rss_mb(app.pid, "VmHWM")
    used = (cpu_s(app.pid) - cpu_before[0], cpu_s(bare.pid) - cpu_before[1])
    print(
        f"  CPU seconds over {time.perf_counter() - cpu_before[3]:.0f} s: mentorbot serve "
        f"{used[0]:.0f}, bare Bolt {used[1]:.0f}, this process (load and fake Web API) "
        f"{time.process_time() - cpu_before[2]:.0f}"
    )
    load1, load5, _ = os.getloadavg()
    print(f"  RSS of mentorbot serve (its largest process): idle {idle:.0f} MB, peak {peak:.0f} MB")
    print(
        f"  load average after measuring: {load1:.2f} (1 min), {load5:.2f} (5 min); "
        f"CPUs: {os.cpu_count()}"
    )
    if not home_only:
        print_goals(results, ceilings, home, idle, peak)


def line(path: str, latency: int, conc: int, row: Row, bare: Row) -> str:
    """One row of the table: MentorBot's figures, bare Bolt's rate and p99, the ratio
    of requests served (worked on to their end) to bare Bolt's acknowledged."""
    return (
        f"  {path:<8} {latency:>3}ms {conc:>4} {row.acked_rps:>8.1f} {row.ack[0]:>8.1f} "
        f"{row.ack[1]:>7.1f} {row.ack[2]:>7.1f} {row.busy:>5} {row.served_rps:>9.1f} "
        f"{row.e2e[0]:>8.1f} {row.e2e[1]:>7.1f} {bare.acked_rps:>7.1f} {bare.ack[2]:>6.1f} "
        f"{row.served_rps / bare.acked_rps:>5.2f}x {row.cpu_ms:>6.1f}"
    )


def print_goals(
    results: dict[tuple[int, str, int], Row],
    ceilings: dict[tuple[str, int], Row],
    home: Row,
    idle: float,
    peak: float,
) -> None:
    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    at150 = [results[(150, p, 50)] for p in PATHS]
    print("  goals (issue 16):")
    print(
        f"    150 ms, 50 at once: ack p99 <= 500 ms on every path: "
        f"{verdict(all(r.ack[2] <= 500 for r in at150))}"
    )
    late = home.late + sum(r.late for r in results.values())
    print(f"    no ack over 3 s, anywhere ({late} late or dropped): {verdict(not late)}")
    for path, floor in (("help", 0.7), ("match", 0.3), ("button", 0.3)):
        ratio = results[(0, path, 50)].served_rps / ceilings[(path, 50)].acked_rps
        print(
            f"    0 ms, 50 at once: {path} >= {floor}x bare Bolt ({ratio:.2f}x): "
            f"{verdict(ratio >= floor)}"
        )
    print(
        f"    App Home {HOME_RATE}/s sustained, e2e p95 <= 1 s, none turned away: "
        f"{verdict(home.e2e[1] <= 1000 and home.busy == 0)}"
    )
    print(f"    RSS <= 150 MB idle: {verdict(idle <= 150)}")
    print(f"    RSS <= 250 MB under load: {verdict(peak <= 250)}")


if __name__ == "__main__":
    sys.exit(main())
