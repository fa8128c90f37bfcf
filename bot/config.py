"""Settings of the contract, read from the environment (or a `.env` file)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def data_dir() -> Path:
    """The per-user folder MentorBot keeps its default database in: the XDG data
    folder ($XDG_DATA_HOME, else ~/.local/share) + `mentorbot`, so every command
    finds the same database whichever folder it is run from."""
    base = os.environ.get("XDG_DATA_HOME", "").strip()
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".local" / "share"
    return root / "mentorbot"


def default_database_url() -> str:
    """The SQLite file in `data_dir()`: the default `DATABASE_URL`."""
    return f"sqlite:///{data_dir() / 'mentorbot.db'}"


def ensure_database_folder(database_url: str) -> None:
    """Create the folder of the default SQLite database on first use (the data folder
    may not exist yet); any other URL is the operator's and is left as it is."""
    if database_url == default_database_url():
        data_dir().mkdir(parents=True, exist_ok=True)


#: Work threads and database connections of a process when the environment names
#: none. PostgreSQL takes many writers at once: at Slack's ~150 ms a call, 32 threads
#: (and 16 connections) served 3.3x the help of 8 with every ack's p99 under 0.5 s
#: (README "Benchmarks"). SQLite has one writer, so more threads only queue on its lock.
POSTGRESQL_WORK_THREADS, POSTGRESQL_DB_POOL_SIZE = 32, 16
SQLITE_WORK_THREADS, SQLITE_DB_POOL_SIZE = 8, 10


class MissingSetting(Exception):
    """A variable the chosen command needs is not set; the message names it."""


class Settings(BaseSettings):
    """Every variable of the contract. Program settings (capacity, cadence, ...)
    live in the database instead, so admins can change them from Slack."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    database_url: str = Field(default_factory=default_database_url, alias="DATABASE_URL")
    slack_bot_token: str | None = Field(None, alias="SLACK_BOT_TOKEN")
    slack_signing_secret: str | None = Field(None, alias="SLACK_SIGNING_SECRET")
    slack_app_token: str | None = Field(None, alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field("https://slack.com/api/", alias="SLACK_API_URL")
    mentorbot_admins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, alias="MENTORBOT_ADMINS"
    )
    port: int = Field(3000, alias="PORT", ge=1, le=65535)
    #: PostgreSQL: the role `serve` connects as, granted its rights by `db upgrade`.
    mentorbot_app_role: str | None = Field(None, alias="MENTORBOT_APP_ROLE")
    #: Threads running Slack work after its ack, and how many more requests may wait
    #: for one before people are told "busy" (bot/workpool.py). More threads overlap
    #: more waiting on Slack, but each one computing delays the event loop's acks.
    #: Unset, it depends on the database (`_sized_for_the_database`).
    mentorbot_work_threads: int = Field(
        SQLITE_WORK_THREADS, alias="MENTORBOT_WORK_THREADS", ge=1, le=512
    )
    mentorbot_work_queue: int = Field(64, alias="MENTORBOT_WORK_QUEUE", ge=0, le=10_000)
    #: Database connections kept open per process; as many again may open at a peak.
    #: Unset, it depends on the database too.
    mentorbot_db_pool_size: int = Field(
        SQLITE_DB_POOL_SIZE, alias="MENTORBOT_DB_POOL_SIZE", ge=1, le=500
    )

    @field_validator("mentorbot_admins", mode="before")
    @classmethod
    def _split_admins(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("database_url")
    @classmethod
    def _database_we_speak(cls, value: str) -> str:
        # Checked here so a typo is one line naming DATABASE_URL, not a traceback
        # from the first command that connects.
        from sqlalchemy.exc import ArgumentError

        from models.db import backend_name

        try:
            backend = backend_name(value.strip())
        except ArgumentError:
            raise ValueError(
                "not a database URL; use e.g. postgresql://user@host/mentorbot "
                "or sqlite:////absolute/path/mentorbot.db"
            ) from None
        if backend not in ("sqlite", "postgresql"):
            raise ValueError(f"a {backend} database; MentorBot speaks PostgreSQL or SQLite")
        return value.strip()

    @model_validator(mode="after")
    def _sized_for_the_database(self) -> Settings:
        from models.db import backend_name

        # A value the environment (or .env, or the caller) gives is kept as it is.
        if backend_name(self.database_url) == "postgresql":
            given = self.model_fields_set
            if "mentorbot_work_threads" not in given:
                self.mentorbot_work_threads = POSTGRESQL_WORK_THREADS
            if "mentorbot_db_pool_size" not in given:
                self.mentorbot_db_pool_size = POSTGRESQL_DB_POOL_SIZE
        return self

    @field_validator("slack_api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"

    def require(self, *names: str) -> None:
        """Raise MissingSetting naming the first unset variable among `names`
        (given by their environment names, e.g. "SLACK_BOT_TOKEN")."""
        for env_name in names:
            field_name = next(
                name for name, field in type(self).model_fields.items() if field.alias == env_name
            )
            if not getattr(self, field_name):
                raise MissingSetting(
                    f"{env_name} is not set: export it (or put it in .env) and try again."
                )
