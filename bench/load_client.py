"""The sending side of bench/load.py, run in a process of its own: it signs and sends
requests prepared beforehand and times each ack, nothing else.

Why a process of its own, on aiohttp: the first load generator (httpx, in the process
that also runs the fake Web API) became the bottleneck at 50 at once. A bare Bolt app
that only acks showed a p99 over a second there, because the generator's own event
loop, sharing one interpreter with the fake's threads, could not read the answers as
fast as they came. Timing the servers needs a client that is not the slowest party."""

from __future__ import annotations

import asyncio
import struct
import time
from dataclasses import dataclass
from multiprocessing.shared_memory import SharedMemory

import aiohttp
from slack_sdk.signature import SignatureVerifier

BUSY_MARK = "I'm busy right now"
DROPPED = 0  # the status of a request whose connection dropped before any answer


@dataclass(frozen=True)
class Prepared:
    """A request's body and content type, made by the process that knows the fake."""

    body: str
    kind: str


@dataclass(frozen=True)
class Answer:
    """When a request was sent (wall clock, as the fake records calls), how long its
    ack took, its status and whether it said "busy"."""

    at: float
    ack_s: float
    status: int
    busy: bool


class Stamps:
    """Where the sender writes each request's `time.monotonic()` as it goes out (shared
    memory the preparing process reads: a trigger_id lives 3 s from the moment Slack
    sends its request, not from when the benchmark made it). Monotonic time is the
    same clock in every process of the machine."""

    def __init__(self, name: str) -> None:
        self._memory = SharedMemory(name=name)

    def stamp(self, index: int) -> None:
        struct.pack_into("d", self._memory.buf, 8 * index, time.monotonic())

    def close(self) -> None:
        self._memory.close()


def closed_loop(
    url: str, secret: str, requests: list[Prepared], concurrency: int, stamps: str
) -> tuple[list[Answer], float]:
    """Every request, from `concurrency` people at once, each sending its next as soon
    as the last was acknowledged; the answers in the order prepared and the seconds
    taken. Each request's sending time goes to the shared memory named `stamps`."""
    return asyncio.run(_closed(url, secret, requests, concurrency, Stamps(stamps)))


def open_loop(
    url: str, secret: str, requests: list[Prepared], rate: int, stamps: str
) -> tuple[list[Answer], float]:
    """The requests sent `rate` a second whatever the answers' pace."""
    return asyncio.run(_open(url, secret, requests, rate, Stamps(stamps)))


async def _send(
    session: aiohttp.ClientSession,
    url: str,
    signer: SignatureVerifier,
    requests: list[Prepared],
    index: int,
    stamps: Stamps,
) -> Answer:
    request = requests[index]
    stamps.stamp(index)
    ts = str(int(time.time()))
    headers = {
        "Content-Type": request.kind,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signer.generate_signature(timestamp=ts, body=request.body),
    }
    at, t0 = time.time(), time.perf_counter()
    try:
        async with session.post(url, data=request.body.encode(), headers=headers) as response:
            text = await response.text()
    except (TimeoutError, aiohttp.ClientError):  # Slack would see no answer
        return Answer(at, time.perf_counter() - t0, DROPPED, False)
    ack_s = time.perf_counter() - t0
    return Answer(at, ack_s, response.status, response.status == 503 or BUSY_MARK in text)


def _session(connections: int) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=connections),
        timeout=aiohttp.ClientTimeout(total=30),
    )


async def _closed(
    url: str, secret: str, requests: list[Prepared], concurrency: int, stamps: Stamps
) -> tuple[list[Answer], float]:
    signer = SignatureVerifier(secret)
    answers: list[Answer | None] = [None] * len(requests)
    queue = list(range(len(requests)))[::-1]
    async with _session(concurrency) as session:

        async def person() -> None:
            while queue:
                i = queue.pop()
                answers[i] = await _send(session, url, signer, requests, i, stamps)

        started = time.perf_counter()
        await asyncio.gather(*(person() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    stamps.close()
    return [a for a in answers if a is not None], elapsed


async def _open(
    url: str, secret: str, requests: list[Prepared], rate: int, stamps: Stamps
) -> tuple[list[Answer], float]:
    signer = SignatureVerifier(secret)
    async with _session(400) as session:
        started = time.perf_counter()
        tasks = []
        for i in range(len(requests)):
            await asyncio.sleep(max(0.0, started + i / rate - time.perf_counter()))
            tasks.append(asyncio.create_task(_send(session, url, signer, requests, i, stamps)))
        answers = await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - started
    stamps.close()
    return list(answers), elapsed
