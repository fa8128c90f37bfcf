"""People: the roster the PRD's `users(id)` references."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, created_at, updated_at, uuid_pk


class User(Base):
    """A person in the Slack workspace, from the roster import or first contact."""

    __tablename__ = "users"
    __table_args__ = (
        sa.UniqueConstraint("team_id", "slack_user_id"),
        sa.Index("ix_users_manager", "manager_id"),
        sa.Index("ix_users_hire_date", "hire_date"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    slack_user_id: Mapped[str] = mapped_column(sa.String(32))
    # Empty until Slack tells us (first request); the roster CSV has no team column.
    team_id: Mapped[str] = mapped_column(sa.String(32), default="", server_default="")
    name: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    email: Mapped[str | None] = mapped_column(sa.String(320))
    title: Mapped[str | None] = mapped_column(sa.String(200))
    hire_date: Mapped[date | None]
    manager_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("users.id"))
    timezone: Mapped[str | None] = mapped_column(sa.String(64))  # IANA name, e.g. Asia/Tokyo
    location: Mapped[str | None] = mapped_column(sa.String(200))
    #: Optional roster column used by mentor eligibility (e.g. last review score 1-5).
    performance_rating: Mapped[Decimal | None] = mapped_column(sa.Numeric(3, 1))
    is_admin: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    is_bot: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    #: Set when Slack says the account is gone (`deleted` in users.info or user_change,
    #: user_not_found).
    deactivated_at: Mapped[datetime | None]
    #: When `users.info` last confirmed the account (the sweep re-checks daily whom it
    #: reminds, since Slack still delivers DMs to a deactivated account).
    profile_checked_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()

    manager: Mapped[User | None] = relationship(remote_side=[id])

    @property
    def mention(self) -> str:
        return f"<@{self.slack_user_id}>"
