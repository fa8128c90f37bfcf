"""Column types that mean the same on PostgreSQL and SQLite.

PostgreSQL gets the PRD's native types (UUID, TEXT[], JSONB, TIMESTAMPTZ);
SQLite gets the closest portable storage, so one set of models serves both.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

#: JSONB on PostgreSQL, JSON text on SQLite.
JSONB = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

#: TEXT[] on PostgreSQL, a JSON list on SQLite.
TextArray = sa.JSON().with_variant(postgresql.ARRAY(sa.Text()), "postgresql")


class UTCDateTime(sa.TypeDecorator[datetime]):
    """TIMESTAMPTZ that always hands back an aware UTC datetime.

    SQLite drops the offset; storing UTC and re-attaching it on the way out keeps
    comparisons with `now` (always aware) correct on both databases."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a TIMESTAMPTZ column; pass an aware one")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class gen_random_uuid(FunctionElement[Any]):
    """Server-side UUID default, as the PRD's `DEFAULT gen_random_uuid()`."""

    inherit_cache = True


@compiles(gen_random_uuid)
def _gen_random_uuid_default(element: gen_random_uuid, compiler: Any, **kw: Any) -> str:
    return "gen_random_uuid()"


@compiles(gen_random_uuid, "sqlite")
def _gen_random_uuid_sqlite(element: gen_random_uuid, compiler: Any, **kw: Any) -> str:
    # SQLAlchemy's Uuid stores 32 lowercase hex characters on SQLite.
    return "(lower(hex(randomblob(16))))"


class empty_list(FunctionElement[Any]):
    """Server default for the PRD's `DEFAULT '{}'` arrays and `'[]'` JSON lists."""

    inherit_cache = True


@compiles(empty_list)
def _empty_list_default(element: empty_list, compiler: Any, **kw: Any) -> str:
    return "'[]'"


@compiles(empty_list, "postgresql")
def _empty_list_pg(element: empty_list, compiler: Any, **kw: Any) -> str:
    return "'[]'::jsonb"


class empty_array(FunctionElement[Any]):
    """Server default `'{}'` for TEXT[] on PostgreSQL, `'[]'` on SQLite."""

    inherit_cache = True


@compiles(empty_array)
def _empty_array_default(element: empty_array, compiler: Any, **kw: Any) -> str:
    return "'[]'"


@compiles(empty_array, "postgresql")
def _empty_array_pg(element: empty_array, compiler: Any, **kw: Any) -> str:
    return "'{}'"
