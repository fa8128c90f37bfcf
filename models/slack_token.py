"""Whether Slack still takes our bot token: one row every replica reads."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base

#: The id of the one row.
THE_TOKEN = 1


class SlackTokenState(Base):
    """Set when Slack refuses our token (revoked, app uninstalled, workspace gone);
    cleared by the next call Slack accepts. `/healthz` reports it."""

    __tablename__ = "slack_token_state"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    #: Slack's error (token_revoked, invalid_auth, ...) or the event that said so.
    refused_error: Mapped[str | None] = mapped_column(sa.String(64))
    refused_at: Mapped[datetime | None]
