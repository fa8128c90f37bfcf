"""Slack's signature is the only way in: unsigned, wrongly signed or stale requests
are refused with 401 and change nothing."""

from __future__ import annotations

import time
from urllib.parse import urlencode

import sqlalchemy as sa

from models import User


def _count_users(db) -> int:  # type: ignore[no-untyped-def]
    db.expire_all()
    return db.scalar(sa.select(sa.func.count()).select_from(User)) or 0


def test_signed_help_is_answered(slack, db) -> None:  # type: ignore[no-untyped-def]
    reply = slack.mentor("UNEWT", "help")
    assert "/mentor help" in reply.all_text
    assert _count_users(db) == 1  # the person was met for the first time


def test_unsigned_request_gets_401_and_writes_nothing(slack, db) -> None:  # type: ignore[no-untyped-def]
    reply = slack.post_form(slack.slash_body("UNEWT", "/mentor", "help"), signed=False)
    assert reply.status == 401
    assert _count_users(db) == 0
    assert slack.fake.ephemeral("UNEWT") == []


def test_wrong_secret_gets_401_and_writes_nothing(slack, db) -> None:  # type: ignore[no-untyped-def]
    reply = slack.post_form(slack.slash_body("UNEWT", "/mentor", "help"), secret="not-the-secret")
    assert reply.status == 401
    assert _count_users(db) == 0
    assert slack.fake.calls_to("response_url") == []


def test_stale_request_gets_401_and_writes_nothing(slack, db) -> None:  # type: ignore[no-untyped-def]
    six_minutes_ago = int(time.time()) - 6 * 60
    reply = slack.post_form(slack.slash_body("UNEWT", "/mentor", "help"), timestamp=six_minutes_ago)
    assert reply.status == 401
    assert _count_users(db) == 0


def test_tampered_body_gets_401(slack, db) -> None:  # type: ignore[no-untyped-def]
    body = slack.slash_body("UNEWT", "/mentor", "help")
    original = urlencode(body)
    body["text"] = "optout"
    reply = slack.post(
        urlencode(body), "application/x-www-form-urlencoded", signature_body=original
    )
    assert reply.status == 401
    assert _count_users(db) == 0
