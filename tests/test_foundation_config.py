"""Settings of the contract and the one-line errors when one is missing."""

from __future__ import annotations

import pytest

from bot.cli import main
from bot.config import MissingSetting, Settings, default_database_url


def test_admins_are_split_and_trimmed(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MENTORBOT_ADMINS", " U1, U2 ,,U3")
    assert Settings(_env_file=None).mentorbot_admins == ["U1", "U2", "U3"]


def test_defaults(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    for name in ("DATABASE_URL", "SLACK_API_URL", "PORT", "MENTORBOT_ADMINS"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings(_env_file=None)
    # Never the current folder: see tests/test_first_hour.py for where it lives.
    assert settings.database_url == default_database_url()
    assert "./" not in settings.database_url
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.port == 3000
    assert settings.mentorbot_admins == []


SIZES = ("DATABASE_URL", "MENTORBOT_WORK_THREADS", "MENTORBOT_DB_POOL_SIZE")
POSTGRESQL = "postgresql://mentorbot@db.internal/mentorbot"


@pytest.mark.parametrize(
    ("env", "threads", "connections"),
    [
        ({}, 8, 10),  # the default SQLite file: one writer
        ({"DATABASE_URL": POSTGRESQL}, 32, 16),
        ({"DATABASE_URL": "postgres://mentorbot@db.internal/mentorbot"}, 32, 16),
        # What the operator sets is kept, whichever the database.
        ({"DATABASE_URL": POSTGRESQL, "MENTORBOT_WORK_THREADS": "8"}, 8, 16),
        ({"DATABASE_URL": POSTGRESQL, "MENTORBOT_DB_POOL_SIZE": "4"}, 32, 4),
        ({"MENTORBOT_WORK_THREADS": "32", "MENTORBOT_DB_POOL_SIZE": "16"}, 32, 16),
    ],
)
def test_work_threads_and_connections_suit_the_database(
    monkeypatch, env, threads, connections
) -> None:  # type: ignore[no-untyped-def]
    for name in SIZES:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = Settings(_env_file=None)
    assert (settings.mentorbot_work_threads, settings.mentorbot_db_pool_size) == (
        threads,
        connections,
    )


def test_work_threads_from_a_dotenv_file_are_kept(monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    for name in SIZES:
        monkeypatch.delenv(name, raising=False)
    env_file = tmp_path / ".env"
    env_file.write_text(f"DATABASE_URL={POSTGRESQL}\nMENTORBOT_WORK_THREADS=12\n")
    settings = Settings(_env_file=env_file)
    assert (settings.mentorbot_work_threads, settings.mentorbot_db_pool_size) == (12, 16)


def test_require_names_the_variable() -> None:
    with pytest.raises(MissingSetting, match="SLACK_SIGNING_SECRET is not set"):
        Settings(SLACK_BOT_TOKEN="xoxb-1", _env_file=None).require(
            "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"
        )


@pytest.mark.parametrize(
    ("env", "missing"),
    [({}, "SLACK_BOT_TOKEN"), ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET")],
)
def test_serve_without_credentials_is_one_line(monkeypatch, capsys, env, missing) -> None:  # type: ignore[no-untyped-def]
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir("/")  # no stray .env
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert err == f"mentorbot: {missing} is not set: export it (or put it in .env) and try again.\n"


def test_socket_mode_needs_the_app_token(monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.delenv("SLACK_APP_TOKEN", raising=False)
    monkeypatch.chdir("/")
    assert main(["serve", "--socket-mode"]) == 2
    assert "SLACK_APP_TOKEN is not set" in capsys.readouterr().err
