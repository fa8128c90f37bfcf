"""Slack deliveries already handled: one row per view submission, button press or
event whose change was saved, so that a second delivery of it changes nothing."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.types import UTCDateTime


class HandledInteraction(Base):
    """The delivery's key is the primary key: it is inserted in the same transaction
    as the change the delivery made, so of two deliveries at once only one commits."""

    __tablename__ = "handled_interactions"
    __table_args__ = (sa.Index("ix_handled_interactions_created_at", "created_at"),)

    #: "view:<view.id>:<view.hash>", "action:<user>:<action_id>:<action_ts>", "event:<event_id>".
    key: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
