"""Slack's signature is the only way in: unsigned, wrongly signed or stale requests
are refused with 401 and change nothing."""

from __future__ import annotations

import logging
import time
from urllib.parse import urlencode

import sqlalchemy as sa

from models import User
from tests.conftest import SIGNING_SECRET


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


#: Every logger that could see a request or a Web API call, at its most talkative.
CHATTY_LOGGERS = ["", "slack_bolt", "slack_sdk", "mentorbot.bolt", "bot", "uvicorn"]


def _everything_logged(caplog) -> str:  # type: ignore[no-untyped-def]
    """Each record as a handler would write it, traceback included."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return "\n".join(formatter.format(record) for record in caplog.records)


def _log_everything(caplog) -> None:  # type: ignore[no-untyped-def]
    for name in CHATTY_LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)


def test_a_forged_request_is_logged_in_one_line_without_its_body(slack, db, caplog) -> None:  # type: ignore[no-untyped-def]
    _log_everything(caplog)
    forged = slack.slash_body("UNEWT", "/mentor", "optout")
    reply = slack.post_form(forged, secret="an-attackers-secret")
    assert reply.status == 401

    logged = _everything_logged(caplog)
    refusals = [r for r in caplog.records if "without a valid Slack signature" in r.getMessage()]
    assert len(refusals) == 1 and refusals[0].levelno == logging.WARNING
    # The body's response_url lets whoever reads the log post in Slack for 30 minutes.
    for kept_out in (forged["response_url"], forged["trigger_id"], "optout", "UNEWT"):
        assert kept_out not in logged
    for secret in (SIGNING_SECRET, "an-attackers-secret", "xoxb-test"):
        assert secret not in logged
    assert _count_users(db) == 0


def test_a_request_with_a_garbled_timestamp_is_refused_not_a_crash(slack, db) -> None:  # type: ignore[no-untyped-def]
    body = slack.slash_body("UNEWT", "/mentor", "help")
    garbled = slack.post_form(body, timestamp="soon")  # type: ignore[arg-type]
    assert garbled.status == 401
    assert _count_users(db) == 0


def test_no_token_secret_or_response_url_is_logged_even_at_debug(slack, world, caplog) -> None:  # type: ignore[no-untyped-def]
    _log_everything(caplog)
    command = slack.slash_body(world.veteran, "/mentor", "optout")
    assert slack.post_form(command).status == 200  # answered through its response_url
    slack.slash(world.veteran, "/mentor", "optin")  # a modal through views.open
    slack.open_home(world.veteran)  # views.publish
    webhook_lines = [r for r in caplog.records if r.name == "slack_sdk.webhook.client"]
    assert webhook_lines, "slack_sdk logged no post at DEBUG: the check would prove nothing"
    logged = _everything_logged(caplog)
    assert "xoxb-test" not in logged
    assert SIGNING_SECRET not in logged
    assert command["response_url"] not in logged
