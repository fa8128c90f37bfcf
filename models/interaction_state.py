"""State a Slack button or modal carries by key: what doesn't fit in a button's
2,000-character value or a view's 3,000-character private metadata."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, uuid_pk
from models.types import JSONB, UTCDateTime


class InteractionState(Base):
    """One payload, found again by its id when the button is clicked or the modal
    submitted; rows older than the program keeps them for are swept."""

    __tablename__ = "interaction_state"
    __table_args__ = (sa.Index("ix_interaction_state_created_at", "created_at"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    payload: Mapped[Any] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
