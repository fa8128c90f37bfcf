"""The notification ledger that makes each reminder exactly-once."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, uuid_pk
from models.types import UTCDateTime

#: claimed -> sent | (failed -> claimed again later) | dead (recipient gone)
NOTIFICATION_STATUSES = ("claimed", "sent", "failed", "dead")


class Notification(Base):
    """A reminder claimed before it is sent. The unique (kind, target, period)
    key is what stops two sweeps, a restart or a retry from sending it twice."""

    __tablename__ = "notifications"
    __table_args__ = (
        sa.UniqueConstraint("kind", "target", "period", name="uq_notifications_key"),
        sa.Index("ix_notifications_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    kind: Mapped[str] = mapped_column(sa.String(50))
    #: What it is about, e.g. an assignment id plus the recipient's Slack id.
    target: Mapped[str] = mapped_column(sa.String(200))
    #: The cadence period or date it belongs to, e.g. "2026-W47".
    period: Mapped[str] = mapped_column(sa.String(50))
    recipient_user_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(sa.String(20), default="claimed", server_default="claimed")
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    #: A send of it may have reached Slack (its sweep died mid-send, or Slack timed
    #: out): the next sweep looks for it in Slack before sending it again.
    in_doubt: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
