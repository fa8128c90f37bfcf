"""A dead token is OURS, not the people's: `account_inactive`, `invalid_auth`,
`token_revoked` and `not_authed` (and the `tokens_revoked` / `app_uninstalled`
events). The sweep stops at the first one, settles nothing and marks nobody, one
clear error is logged, and `/healthz` answers 503 with the reason, on every replica
(the database holds it), until a call succeeds again."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.testing.fake_slack import FakeSlack
from bot.testing.harness import ServedApp
from models import Notification, User
from tests.factories import make_assignment, make_mentor
from tests.reminders_support import Sweep, at, clocked_sweeper, sent

MONDAY_MORNING = at("2026-11-16T15:00")
TOKEN_ERRORS = ["account_inactive", "invalid_auth", "token_revoked", "not_authed"]
#: Every Web API method the app calls in these tests.
METHODS = ("chat.postMessage", "users.info", "auth.test", "views.publish", "views.open")


@pytest.fixture
def sweep(served: ServedApp, settings: Settings, clock: list[datetime]) -> Sweep:
    return clocked_sweeper(served, settings, clock)


@pytest.fixture
def pair(db, world):  # type: ignore[no-untyped-def]
    """Vera mentors Newt, weekly from Monday 9 November: both are due on the 16th."""
    assignment = make_assignment(
        db, make_mentor(db, world.veteran), world.new_hire, start=date(2026, 11, 9)
    )
    db.commit()
    return assignment


def revoke(fake: FakeSlack, error: str) -> None:
    """Slack refuses our token from now on, on every method, with `error`."""
    for method in METHODS:
        fake.fail(method, error=error, times=1000)


def healthz(served: ServedApp) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(served.url + "/healthz", timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def errors_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("error", TOKEN_ERRORS)
def test_a_refused_token_stops_the_sweep_marks_nobody_and_healthz_says_why(
    slack, world, db, served, sweep, pair, caplog, error
) -> None:  # type: ignore[no-untyped-def]
    assert healthz(served)[0] == 200
    slack.fake.fail("chat.postMessage", error=error, times=1000)
    slack.fake.fail("auth.test", error=error, times=1000)
    caplog.set_level(logging.INFO)

    report = sweep(MONDAY_MORNING)

    assert report.stopped == error
    assert len(slack.fake.calls_to("chat.postMessage")) == 1  # stopped at the first refusal
    assert error in report.summary()
    db.expire_all()
    assert db.scalars(select(User).where(User.deactivated_at.is_not(None))).all() == []
    statuses = db.scalars(select(Notification.status)).all()
    assert statuses and set(statuses) == {"failed"}  # given back, none settled
    status, body = healthz(served)
    assert status == 503
    assert (body["slack"], body["reason"]) == ("token refused", error)

    # Sweeps while it lasts send nothing more and log nothing new.
    sweep(MONDAY_MORNING + timedelta(minutes=5))
    [logged] = errors_logged(caplog)  # one error, however many sweeps meet it
    assert error in logged and "SLACK_BOT_TOKEN" in logged

    # A new token: the next sweep delivers both check-ins, once, and health is back.
    slack.fake.failures.clear()
    assert sent(sweep(MONDAY_MORNING + timedelta(minutes=10))) == ["UNEWT", "UVERA"]
    assert healthz(served) == (200, {"ok": True, "database": "ok", "slack": "ok"})
    assert sent(sweep(MONDAY_MORNING + timedelta(hours=2))) == []
    assert len(slack.dms(world.veteran)) == 1 and len(slack.dms(world.new_hire)) == 1


def test_a_refusal_while_checking_who_left_sends_nothing(
    slack, world, db, served, sweep, pair
) -> None:  # type: ignore[no-untyped-def]
    revoke(slack.fake, "token_revoked")

    report = sweep(MONDAY_MORNING)

    assert report.stopped == "token_revoked"
    assert len(slack.fake.calls_to("users.info")) == 1
    assert slack.fake.calls_to("chat.postMessage") == []
    db.expire_all()
    assert db.scalars(select(User).where(User.deactivated_at.is_not(None))).all() == []
    assert set(db.scalars(select(Notification.status))) == {"failed"}
    assert healthz(served)[1]["reason"] == "token_revoked"


@pytest.mark.parametrize("event", ["tokens_revoked", "app_uninstalled"])
def test_slack_saying_our_token_is_gone_is_reported_until_a_call_succeeds(
    slack, world, served, clock, event
) -> None:  # type: ignore[no-untyped-def]
    payload: dict[str, Any] = {"type": event}
    if event == "tokens_revoked":
        payload["tokens"] = {"oauth": [], "bot": ["UMENTORBOT"]}
    slack.fake.fail("auth.test", error="invalid_auth", times=1000)  # the probe fails too
    assert slack.event(payload).status == 200

    status, body = healthz(served)
    assert (status, body["reason"]) == (503, event)
    assert healthz(served)[0] == 503  # stays so: nothing has succeeded since

    # The app is reinstalled: the next call Slack takes clears it, on every replica.
    slack.fake.failures.clear()
    slack.open_home(world.veteran)
    assert healthz(served)[0] == 200


def test_healthz_itself_notices_a_token_that_works_again(slack, world, served, clock) -> None:  # type: ignore[no-untyped-def]
    slack.fake.fail("auth.test", error="token_revoked", times=1)
    assert slack.event({"type": "app_uninstalled"}).status == 200
    assert healthz(served)[0] == 503  # its own auth.test was refused too
    assert healthz(served)[0] == 503  # and it does not ask Slack again at once
    assert len(slack.fake.calls_to("auth.test")) == 1

    clock[0] += timedelta(minutes=1)  # nothing else calls Slack meanwhile
    assert healthz(served) == (200, {"ok": True, "database": "ok", "slack": "ok"})
    assert len(slack.fake.calls_to("auth.test")) == 2


def test_any_call_the_app_makes_can_find_the_token_refused(slack, world, served) -> None:  # type: ignore[no-untyped-def]
    revoke(slack.fake, "invalid_auth")
    assert (
        slack.event({"type": "app_home_opened", "user": world.veteran.id, "tab": "home"}).status
        == 200
    )  # views.publish is refused: the person sees nothing new

    status, body = healthz(served)
    assert (status, body["reason"]) == (503, "invalid_auth")
