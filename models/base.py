"""Declarative base, naming convention and the columns every table shares."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from models.types import UTCDateTime, gen_random_uuid

# Named constraints make migrations (and their downgrades) deterministic on both databases.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


def uuid_pk() -> Mapped[uuid.UUID]:
    """The PRD's `id UUID PRIMARY KEY DEFAULT gen_random_uuid()`."""
    return mapped_column(
        sa.Uuid, primary_key=True, default=uuid.uuid4, server_default=gen_random_uuid()
    )


def created_at() -> Mapped[datetime]:
    return mapped_column(UTCDateTime(), server_default=sa.func.now(), default=_utcnow)


def updated_at() -> Mapped[datetime]:
    return mapped_column(
        UTCDateTime(), server_default=sa.func.now(), default=_utcnow, onupdate=_utcnow
    )


def _utcnow() -> datetime:
    # Read through datetime.now so freezegun-frozen tests stamp the frozen instant.
    from datetime import UTC

    return datetime.now(UTC)
