"""What bench/load.py sends and what it caused: signed Slack requests from the
program's people, a fake Web API that records which request each call answers, and the
end of each request's work read from that record."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
from slack_sdk.signature import SignatureVerifier

from bot.blocks.actions import OPTIN_OPEN
from bot.testing.fake_slack import TEAM_ID, FakeSlack, ResponseTarget, dm_channel

SECRET = "bench-signing-secret"
BUSY_MARK = "I'm busy right now"
DROPPED = 0  # the status of a request whose connection dropped before any answer


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
        self.rate_limits.check = lambda *args, **kwargs: None  # type: ignore[method-assign]
        self.url_posts: list[tuple[str, float, str]] = []

    def handle_response_url(self, token: str, body: dict[str, Any]) -> tuple[int, str]:
        answer = super().handle_response_url(token, body)
        self.url_posts.append((token, time.time(), str(body.get("text") or "")))
        return answer


def make_fake(people: People) -> LoadFake:
    """A started LoadFake that knows every person of the program."""
    fake = LoadFake().start()
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


def build(fake: LoadFake, path: str, who: str, target: str) -> tuple[str, str, set[str]]:
    """(body, content type, what the request's Web API calls carry) for one request."""
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
        return json.dumps(body), "application/json", {who}
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
        return urlencode(fields), "application/x-www-form-urlencoded", keys
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
    return urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded", keys


def senders(people: People, path: str) -> tuple[list[str], list[str]]:
    """Who sends each request of `path` (a different person each time, where the
    program has enough) and whom it names."""
    if path == "match":
        return people.admins, people.hires
    if path in ("button", "home"):
        return people.mentors, people.hires
    return people.hires, people.hires


async def send(
    client: httpx.AsyncClient, url: str, body: str, kind: str
) -> tuple[float, float, int, str]:
    ts = str(int(time.time()))
    headers = {
        "Content-Type": kind,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=body),
    }
    at, t0 = time.time(), time.perf_counter()
    try:
        response = await client.post(url, content=body, headers=headers)
    except httpx.TransportError:  # the connection dropped: Slack would see no answer
        return at, time.perf_counter() - t0, DROPPED, ""
    return at, time.perf_counter() - t0, response.status_code, response.text


async def closed_loop(
    url: str, fake: LoadFake, people: People, path: str, total: int, concurrency: int
) -> tuple[list[Sent], float]:
    """`total` requests from `concurrency` people at once, each sending its next
    as soon as the last was acknowledged; returns them and the seconds it took."""
    who, named = senders(people, path)
    sent: list[Sent] = []
    queue = list(range(total))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def person() -> None:
            while queue:
                i = queue.pop()
                body, kind, keys = build(fake, path, who[i % len(who)], named[i % len(named)])
                at, ack_s, status, text = await send(client, url, body, kind)
                sent.append(Sent(at, ack_s, status, status == 503 or BUSY_MARK in text, keys))

        started = time.perf_counter()
        await asyncio.gather(*(person() for _ in range(concurrency)))
    return sent, time.perf_counter() - started


async def open_loop(
    url: str, fake: LoadFake, people: People, rate: int, seconds: int
) -> tuple[list[Sent], float]:
    """App Home opened `rate` times a second for `seconds`, whatever the answers' pace."""
    sent: list[Sent] = []
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def one(i: int) -> None:
            body, kind, keys = build(fake, "home", people.mentors[i % len(people.mentors)], "")
            at, ack_s, status, _ = await send(client, url, body, kind)
            sent.append(Sent(at, ack_s, status, status == 503, keys))

        started = time.perf_counter()
        tasks = []
        for i in range(rate * seconds):
            await asyncio.sleep(max(0.0, started + i / rate - time.perf_counter()))
            tasks.append(asyncio.create_task(one(i)))
        await asyncio.gather(*tasks)
    return sent, time.perf_counter() - started


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
    """Mark requests whose answer was "busy", and give each the end of its work: the
    last Web API call carrying its person, trigger, view or response_url."""
    view_owner = {v["id"]: user for user, views in fake.views.items() for v in views if "id" in v}
    last: dict[str, float] = {}
    for call in list(fake.calls):
        args = call.args
        marks = {str(args.get(k)) for k in ("user", "user_id", "channel", "trigger_id")}
        marks.add(view_owner.get(str(args.get("view_id")), ""))
        for mark in marks:
            last[mark] = max(last.get(mark, 0.0), call.at)
    busy_urls = set()
    for token, at, text in fake.url_posts:
        last[token] = max(last.get(token, 0.0), at)
        if BUSY_MARK in text:
            busy_urls.add(token)
    for request in sent:
        request.busy = request.busy or bool(request.keys & busy_urls)
        ends = [last[k] for k in request.keys if last.get(k, 0.0) >= request.at]
        request.e2e_s = max(ends) - request.at if ends else None
