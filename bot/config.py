"""Settings of the contract, read from the environment (or a `.env` file)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class MissingSetting(Exception):
    """A variable the chosen command needs is not set; the message names it."""


class Settings(BaseSettings):
    """Every variable of the contract. Program settings (capacity, cadence, ...)
    live in the database instead, so admins can change them from Slack."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    database_url: str = Field("sqlite:///./mentorbot.db", alias="DATABASE_URL")
    slack_bot_token: str | None = Field(None, alias="SLACK_BOT_TOKEN")
    slack_signing_secret: str | None = Field(None, alias="SLACK_SIGNING_SECRET")
    slack_app_token: str | None = Field(None, alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field("https://slack.com/api/", alias="SLACK_API_URL")
    mentorbot_admins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, alias="MENTORBOT_ADMINS"
    )
    port: int = Field(3000, alias="PORT")
    #: PostgreSQL: the role `serve` connects as, granted its rights by `db upgrade`.
    mentorbot_app_role: str | None = Field(None, alias="MENTORBOT_APP_ROLE")

    @field_validator("mentorbot_admins", mode="before")
    @classmethod
    def _split_admins(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

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
