"""What every resource shares: pages, strict bodies, and the service's field names
told in the API's own."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Annotated, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field

from bot.services.errors import InvalidInput

T = TypeVar("T")
MAX_PAGE = 200

Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"Page size, 1 to {MAX_PAGE}")]
Offset = Annotated[int, Query(ge=0, le=1_000_000_000, description="Rows to skip")]


class Body(BaseModel):
    """A request body: unknown fields are refused (422 naming them), not ignored."""

    model_config = ConfigDict(extra="forbid")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int = Field(description="Rows in all pages")
    limit: int
    offset: int
    next_offset: int | None = Field(description="The offset of the next page, null on the last")


def page_of(items: list[T], total: int, limit: int, offset: int) -> Page[T]:
    following = offset + limit
    return Page[T](
        items=items,
        total=total,
        limit=limit,
        offset=offset,
        next_offset=following if following < total else None,
    )


@contextmanager
def fields_named(names: Mapping[str, str]) -> Iterator[None]:
    """Report a service's InvalidInput under this endpoint's field names (the service
    speaks the modal's: `capacity`, the API the PRD's: `max_mentees`)."""
    try:
        yield
    except InvalidInput as exc:
        renamed = {names.get(field, field): why for field, why in exc.errors.items()}
        raise InvalidInput(renamed) from exc
