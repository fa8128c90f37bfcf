"""Helpers shared by the reminder tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from bot.config import Settings
from bot.slack_client import make_client
from bot.sweep import SweepReport, run_sweep
from bot.testing.fake_slack import FakeSlack
from bot.testing.harness import ServedApp
from models import User

Sweep = Callable[..., SweepReport]


def at(text: str) -> datetime:
    """A UTC instant from '2026-11-16T15:00'."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def sweeper(served: ServedApp, settings: Settings) -> Sweep:
    """Run one sweep as if at `now`, against the app's database and the fake Slack.
    A sweep later than the last one lets that much time pass for Slack's rate limits
    too: sweeps days apart in the story are milliseconds apart in the test."""
    client = make_client(settings)
    fake = FakeSlack.serving(settings.slack_api_url)
    last: list[datetime] = []

    def run(now: datetime, **kwargs: object) -> SweepReport:
        if fake is not None and last and now > last[0]:
            fake.advance((now - last[0]).total_seconds())
        last[:] = [now]
        return run_sweep(served.runtime, client, now=now, **kwargs)  # type: ignore[arg-type]

    return run


def clocked_sweeper(served: ServedApp, settings: Settings, clock: list[datetime]) -> Sweep:
    """`sweeper`, with the app's clock set to each sweep's `now` first: what a sweep
    causes beyond its reminders (a fallback offer, a departure) reads that clock."""
    run = sweeper(served, settings)

    def at_time(now: datetime, **kwargs: object) -> SweepReport:
        clock[0] = now
        return run(now, **kwargs)

    return at_time


def sent(report: SweepReport, kind: str = "checkin") -> list[str]:
    """Slack ids `report` delivered a reminder of `kind` to, sorted."""
    return sorted(
        d.recipient_slack_id for d in report.deliveries if d.kind == kind and d.status == "sent"
    )


def posts_to(fake: FakeSlack, slack_user_id: str) -> int:
    """How many times the app tried to post to this person (failures included)."""
    return sum(
        1 for c in fake.calls_to("chat.postMessage") if c.args.get("channel") == slack_user_id
    )


def extra_person(db: Session, fake: FakeSlack, slack_user_id: str, name: str, tz: str) -> User:
    """Someone beyond the standard cast, in the roster and in Slack's directory."""
    user = User(slack_user_id=slack_user_id, name=name, timezone=tz)
    db.add(user)
    db.flush()
    fake.add_user(slack_user_id, name, tz=tz)
    return user
