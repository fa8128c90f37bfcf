"""What bench/load.py sends and what it caused: signed Slack requests from the
program's people, a fake Web API that records which request each call answers, and the
end of each request's work read from that record."""

from __future__ import annotations

import bisect
import json
import math
import multiprocessing
import ssl
import struct
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.shared_memory import SharedMemory
from typing import Any
from urllib.parse import urlencode

from bench import load_client
from bench.load_client import BUSY_MARK
from bot.blocks.actions import OPTIN_OPEN
from bot.testing.fake_slack import TEAM_ID, FakeSlack, ResponseTarget, dm_channel
from bot.testing.slack_quotas import Triggers

SECRET = "bench-signing-secret"
FORM = "application/x-www-form-urlencoded"


@dataclass
class People:
    """Slack ids of the program's mentors, its hires (newest first) and the admins
    who send `/mentor match`."""

    mentors: list[str]
    hires: list[str]
    admins: list[str]


class LoadFake(FakeSlack):
    """The fake Web API, with Slack's per-minute quotas lifted and each response_url
    post recorded with its URL (to tell which request it answers)."""

    def reset(self) -> None:
        super().reset()
        self.triggers = SentTriggers(self.triggers.clock, self._counter)
        self.rate_limits.check = lambda *args, **kwargs: None  # type: ignore[method-assign]
        self.url_posts: list[tuple[str, float, str]] = []

    def handle_response_url(self, token: str, body: dict[str, Any]) -> tuple[int, str]:
        answer = super().handle_response_url(token, body)
        self.url_posts.append((token, time.time(), str(body.get("text") or "")))
        return answer


def make_fake(people: People, tls: ssl.SSLContext | None = None) -> LoadFake:
    """A started LoadFake that knows every person of the program (on HTTPS with `tls`)."""
    fake = LoadFake(tls=tls).start()
    for slack_id in {*people.mentors, *people.hires, *people.admins}:
        fake.add_user(slack_id, f"Person {slack_id}")
    return fake


@dataclass
class Sent:
    """One request sent: when, how long its ack took, and what it caused."""

    at: float  # wall clock, as the fake records calls
    ack_s: float
    status: int
    busy: bool
    keys: set[str] = field(default_factory=set)
    #: Seconds from the request to the last Web API call it caused (`finish_times`).
    e2e_s: float | None = None


@dataclass(frozen=True)
class Built:
    """One request prepared: its body and content type, what the Web API calls it
    causes carry (to find its end), and its trigger_id ("" for an event)."""

    body: str
    kind: str
    keys: set[str]
    trigger: str = ""


def build(fake: LoadFake, path: str, who: str, target: str) -> Built:
    """One request of `path` from `who` (naming `target`)."""
    channel = dm_channel(who)
    if path == "home":
        event = {"type": "app_home_opened", "user": who, "channel": channel, "tab": "home"}
        body = {
            "type": "event_callback",
            "team_id": TEAM_ID,
            "api_app_id": "AMENTORBOT",
            "event": event,
            "event_id": f"Ev{time.time_ns()}",
            "event_time": int(time.time()),
        }
        return Built(json.dumps(body), "application/json", {who})
    url = fake.new_response_url(ResponseTarget(who, channel, None))
    trigger = fake.new_trigger(who)
    keys = {who, channel, trigger, url.rsplit("/", 1)[-1]}
    if path in ("help", "match"):
        fields = {
            "team_id": TEAM_ID,
            "channel_id": channel,
            "user_id": who,
            "command": "/mentor",
            "text": "help" if path == "help" else f"match <@{target}>",
            "api_app_id": "AMENTORBOT",
            "response_url": url,
            "trigger_id": trigger,
        }
        return Built(urlencode(fields), FORM, keys, trigger)
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM_ID},
        "api_app_id": "AMENTORBOT",
        "user": {"id": who, "team_id": TEAM_ID},
        "trigger_id": trigger,
        "response_url": url,
        "container": {"type": "message", "message_ts": "1.0", "channel_id": channel},
        "channel": {"id": channel},
        "actions": [
            {
                "type": "button",
                "action_id": OPTIN_OPEN,
                "block_id": "b",
                "text": {"type": "plain_text", "text": "Edit profile"},
                "action_ts": str(time.time()),
            }
        ],
    }
    return Built(urlencode({"payload": json.dumps(payload)}), FORM, keys, trigger)


def senders(people: People, path: str) -> tuple[list[str], list[str]]:
    """Who sends each request of `path` (a different person each time, where the
    program has enough) and whom it names."""
    if path == "match":
        return people.admins, people.hires
    if path in ("button", "home"):
        return people.mentors, people.hires
    return people.hires, people.hires


class SentTriggers(Triggers):
    """Triggers whose 3 s start when their request is sent (as Slack makes one when the
    person clicks), read from the sender's stamps, not when the benchmark prepared it."""

    def __init__(self, clock: Callable[[], float], ids: Iterator[int]) -> None:
        super().__init__(clock, ids)
        self.sent_at: dict[str, tuple[SharedMemory, int]] = {}

    def exchange(self, trigger_id: str) -> tuple[str | None, str | None]:
        found, where = self.issued.get(trigger_id), self.sent_at.get(trigger_id)
        if found is not None and where is not None:
            (at,) = struct.unpack_from("d", where[0].buf, 8 * where[1])
            if at:
                found[1].at = at
        return super().exchange(trigger_id)


class Sender:
    """The load generator: prepares requests here (where the fake issues their trigger
    and response_url) and sends them from a process of its own (bench/load_client.py)."""

    def __init__(self, fake: LoadFake, people: People) -> None:
        self.fake = fake
        self.people = people
        self._process = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))

    def closed_loop(
        self, url: str, path: str, total: int, concurrency: int
    ) -> tuple[list[Sent], float]:
        """`total` requests from `concurrency` people at once, each sending its next
        as soon as the last was acknowledged; returns them and the seconds it took."""
        who, named = senders(self.people, path)
        built = [
            build(self.fake, path, who[i % len(who)], named[i % len(named)]) for i in range(total)
        ]
        return self._run(load_client.closed_loop, url, built, concurrency)

    def open_loop(self, url: str, rate: int, seconds: int) -> tuple[list[Sent], float]:
        """App Home opened `rate` times a second for `seconds`, whatever the answers' pace."""
        mentors = self.people.mentors
        built = [
            build(self.fake, "home", mentors[i % len(mentors)], "") for i in range(rate * seconds)
        ]
        return self._run(load_client.open_loop, url, built, rate)

    def close(self) -> None:
        self._process.shutdown()

    def _run(
        self,
        loop: Callable[..., tuple[list[load_client.Answer], float]],
        url: str,
        built: list[Built],
        how: int,
    ) -> tuple[list[Sent], float]:
        stamps = SharedMemory(create=True, size=8 * max(1, len(built)))
        triggers = self.fake.triggers
        try:
            if isinstance(triggers, SentTriggers):
                for i, request in enumerate(built):
                    if request.trigger:
                        triggers.sent_at[request.trigger] = (stamps, i)
            prepared = [load_client.Prepared(b.body, b.kind) for b in built]
            answers, elapsed = self._process.submit(
                loop, url, SECRET, prepared, how, stamps.name
            ).result()
            settle(self.fake)
        finally:
            if isinstance(triggers, SentTriggers):
                triggers.sent_at.clear()
            stamps.close()
            stamps.unlink()
        sent = [
            Sent(a.at, a.ack_s, a.status, a.busy, b.keys)
            for a, b in zip(answers, built, strict=True)
        ]
        return sent, elapsed


def settle(fake: LoadFake, quiet_s: float = 1.5, limit_s: float = 180) -> None:
    """Wait until the app has made no Web API call for `quiet_s`: its work is done."""
    deadline = time.monotonic() + limit_s
    last = -1
    while time.monotonic() < deadline:
        count = len(fake.calls) + len(fake.url_posts)
        if count == last:
            return
        last = count
        time.sleep(quiet_s)


def finish_times(fake: LoadFake, sent: list[Sent]) -> None:
    """Mark requests whose answer was "busy", and give each the end of its work: of
    each mark it carries (its person, trigger, view or response_url), the last Web API
    call with that mark before the next request carrying the same mark (a person
    opening App Home again is answered by the publish after that open, not by the one
    after their first), the latest of them. Each mark is bounded on its own: a person's
    next request, sent as soon as this one was acknowledged, does not cut off the
    response_url post that only this request's work makes."""
    view_owner = {v["id"]: user for user, views in fake.views.items() for v in views if "id" in v}
    calls: dict[str, list[float]] = defaultdict(list)
    for call in list(fake.calls):
        args = call.args
        marks = {str(args.get(k)) for k in ("user", "user_id", "channel", "trigger_id")}
        marks.add(view_owner.get(str(args.get("view_id")), ""))
        for mark in marks:
            calls[mark].append(call.at)
    busy_urls = set()
    for token, at, text in fake.url_posts:
        calls[token].append(at)
        if BUSY_MARK in text:
            busy_urls.add(token)
    for times in calls.values():
        times.sort()
    next_sent: dict[str, float] = {}
    for request in sorted(sent, key=lambda r: r.at, reverse=True):
        request.busy = request.busy or bool(request.keys & busy_urls)
        ends = []
        for key in request.keys:
            times = calls.get(key, [])
            i = bisect.bisect_left(times, next_sent.get(key, math.inf)) - 1
            if i >= 0 and times[i] >= request.at:
                ends.append(times[i])
        request.e2e_s = max(ends) - request.at if ends else None
        for key in request.keys:
            next_sent[key] = request.at
