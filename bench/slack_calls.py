"""What one Web API call and one response_url post cost the calling thread: slack_sdk's
stock clients (urllib, a new connection per call) beside MentorBot's (kept connections,
bot/slack_http.py), against the fake Slack in a process of its own on loopback.

    .venv/bin/python -m bench.slack_calls [--calls N]

Prints, per client, the median wall and CPU microseconds (`time.thread_time`: this
thread only) of `users.info` and of a response_url post, in alternating rounds, and
the connections the fake accepted. Loopback has no TLS: against slack.com each new
connection also pays a TLS handshake, so the difference there is larger."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from bot.slack_client import ResponseUrlClient, WatchedClient

ROUNDS = 3

#: The fake, in a child process: prints its URL and response_urls (5 posts each).
FAKE = """
import json, sys, threading
from bench.load_traffic import LoadFake
from bot.testing.fake_slack import ResponseTarget
fake = LoadFake().start()
fake.add_user("U1", "Ann Lee")
urls = [fake.new_response_url(ResponseTarget("U1", "D1", None)) for _ in range({urls})]
print(json.dumps({{"api": fake.url, "urls": urls}}), flush=True)
for line in sys.stdin:
    print(fake.connections, flush=True)
"""


def timed(call: Callable[[], object], times: int) -> tuple[float, float]:
    """Median wall and CPU microseconds of `call`."""
    walls, cpus = [], []
    for _ in range(times):
        wall, cpu = time.perf_counter(), time.thread_time()
        call()
        cpus.append(time.thread_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return statistics.median(walls) * 1e6, statistics.median(cpus) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=500)
    calls = parser.parse_args().calls
    rounds_urls = 2 * ROUNDS * (calls // 5 + 1)
    fake = subprocess.Popen(
        [sys.executable, "-c", FAKE.format(urls=rounds_urls)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert fake.stdin and fake.stdout
    given = json.loads(fake.stdout.readline())
    urls = iter(given["urls"])

    def connections() -> int:
        fake.stdin.write("?\n")  # type: ignore[union-attr]
        fake.stdin.flush()  # type: ignore[union-attr]
        return int(fake.stdout.readline())  # type: ignore[union-attr]

    clients = {
        "slack_sdk (a connection per call)": (WebClient, WebhookClient),
        "MentorBot (kept connections)": (WatchedClient, ResponseUrlClient),
    }
    print(f"{calls} calls each, median of each round; load {os.getloadavg()}")
    for round_ in range(1, ROUNDS + 1):
        for name, (web, webhook) in clients.items():
            before = connections()
            api = web(token="xoxb-bench", base_url=given["api"], timeout=10)
            call_wall, call_cpu = timed(lambda api=api: api.users_info(user="U1"), calls)
            # a response_url takes 5 posts
            posts = iter(
                [url for url in [next(urls) for _ in range(calls // 5 + 1)] for _ in range(5)]
            )

            def post(webhook: type[WebhookClient] = webhook, posts: Iterator[str] = posts) -> None:
                assert webhook(next(posts), timeout=10).send(text="hi").status_code == 200

            post_wall, post_cpu = timed(post, calls)
            opened = connections() - before
            print(
                f"round {round_} {name:36} users.info {call_wall:6.0f} µs wall "
                f"{call_cpu:5.0f} µs CPU | response_url {post_wall:6.0f} µs wall "
                f"{post_cpu:5.0f} µs CPU | {opened} connections for {2 * calls} requests"
            )
    fake.kill()


if __name__ == "__main__":
    main()
