"""`mentorbot serve` as a real process: signed help is answered, unsigned gets 401."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bot.testing.driver import SlackDriver
from bot.testing.fake_socket import APP_TOKEN
from bot.testing.harness import wait_until
from bot.testing.socket_driver import SocketDriver
from models.migrate import upgrade
from tests.conftest import BACKENDS, drop_postgres_database, fresh_postgres_database


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_serve(
    tmp_path,
    fake_slack,
    *,
    scheduler: bool = False,
    url: str | None = None,
    args: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
    log: Path | None = None,
) -> tuple[subprocess.Popen[bytes], str]:  # type: ignore[no-untyped-def]
    """`mentorbot serve` in its own process on a free port, once /healthz answers; on
    a new SQLite database unless given the `url` of a migrated one. Its output is piped
    to the caller, or written to `log` (a busy process would fill a pipe nobody reads)."""
    if url is None:
        url = f"sqlite:///{tmp_path / 'serve.db'}"
        upgrade(url)
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SLACK_BOT_TOKEN": "xoxb-serve",
        "SLACK_SIGNING_SECRET": "serve-secret",
        "SLACK_API_URL": fake_slack.url,
        "PORT": str(port),
        **(env or {}),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", *args]
        + ([] if scheduler else ["--no-scheduler"]),
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE if log is None else log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            break
        except (urllib.error.URLError, ConnectionError):
            if process.poll() is not None:
                output = process.stdout.read() if log is None else log.read_bytes()  # type: ignore[union-attr]
                raise AssertionError(output.decode()) from None
            time.sleep(0.2)
    return process, base


@pytest.fixture
def serve_process(tmp_path, fake_slack):  # type: ignore[no-untyped-def]
    process, base = _start_serve(tmp_path, fake_slack)
    yield base
    process.terminate()
    process.wait(timeout=10)


@pytest.mark.parametrize("scheduler", [False, True], ids=["web only", "with the scheduler"])
def test_serve_starts_without_warnings_and_exits_0_on_sigterm(
    tmp_path, fake_slack, scheduler
) -> None:  # type: ignore[no-untyped-def]
    """What an operator sees: the database it uses, no alarming warning, and a clean stop
    when the platform (systemd, Kubernetes, Heroku) sends SIGTERM."""
    process, _ = _start_serve(tmp_path, fake_slack, scheduler=scheduler)
    process.send_signal(signal.SIGTERM)
    output = process.communicate(timeout=30)[0].decode()
    assert process.returncode == 0, output
    assert f"database: sqlite:///{tmp_path / 'serve.db'}" in output
    assert "WARNING" not in output and "Traceback" not in output, output


def test_served_process_answers_signed_help_and_refuses_unsigned(serve_process, fake_slack) -> None:  # type: ignore[no-untyped-def]
    fake_slack.reset()
    driver = SlackDriver(fake_slack, serve_process, "serve-secret")
    unsigned = driver.post_form(driver.slash_body("UNEWT", "/mentor", "help"), signed=False)
    assert unsigned.status == 401

    started = time.monotonic()
    reply = driver.post_form(driver.slash_body("UNEWT", "/mentor", "help"))
    assert reply.status == 200
    assert time.monotonic() - started < 3  # answered well inside Slack's 3 seconds
    assert "/mentor help" in fake_slack.ephemeral("UNEWT")[-1].all_text  # in the ack


@pytest.mark.skipif("postgresql" not in BACKENDS, reason="--workers needs PostgreSQL")
def test_serve_with_two_workers_answers_on_one_port_and_stops_cleanly(tmp_path, fake_slack) -> None:  # type: ignore[no-untyped-def]
    """`--workers 2`: two processes behind the port, both answering signed requests; the
    sweep runs once, in the supervisor; SIGTERM stops them all with status 0."""
    url, admin = fresh_postgres_database()
    upgrade(url)
    process, base = _start_serve(
        tmp_path, fake_slack, scheduler=True, url=url, args=("--workers", "2")
    )
    try:
        fake_slack.reset()
        driver = SlackDriver(fake_slack, base, "serve-secret")
        for n in range(4):
            assert driver.post_form(driver.slash_body(f"UW{n}", "/mentor", "help")).status == 200
        answered = lambda: [n for n in range(4) if fake_slack.ephemeral(f"UW{n}")]  # noqa: E731
        wait_until(lambda: len(answered()) == 4, "every help to be answered", timeout=20)
        assert answered() == [0, 1, 2, 3]
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=30)[0].decode()
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=30)
        drop_postgres_database(url, admin)
    assert process.returncode == 0, output
    assert output.count("Started server process") == 2, output
    assert output.count("reminder sweep scheduled") == 1, output
    assert "Child process" not in output, output  # no worker died or was replaced


def test_serve_refuses_workers_with_socket_mode_or_sqlite(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from bot.cli import main

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'w.db'}")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    assert main(["serve", "--socket-mode", "--workers", "3"]) == 2
    assert "start several `mentorbot serve` processes" in capsys.readouterr().err
    assert main(["serve", "--workers", "2"]) == 2
    assert "--workers needs PostgreSQL" in capsys.readouterr().err


@pytest.mark.parametrize("connections", ["0", "11"])
def test_serve_refuses_more_socket_mode_connections_than_slack_allows(
    tmp_path, monkeypatch, capsys, connections
) -> None:  # type: ignore[no-untyped-def]
    from bot.cli import main

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'c.db'}")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    assert main(["serve", "--socket-mode", "--connections", connections]) == 2
    err = capsys.readouterr().err
    assert "--connections must be 1 to 10: Slack allows an app at most 10" in err
    assert main(["serve", "--connections", "3"]) == 2
    assert "--connections is for Socket Mode: add --socket-mode" in capsys.readouterr().err


def test_serve_refuses_an_unmigrated_database(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from bot.cli import main

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'fresh.db'}")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    assert main(["serve"]) == 2
    assert "run `mentorbot db upgrade` first" in capsys.readouterr().err


def test_serve_in_socket_mode_opens_its_connections_answers_and_stops_cleanly(
    tmp_path, fake_slack
) -> None:  # type: ignore[no-untyped-def]
    """`--socket-mode --connections 3`: three connections opened with the app-level
    token, `/mentor help` answered in its ack over one; SIGTERM closes them all
    and exits 0."""
    fake_slack.reset()
    fake_slack.sockets.reset()
    log = tmp_path / "serve.log"
    process, _ = _start_serve(
        tmp_path,
        fake_slack,
        args=("--socket-mode", "--connections", "3"),
        env={"SLACK_APP_TOKEN": APP_TOKEN},
        log=log,
    )
    try:
        connections = fake_slack.sockets.wait_for_connections(3)
        driver = SocketDriver(fake_slack, connection=connections[-1])
        reply = driver.post_form(driver.slash_body("UNEWT", "/mentor", "help"))
        assert reply.status == 200  # the help, in the ack
        assert "/mentor help" in fake_slack.ephemeral("UNEWT")[-1].all_text
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
    output = log.read_text()
    assert process.returncode == 0, output
    assert "Socket Mode with 3 connection(s)" in output, output
    assert not fake_slack.sockets.live()
    assert not fake_slack.sockets.refusals and not fake_slack.sockets.take_late()


def test_serve_in_socket_mode_with_a_token_slack_refuses_says_so(tmp_path, fake_slack) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'refused.db'}"
    upgrade(url)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SLACK_BOT_TOKEN": "xoxb-serve",
        "SLACK_API_URL": fake_slack.url,
        "SLACK_APP_TOKEN": "xoxb-not-an-app-token",
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot", "serve", "--socket-mode", "--no-scheduler"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert (
        "mentorbot: Slack refused SLACK_APP_TOKEN for Socket Mode (not_allowed_token_type)"
        in done.stderr
    )
    assert "Traceback" not in done.stderr


def test_the_serving_process_loads_no_charting_or_solver_library_before_it_needs_one() -> None:
    # matplotlib (about 30 MB) and SciPy are imported where a chart is drawn or a cohort
    # solved, so an idle `mentorbot serve` stays small (issue 16: RSS <= 150 MB idle).
    heavy = ("matplotlib", "scipy")
    code = (
        "import sys, bot.cli, bot.server, bot.web, bot.app\n"
        f"print(sorted(m for m in {heavy!r} if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert loaded.stdout.strip() == "[]"
