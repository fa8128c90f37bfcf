"""Benchmark: Slack's requests against `mentorbot serve` under load, beside a bare Bolt
app (the ceiling) and a simple Bolt app doing the same work (the fair baseline).

    .venv/bin/python -m bench.load [--quick] [--keep] [--workers N] [--home-only]

Makes a throw-away PostgreSQL database (MENTORBOT_BENCH_POSTGRES_URL, as bench/api.py),
loads a generated program (1,000 mentors and about 11,000 people; --quick: 100 and
1,100), starts `mentorbot serve` (a real process, no scheduler) on it and, beside it
under the same server (uvicorn), a bare Bolt app whose listeners only ack and a simple
Bolt app that does the same work the simple way (bench/load_simple.py: a roster read
before help's ack, the PRD's ranking as one SQL query after match's, a profile read and
views.open, a mentor's figures and views.publish). All talk
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
the simple app's requests/s served, ack p99 and end-to-end p50/p95 on the same line and
MentorBot's ratio to it (the ratio that matters: against the best simple alternative),
the CPU milliseconds `mentorbot serve` spent per request served (what a faster machine
or more workers would divide),
RSS idle and peak, the load average, and the issue's goals, met or NOT met (against
bare Bolt, as the issue states them; the ratios to the simple app beside them as
information). Nothing is asserted: the machine is shared, so read the figures with its
load."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from bench.analytics import NOW, copy_load
from bench.api import SERVER_URL
from bench.database import throwaway_database
from bench.load_figures import (
    CONCURRENCY,
    HOME_RATE,
    LATENCIES_MS,
    PATHS,
    Row,
    figures,
    line,
    print_goals,
)
from bench.load_servers import Servers, cpu_s, rss_mb, start_servers
from bench.load_traffic import (
    People,
    Sender,
    finish_times,
    make_fake,
)
from bot.testing.program_generator import ProgramSpec, generate
from models.db import make_engine

SIZES = {
    "quick": {
        "hires": 1_000,
        "mentors": 100,
        "managers": 20,
        "requests": 40,
        "home_s": 10,
    },
    "full": {
        "hires": 10_000,
        "mentors": 1_000,
        "managers": 100,
        "requests": 200,
        "home_s": 60,
    },
}


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
    app, bare, simple = servers.app, servers.bare, servers.simple
    app_url = f"http://127.0.0.1:{servers.app_port}/slack/events"
    bare_url = f"http://127.0.0.1:{servers.bare_port}/slack/events"
    simple_url = f"http://127.0.0.1:{servers.simple_port}/slack/events"
    fake = sender.fake
    for path in PATHS:  # warm up: every path once, then the idle size
        sender.closed_loop(app_url, path, 3, 1)
        sender.closed_loop(simple_url, path, 3, 1)
    fake.take_refusals()
    idle = rss_mb(app.pid, "VmRSS")
    processes = (app, bare, simple)
    cpu_before = [cpu_s(each.pid) for each in processes]
    clocks_before = (time.process_time(), time.perf_counter())
    print(
        f"  requests per line: {size['requests']}; worker processes per server: "
        f"{servers.workers}; server log: {log}"
    )
    print(
        f"  {'':<23} {'MentorBot':-^84} {'bare Bolt':-^22} {'simple Bolt app':-^50}\n"
        f"  {'path':<8} {'lat.':>5} {'conc':>4} {'acked/s':>8} {'ack p50':>8} {'p95':>7} "
        f"{'p99':>7} {'busy':>5} {'served/s':>9} {'e2e p50':>8} {'p95':>7} {'cpu ms':>6} "
        f"{'acked/s':>8} {'p99':>6} {'ratio':>6} "
        f"{'served/s':>9} {'ack p99':>7} {'e2e p50':>8} {'p95':>7} {'cpu ms':>6} {'ratio':>6}"
    )
    results: dict[tuple[int, str, int], Row] = {}
    ceilings: dict[tuple[str, int], Row] = {}
    simples: dict[tuple[int, str, int], Row] = {}
    for latency in () if home_only else LATENCIES_MS:
        fake.latency = latency / 1000
        for path in PATHS:
            for conc in CONCURRENCY:
                row = results[(latency, path, conc)] = served(
                    sender, app_url, app.pid, path, size, conc
                )
                if (path, conc) not in ceilings:  # the bare app makes no Web API call
                    ceilings[(path, conc)] = figures(
                        *sender.closed_loop(bare_url, path, size["requests"], conc)
                    )
                simple_row = simples[(latency, path, conc)] = served(
                    sender, simple_url, simple.pid, path, size, conc
                )
                print(line(path, latency, conc, row, ceilings[(path, conc)], simple_row))
    fake.latency = 0
    home = home_flood(sender, app_url, app.pid, size)
    simple_home = home_flood(sender, simple_url, simple.pid, size)
    for name, flood in (("MentorBot", home), ("simple app", simple_home)):
        print(
            f"  App Home opened {HOME_RATE}/s for {size['home_s']} s at 0 ms, {name}: ack p99 "
            f"{flood.ack[2]:.1f} ms, busy {flood.busy}, e2e p50 {flood.e2e[0]:.0f} ms, "
            f"p95 {flood.e2e[1]:.0f} ms; {flood.cpu_ms:.1f} CPU ms per home served"
        )
    for name, rows in (
        ("mentorbot serve", [*results.values(), home]),
        ("bare Bolt", list(ceilings.values())),
        ("the simple app", [*simples.values(), simple_home]),
    ):
        if failed := sum(r.errors for r in rows):  # its figures measure an error page
            print(f"  HTTP errors answered by {name}: {failed} (see the server log)")
    if tracebacks := log.read_text(errors="replace").count("Traceback"):
        # e.g. PostgreSQL out of connections on a shared machine: a listener that failed
        # made no Web API call, and its request still counts as served
        print(f"  tracebacks in the servers' log: {tracebacks} (see {log})")
    refused = fake.take_refusals()
    if refused:  # a baseline whose views Slack would refuse proves nothing
        print(f"  Web API calls refused by the fake's Slack rules: {len(refused)}: {refused[:3]}")
    peak = rss_mb(app.pid, "VmHWM")
    used = [cpu_s(each.pid) - before for each, before in zip(processes, cpu_before, strict=True)]
    print(
        f"  CPU seconds over {time.perf_counter() - clocks_before[1]:.0f} s: mentorbot serve "
        f"{used[0]:.0f}, bare Bolt {used[1]:.0f}, simple app {used[2]:.0f}, this process (load "
        f"and fake Web API) {time.process_time() - clocks_before[0]:.0f}"
    )
    load1, load5, _ = os.getloadavg()
    print(f"  RSS of mentorbot serve (its largest process): idle {idle:.0f} MB, peak {peak:.0f} MB")
    print(
        f"  load average after measuring: {load1:.2f} (1 min), {load5:.2f} (5 min); "
        f"CPUs: {os.cpu_count()}"
    )
    if not home_only:
        print_goals(results, ceilings, simples, home, simple_home, idle, peak)


def served(sender: Sender, url: str, pid: int, path: str, size: dict[str, int], conc: int) -> Row:
    """One line of one server: `path` sent `size["requests"]` times, `conc` at once, to
    the server at `url`, its work waited for; with the CPU milliseconds per request
    served that its processes (`pid` and children) spent."""
    cpu_line = cpu_s(pid)
    sent, elapsed = sender.closed_loop(url, path, size["requests"], conc)
    finish_times(sender.fake, sent)
    row = figures(sent, elapsed)
    row.cpu_ms = (cpu_s(pid) - cpu_line) * 1000 / max(1, len(sent) - row.busy)
    return row


def home_flood(sender: Sender, url: str, pid: int, size: dict[str, int]) -> Row:
    """App Home opened `HOME_RATE` times a second for `size["home_s"]` seconds at `url`."""
    cpu_line = cpu_s(pid)
    sent, elapsed = sender.open_loop(url, HOME_RATE, size["home_s"])
    finish_times(sender.fake, sent)
    home = figures(sent, elapsed)
    home.cpu_ms = (cpu_s(pid) - cpu_line) * 1000 / max(1, len(sent) - home.busy)
    return home


if __name__ == "__main__":
    sys.exit(main())
