"""`mentorbot reminders run [--now]`, `mentorbot scheduler` and the scheduler inside serve."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, date, datetime

import pytest

from bot.cli import main
from bot.scheduler import start_in_background
from tests.factories import make_assignment, make_mentor
from tests.reminders_support import sweeper


@pytest.fixture
def due_pair(db, world):  # type: ignore[no-untyped-def]
    make_assignment(db, make_mentor(db, world.veteran), world.new_hire, start=date(2026, 11, 9))
    db.commit()


@pytest.fixture
def cli_env(monkeypatch, database_url, fake_slack, tmp_path):  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-cli")
    monkeypatch.setenv("SLACK_API_URL", fake_slack.url)


def test_reminders_run_sends_what_is_due_at_now_and_prints_it(
    slack, world, due_pair, cli_env, capsys
) -> None:  # type: ignore[no-untyped-def]
    assert main(["reminders", "run", "--now", "2026-11-16T15:00:00Z"]) == 0
    out = capsys.readouterr().out
    assert "reminder sweep at 2026-11-16T15:00:00+00:00" in out
    assert "sent    checkin            -> Vera Veteran (UVERA) 2026-11-16" in out
    assert "sent    checkin            -> Newt Newhire (UNEWT) 2026-11-16" in out
    assert len(slack.dms(world.veteran)) == 1

    assert main(["reminders", "run", "--now", "2026-11-16T15:05:00"]) == 0  # no offset: UTC
    out = capsys.readouterr().out
    assert "0 sent" in out and "already sent or in progress" in out
    assert len(slack.dms(world.veteran)) == 1


def test_reminders_run_says_when_people_are_outside_working_hours(
    slack, world, due_pair, cli_env, capsys
) -> None:  # type: ignore[no-untyped-def]
    assert main(["reminders", "run", "--now", "2026-11-16T12:00:00+00:00"]) == 0
    out = capsys.readouterr().out
    assert (
        "held    checkin            -> Vera Veteran (UVERA) until 2026-11-16T14:00:00+00:00" in out
    )
    assert slack.dms(world.veteran) == []


def test_reminders_run_refuses_a_bad_instant(cli_env, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["reminders", "run", "--now", "next tuesday"]) == 2
    err = capsys.readouterr().err
    assert "--now 'next tuesday' is not an ISO-8601 instant; use e.g. 2026-11-17T14:00:00Z" in err


def test_scheduler_refuses_a_zero_interval(cli_env, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["scheduler", "--interval", "0"]) == 2
    assert "--interval must be at least 1 second" in capsys.readouterr().err


def _wait_for(condition, timeout: float = 20.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_the_in_process_scheduler_runs_the_sweep_and_stops(
    slack, world, due_pair, served, settings, clock
) -> None:  # type: ignore[no-untyped-def]
    clock[0] = datetime(2026, 11, 16, 15, 0, tzinfo=UTC)
    stop = start_in_background(settings, served.runtime, served.bolt, interval_seconds=3600)
    try:
        assert _wait_for(lambda: len(slack.dms(world.new_hire)) == 1)
    finally:
        stop()
    assert len(slack.dms(world.veteran)) == 1


MONDAY_10_IN_NY = "2026-11-16T15:00:00Z"  # the weekly check-in's due day, in working hours


def test_mentorbot_scheduler_runs_alone_and_sends_due_nudges(
    slack, world, due_pair, database_url, fake_slack
) -> None:  # type: ignore[no-untyped-def]
    # A real process: `--now` tells it what time it is, as `reminders run --now` does
    # for one sweep, so it sees the check-in due whatever the machine's clock says.
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "xoxb-scheduler",
        "SLACK_API_URL": fake_slack.url,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "scheduler", "--interval", "1", "--now", MONDAY_10_IN_NY],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        arrived = _wait_for(lambda: slack.dms(world.new_hire) and slack.dms(world.veteran))
        time.sleep(2.5)  # a few more runs: still one nudge each
    finally:
        process.terminate()
        output = process.communicate(timeout=10)[0].decode()
    assert arrived, output
    assert len(slack.dms(world.veteran)) == 1 and len(slack.dms(world.new_hire)) == 1
    assert "reminder sweep running every 1 s" in output
    assert f"sweep clock starts at {MONDAY_10_IN_NY.replace('Z', '+00:00')}" in output


def test_the_scheduler_counts_held_reminders_without_listing_them(
    slack, world, due_pair, served, settings, cli_env, capsys
) -> None:  # type: ignore[no-untyped-def]
    early = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)  # 07:00 in New York, 06:00 in Chicago
    counted = sweeper(served, settings)(early, list_held=False)
    assert counted.held == [] and counted.held_counts == {"checkin": 2}
    assert "0 sent" in counted.summary() and "2 held for working hours" in counted.summary()

    listed = sweeper(served, settings)(early)
    assert sorted(due.recipient.slack_user_id for due, _ in listed.held) == ["UNEWT", "UVERA"]
    assert listed.held_counts == {"checkin": 2}
    assert slack.dms(world.veteran) == []

    assert main(["reminders", "run", "--now", "2026-11-16T12:00:00Z"]) == 0
    out = capsys.readouterr().out
    assert "held    checkin            2 in all, each until its recipient's working hours" in out
