"""Bearer tokens of the REST API: a person's own, or a system's (service token)."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, created_at, uuid_pk
from models.types import TextArray, UTCDateTime, empty_array


class ApiToken(Base):
    """Only the token's SHA-256 is kept: the token itself is shown once, when made.

    A person's token (`user_id` set) acts with that person's rights in Slack; a
    service token (`user_id` None) acts for a system within its `scopes`."""

    __tablename__ = "api_tokens"
    __table_args__ = (sa.Index("ix_api_tokens_user", "user_id"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(sa.String(100))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: The first characters of the token, to tell tokens apart in lists.
    prefix: Mapped[str] = mapped_column(sa.String(16))
    user_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    scopes: Mapped[list[str]] = mapped_column(TextArray, default=list, server_default=empty_array())
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = created_at()
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
