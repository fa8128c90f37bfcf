"""What one Web API call and one response_url post cost the calling thread: slack_sdk's
stock clients (urllib, a new connection per call) beside MentorBot's (kept connections,
bot/slack_http.py), against the fake Slack in a process of its own on loopback.

    .venv/bin/python -m bench.slack_calls [--calls N] [--tls]

Prints, per client, the median wall and CPU microseconds (`time.thread_time`: this
thread only) of `users.info` and of a response_url post, in alternating rounds, and
the connections the fake accepted. With `--tls` the fake speaks HTTPS (a throw-away
self-signed P-256 certificate from the `openssl` command, which the clients verify),
as slack.com does: each new connection then pays a TLS handshake, as in production.
Loopback has no network round trip: against slack.com each new connection also waits
one or two (tens of ms) before its request can go."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator

from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from bot.slack_client import ResponseUrlClient, WatchedClient

ROUNDS = 3

#: The fake, in a child process: prints its URL and response_urls (5 posts each).
FAKE = """
import json, sys
from bench.load_traffic import LoadFake
from bench.slack_calls import serving_tls
from bot.testing.fake_slack import ResponseTarget
fake = LoadFake(tls=serving_tls({folder!r}) if {tls} else None).start()
fake.add_user("U1", "Ann Lee")
urls = [fake.new_response_url(ResponseTarget("U1", "D1", None)) for _ in range({urls})]
print(json.dumps({{"api": fake.url, "urls": urls}}), flush=True)
for line in sys.stdin:
    print(fake.connections, flush=True)
"""


def self_signed_certificate(folder: str) -> str:
    """A throw-away certificate for 127.0.0.1 (P-256, as slack.com's) and its key in
    `folder`, made with the `openssl` command; the certificate's path."""
    cert, key = f"{folder}/cert.pem", f"{folder}/key.pem"
    if not os.path.exists(cert):
        subprocess.run(
            [
                *("openssl", "req", "-x509", "-nodes", "-days", "1", "-newkey", "ec"),
                *("-pkeyopt", "ec_paramgen_curve:P-256", "-keyout", key, "-out", cert),
                *("-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"),
            ],
            check=True,
            capture_output=True,
        )
    return cert


def serving_tls(folder: str) -> ssl.SSLContext:
    """The fake's side of HTTPS, with `self_signed_certificate(folder)`."""
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(self_signed_certificate(folder), f"{folder}/key.pem")
    return tls


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
    parser.add_argument("--tls", action="store_true", help="the fake on HTTPS")
    options = parser.parse_args()
    calls = options.calls
    rounds_urls = 2 * ROUNDS * (calls // 5 + 1)
    folder = tempfile.mkdtemp(prefix="bench-slack-calls-")
    tls = None
    if options.tls:
        tls = ssl.create_default_context(cafile=self_signed_certificate(folder))
    fake = subprocess.Popen(
        [sys.executable, "-c", FAKE.format(urls=rounds_urls, folder=folder, tls=options.tls)],
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
            api = web(token="xoxb-bench", base_url=given["api"], timeout=10, ssl=tls)
            call_wall, call_cpu = timed(lambda api=api: api.users_info(user="U1"), calls)
            # a response_url takes 5 posts
            posts = iter(
                [url for url in [next(urls) for _ in range(calls // 5 + 1)] for _ in range(5)]
            )

            def post(webhook: type[WebhookClient] = webhook, posts: Iterator[str] = posts) -> None:
                assert webhook(next(posts), timeout=10, ssl=tls).send(text="hi").status_code == 200

            post_wall, post_cpu = timed(post, calls)
            opened = connections() - before
            print(
                f"round {round_} {name:36} users.info {call_wall:6.0f} µs wall "
                f"{call_cpu:5.0f} µs CPU | response_url {post_wall:6.0f} µs wall "
                f"{post_cpu:5.0f} µs CPU | {opened} connections for {2 * calls} requests"
            )
    fake.kill()
    shutil.rmtree(folder)


if __name__ == "__main__":
    main()
