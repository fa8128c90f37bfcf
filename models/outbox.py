"""The outbox: every Slack message a change causes, saved with the change."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, uuid_pk
from models.types import JSONB, UTCDateTime

#: pending -> sending -> sent | (pending again: retried later) | dead (Slack refused it)
OUTBOX_STATUSES = ("pending", "sending", "sent", "dead")


class OutboxMessage(Base):
    """One message to post, committed in the transaction of the change that causes it,
    so the change and its messages are saved together or not at all. A delivery worker
    posts it once (bot/delivery.py)."""

    __tablename__ = "outbox"
    __table_args__ = (
        sa.UniqueConstraint("dedupe_key", name="uq_outbox_dedupe_key"),
        sa.Index("ix_outbox_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    #: What the message is, for logs and reports ("session_logged", "mentee_intro", ...).
    purpose: Mapped[str] = mapped_column(sa.String(50))
    #: Set when the same message may be enqueued twice (a reminder's ledger claim):
    #: the second enqueue is a no-op.
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(300))
    #: A Slack user id (their DM with the bot) or a channel id.
    channel: Mapped[str] = mapped_column(sa.String(40))
    text: Mapped[str] = mapped_column(sa.Text)
    blocks: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB)
    status: Mapped[str] = mapped_column(sa.String(20), default="pending", server_default="pending")
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    #: A send of it may have reached Slack (its sender died or timed out): look in the
    #: conversation's history before posting it again.
    in_doubt: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: pending: not before; sending: the sender's lease ends (then it is presumed dead).
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Where Slack put it, for code that later updates the message.
    sent_channel: Mapped[str | None] = mapped_column(sa.String(40))
    sent_ts: Mapped[str | None] = mapped_column(sa.String(40))
    last_error: Mapped[str | None] = mapped_column(sa.Text)
