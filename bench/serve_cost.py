"""Benchmark: what an idle `mentorbot serve` holds, and the CPU one request costs.

    .venv/bin/python -m bench.serve_cost [--tree DIR[,KEY=VALUE...] ...] [--requests N]
        [--path help|match|button] [--concurrency N] [--restart] [--size quick|full]

Makes a throw-away PostgreSQL database with a small generated program (as bench/load.py
--quick; `--size full`: bench/load.py's full-size program, 1,000 mentors), starts
`mentorbot serve --no-scheduler` from each source tree given (default: this one; e.g. an
export of main beside it, to compare in the same minutes; after a comma, environment
variables for that server only, e.g. `.,MALLOC_ARENA_MAX=8`) and
the bare Bolt app of bench/load_servers.py, warms every path of bench/load.py a few
times, and prints each server's idle RSS. Then it sends `/mentor help` (or with `--path`,
as bench/load.py does, a program admin's `/mentor match @hire` or a mentor's "Edit
profile" button) from 50 people at once (`--concurrency`: fewer, so that none is told
"busy") to each server in turn (three rounds, alternating; each server's senders are
people of its own, so the first round includes each one's first contacts) and prints
requests/s served, its ratio to bare Bolt's, and CPU milliseconds (user + system, of
the server's process) per request: a count the machine's other work disturbs less than
a rate.

Each server's senders take turns (bench/load_traffic.py `senders`): with more requests
than it has people, a round asks some of them twice. `--restart` restarts each server
before the second and third rounds, so with `--requests` no more than each server's
people (1,000 hires, shared among the trees), every request of those rounds is from
someone the roster knows from an earlier round but this process never served: a
morning after a deploy, not repeats."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.api import SERVER_URL, _free_port, _wait_until_up
from bench.database import throwaway_database
from bench.load import SIZES, load_program
from bench.load_servers import cpu_s, rss_mb, serve_command, server_env
from bench.load_traffic import LoadFake, People, Sender, finish_times, make_fake
from bench.slack_calls import self_signed_certificate, serving_tls

WARM_PATHS = ("help", "match", "button", "home")
ROUNDS = 3


def start(
    tree: str, url: str, fake: LoadFake, people: People, log: Path
) -> tuple[subprocess.Popen[bytes], str]:
    """`mentorbot serve` from a tree's sources (run from it, so `bot` is imported
    there), with that tree's own environment variables."""
    folder, *assignments = tree.split(",")
    port = _free_port()
    env = {**server_env(url, fake, people), **dict(a.split("=", 1) for a in assignments)}
    out = log.open("ab")
    process = subprocess.Popen(serve_command(port), env=env, stdout=out, stderr=out, cwd=folder)
    _wait_until_up(f"http://127.0.0.1:{port}/healthz", {})
    return process, f"http://127.0.0.1:{port}/slack/events"


def start_bare(fake: LoadFake, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    out = log.open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.load_servers", str(port), "1"],
        env={**os.environ, "SLACK_API_URL": fake.url},
        stdout=out,
        stderr=out,
    )
    time.sleep(3)  # no health check: the bare app answers nothing but Slack's path
    return process, f"http://127.0.0.1:{port}/slack/events"


def warm(url: str, sender: Sender) -> None:
    """Every path of bench/load.py served a few times."""
    for path in WARM_PATHS:
        sender.closed_loop(url, path, 3, 1)


def restart(
    tree: str,
    server: tuple[subprocess.Popen[bytes], str],
    url: str,
    fake: LoadFake,
    people: People,
    log: Path,
    sender: Sender,
) -> tuple[subprocess.Popen[bytes], str]:
    """The server stopped and started again (a deploy), then warmed: what it learnt
    from earlier rounds is gone, only the database keeps it."""
    server[0].terminate()
    server[0].wait(timeout=15)
    started = start(tree, url, fake, people, log)
    warm(started[1], sender)
    return started


def path_round(
    url: str, pid: int, sender: Sender, path: str, total: int, concurrency: int
) -> tuple[float, float, int]:
    """(requests served per second, CPU ms per request, how many were told "busy"
    instead) for `total` requests of `path`, `concurrency` at once, timed to the last Web
    API call they caused (none, where the help is in the ack; a "busy" is not served)."""
    sender.fake.url_posts.clear()
    sender.fake.calls.clear()
    cpu0, started = cpu_s(pid), time.time()
    sent, elapsed = sender.closed_loop(url, path, total, concurrency)
    finish_times(sender.fake, sent)
    elapsed = max([elapsed, *(s.at + s.e2e_s - started for s in sent if s.e2e_s is not None)])
    busy = sum(s.busy for s in sent)
    return (total - busy) / elapsed, (cpu_s(pid) - cpu0) * 1000 / total, busy


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", action="append", help="source tree to serve from[,KEY=VALUE...]")
    parser.add_argument("--requests", type=int, default=1000, help="requests per round")
    parser.add_argument("--path", choices=WARM_PATHS[:3], default="help", help="what is sent")
    parser.add_argument("--concurrency", type=int, default=50, help="requests at once")
    parser.add_argument(
        "--size", choices=tuple(SIZES), default="quick", help="the program (bench/load.py's)"
    )
    parser.add_argument(
        "--tls",
        action="store_true",
        help="the fake Web API on HTTPS, as slack.com (bench/slack_calls.py's certificate, "
        "trusted by the servers through SSL_CERT_FILE)",
    )
    parser.add_argument(
        "--restart",
        action="store_true",
        help="restart each server before every round but the first: with no more requests "
        "than people, nobody asks one process twice",
    )
    args = parser.parse_args(argv)
    trees = args.tree or ["."]
    log = Path(f"/tmp/bench-serve-cost-{os.getpid()}.log")
    tls = None
    if args.tls:
        folder = tempfile.mkdtemp(prefix="bench-serve-cost-")
        os.environ["SSL_CERT_FILE"] = self_signed_certificate(folder)  # for every server
        tls = serving_tls(folder)
    with throwaway_database(SERVER_URL) as url:
        people = load_program(url, SIZES[args.size])
        fake = make_fake(people, tls)
        servers = [start(tree, url, fake, people, log) for tree in trees]
        bare = start_bare(fake, log)
        senders = [Sender(fake, people)]
        try:
            for _, app_url in servers:
                warm(app_url, senders[0])
            for tree, (process, _) in zip(trees, servers, strict=True):
                print(f"{tree}: idle RSS {rss_mb(process.pid, 'VmRSS'):.1f} MB")
            # Each server hears from people of its own: a person's first request writes
            # (first contact), and that write is the first server's alone otherwise.
            own = [
                Sender(fake, People(people.mentors, people.hires[i :: len(trees)], people.admins))
                for i in range(len(trees))
            ]
            senders.extend(own)
            print(
                f"load average {os.getloadavg()[0]:.2f}; {args.path}, "
                f"{args.concurrency} at once, {args.requests}:"
            )
            for round_ in range(ROUNDS):
                if args.restart and round_:
                    servers = [
                        restart(t, s, url, fake, people, log, senders[0])
                        for t, s in zip(trees, servers, strict=True)
                    ]
                bare_rps, bare_ms, _ = path_round(
                    bare[1], bare[0].pid, senders[0], args.path, args.requests, args.concurrency
                )
                print(f"  bare Bolt: {bare_rps:6.0f} req/s, {bare_ms:5.2f} CPU ms/request")
                for tree, (process, app_url), theirs in zip(trees, servers, own, strict=True):
                    rps, ms, busy = path_round(
                        app_url, process.pid, theirs, args.path, args.requests, args.concurrency
                    )
                    print(
                        f"  {tree}: {rps:6.0f} served/s ({rps / bare_rps:.2f}x), "
                        f"{busy} told busy, {ms:5.2f} CPU ms/request, "
                        f"RSS {rss_mb(process.pid, 'VmRSS'):.0f} MB "
                        f"(peak {rss_mb(process.pid, 'VmHWM'):.0f})"
                    )
        finally:
            for process, _ in [*servers, bare]:
                process.terminate()
                process.wait(timeout=15)
            for sender in senders:
                sender.close()
            fake.stop()
    print(f"server log: {log}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
