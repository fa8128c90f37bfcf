"""Program settings that admins edit from Slack (a key per setting, JSON value)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, updated_at
from models.types import JSONB


class ProgramSetting(Base):
    __tablename__ = "program_settings"

    key: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSONB)
    updated_by_user_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = updated_at()
