"""Forged requests, measured: ≥ 1,000 requests Slack did not send (a wrong secret, a
stale, garbled or missing timestamp, a body changed after signing) or sent in a shape
it never uses (broken JSON or form, another content type, an oversized body). Each
would change something if accepted; none may be, and none may be answered with a 5xx."""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

import models
from bot.blocks.actions import ACCEPT
from bot.testing.driver import SlackDriver
from bot.testing.fake_slack import TEAM_ID
from bot.web import MAX_BODY_BYTES
from tests.conftest import SIGNING_SECRET
from tests.factories import make_assignment, make_mentor
from tests.reliability.forms import FULL

pytestmark = pytest.mark.reliability

FORGED = 5000 if FULL else 1000
FORM = "application/x-www-form-urlencoded"
Request = tuple[bytes, dict[str, str]]


def _sign(body: bytes, timestamp: str, secret: str = SIGNING_SECRET) -> str:
    """Slack's v0 signature of the raw bytes (so a body that is no UTF-8 can be signed)."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def _headers(body: bytes, content_type: str = FORM, **overrides: str | None) -> dict[str, str]:
    """Headers as Slack sends them for `body`, signed now, with `overrides` (None drops one)."""
    now = str(int(time.time()))
    headers: dict[str, str | None] = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": now,
        "X-Slack-Signature": _sign(body, now),
        **overrides,
    }
    return {k: v for k, v in headers.items() if v is not None}


def _send(slack: SlackDriver, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(slack.endpoint, data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def _state(db: Any, slack: SlackDriver) -> tuple[Any, ...]:
    """Every table's row count and every Web API call made: a forged request accepted
    changes one of them."""
    db.expire_all()
    counts = tuple(
        db.scalar(sa.select(sa.func.count()).select_from(table))
        for table in models.Base.metadata.sorted_tables
    )
    return counts, len(slack.fake.calls)


def _genuine_bodies(slack: SlackDriver, world: Any, assignment_id: str) -> list[Request]:
    """Requests that change something when Slack sends them: an opt-out, an admin made,
    a stranger's first command (a roster row), an offer accepted, an event."""
    slash = [
        (world.veteran, "optout"),
        (world.admin, f"admin make-admin {world.manager.mention}"),
        ("UFORGED1", "help"),
        (world.new_hire, "ask What is a QBR?"),
    ]
    bodies: list[Request] = [
        (urlencode(slack.slash_body(who, "/mentor", text)).encode(), {"Content-Type": FORM})
        for who, text in slash
    ]
    accept = {
        "type": "block_actions",
        "team": {"id": TEAM_ID},
        "user": {"id": world.veteran.id, "team_id": TEAM_ID},
        "api_app_id": "AMENTORBOT",
        "trigger_id": slack.fake.new_trigger(world.veteran.id),
        "actions": [{"type": "button", "action_id": ACCEPT, "value": assignment_id}],
    }
    bodies.append((urlencode({"payload": json.dumps(accept)}).encode(), {"Content-Type": FORM}))
    event = {
        "type": "event_callback",
        "team_id": TEAM_ID,
        "event": {"type": "app_home_opened", "user": "UFORGED2", "tab": "home"},
        "event_id": "EvFORGED",
    }
    bodies.append((json.dumps(event).encode(), {"Content-Type": "application/json"}))
    return bodies


Forgery = Callable[[Request, random.Random], Request]


def _resigned(req: Request, **overrides: str | None) -> Request:
    return req[0], _headers(req[0], req[1]["Content-Type"], **overrides)


def _wrong_secret(req: Request, rng: random.Random) -> Request:
    now = str(int(time.time()))
    guess = rng.choice(["guess", SIGNING_SECRET + "x", ""]) or "empty"
    return _resigned(req, **{"X-Slack-Signature": _sign(req[0], now, guess)})


def _stale(req: Request, rng: random.Random) -> Request:
    then = str(int(time.time()) + rng.choice([-301, -600, -86_400, -(10**9), 600]))
    return _resigned(
        req, **{"X-Slack-Request-Timestamp": then, "X-Slack-Signature": _sign(req[0], then)}
    )


def _garbled_timestamp(req: Request, rng: random.Random) -> Request:
    garbled = rng.choice(["soon", "", "1e9", "NaN", "-1", " 17", "0x10"])
    return _resigned(
        req, **{"X-Slack-Request-Timestamp": garbled, "X-Slack-Signature": _sign(req[0], garbled)}
    )


def _tampered(req: Request, rng: random.Random) -> Request:
    body, headers = _resigned(req)
    changed = rng.choice(
        [
            body + b"&text=optin",
            body.replace(b"help", b"optout"),
            body[: rng.randrange(1, len(body))],
        ]
    )
    return (changed if changed != body else body + b" "), headers


def _signed(body: bytes, content_type: str) -> Request:
    return body, _headers(body, content_type)


#: Each way to forge or garble a request, made from a genuine one.
FORGERIES: dict[str, Forgery] = {
    "wrong secret": _wrong_secret,
    "stale or future timestamp": _stale,
    "garbled timestamp": _garbled_timestamp,
    "no timestamp": lambda req, rng: _resigned(req, **{"X-Slack-Request-Timestamp": None}),
    "no signature": lambda req, rng: _resigned(req, **{"X-Slack-Signature": None}),
    "body changed after signing": _tampered,
    "broken JSON, signed": lambda req, rng: _signed(
        rng.choice([b"{", b"[]", b"null", b'"event"', b'{"type": ', b"{}", b"[" * 50_000]),
        "application/json",
    ),
    "broken form payload, signed": lambda req, rng: _signed(
        urlencode({"payload": rng.choice(["{", "[1]", "null", "not json", "{}"])}).encode(), FORM
    ),
    "not UTF-8, signed": lambda req, rng: _signed(b"command=%2Fmentor&text=\xff\xfe", FORM),
    "another content type, signed": lambda req, rng: _signed(
        req[0], rng.choice(["text/plain", "multipart/form-data; boundary=x", "application/xml"])
    ),
    "oversized": lambda req, rng: (
        req[0] + b"&pad=" + b"x" * MAX_BODY_BYTES,
        _resigned(req)[1],
    ),
}


#: What each forgery may be answered: refused (401), malformed (400), too large (413).
REFUSALS = {400, 401, 413}


@pytest.fixture
def offer(db, world) -> str:  # type: ignore[no-untyped-def]
    """A request waiting for Vera's answer, so a forged Accept would have work to do."""
    mentor = make_mentor(db, world.veteran)
    assignment = make_assignment(db, mentor, world.new_hire, status="pending")
    db.commit()
    return str(assignment.id)


def test_no_forged_request_is_accepted_or_answered_5xx(slack, world, db, offer) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(14)  # the same requests on every run
    genuine = _genuine_bodies(slack, world, offer)
    before = _state(db, slack)
    figures: Counter[str] = Counter()
    answered: Counter[str] = Counter()
    names = sorted(FORGERIES)
    for number in range(FORGED):
        name = names[number % len(names)]
        if name == "oversized" and number % 100 >= len(names):
            name = "wrong secret"  # a megabyte each: a sample of them is enough
        body, headers = FORGERIES[name](rng.choice(genuine), rng)
        status = _send(slack, body, headers)
        figures["requests"] += 1
        answered[f"{name}: {status}"] += 1
        if status >= 500:
            figures["5xx"] += 1
        elif status not in REFUSALS:
            figures["accepted"] += 1
    slack.wait_idle()
    changed = _state(db, slack) != before
    print(f"\nforged requests: {dict(figures)}, state changed: {changed}\n{dict(answered)}")
    assert figures["requests"] >= 1000
    assert figures["5xx"] == 0 and figures["accepted"] == 0, answered
    assert not changed
