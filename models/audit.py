"""The audit trail: every state change, who made it and when."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, uuid_pk
from models.types import JSONB, UTCDateTime


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        sa.Index("ix_audit_log_entity", "entity_type", "entity_id"),
        sa.Index("ix_audit_log_created_at", "created_at"),
        sa.Index("ix_audit_log_kind_created_at", "kind", "created_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    #: None for the system (scheduler, roster import run from the CLI).
    actor_user_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    #: The API token the change came through (its name), None for Slack and the CLI.
    api_client: Mapped[str | None] = mapped_column(sa.String(100))
    action: Mapped[str] = mapped_column(sa.String(100))
    entity_type: Mapped[str] = mapped_column(sa.String(50))
    entity_id: Mapped[str | None] = mapped_column(sa.String(64))
    #: Never private text (summaries, notes, feedback): ids, statuses and counts only.
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: What kind of data the change is to (`audit.kind_of`): a cache that shows no
    #: roster contact keeps its figures through a morning of first contacts.
    kind: Mapped[str] = mapped_column(sa.String(16), server_default="program")
