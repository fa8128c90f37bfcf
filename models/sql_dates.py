"""Date arithmetic in SQL that PostgreSQL and SQLite spell differently, compiled per
dialect so the same statements run on both."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement


class days_between(FunctionElement[int]):
    """`later - earlier` in whole days, for two DATE expressions."""

    type = sa.Integer()
    inherit_cache = True


@compiles(days_between)
def _days_between_pg(element: days_between, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"({later} - {earlier})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


class hire_quarter(FunctionElement[int]):
    """A date's quarter as year * 10 + quarter (2026 Q3 is 20263), NULL for NULL."""

    type = sa.Integer()
    inherit_cache = True


@compiles(hire_quarter)
def _hire_quarter_pg(element: hire_quarter, compiler: Any, **kw: Any) -> str:
    # date_part() is a double; EXTRACT() is NUMERIC on PostgreSQL 14+ and much slower.
    (day,) = (compiler.process(c, **kw) for c in element.clauses)
    return (
        f"(CAST(date_part('year', {day}) AS INTEGER) * 10"
        f" + (CAST(date_part('month', {day}) AS INTEGER) + 2) / 3)"
    )


@compiles(hire_quarter, "sqlite")
def _hire_quarter_sqlite(element: hire_quarter, compiler: Any, **kw: Any) -> str:
    (day,) = (compiler.process(c, **kw) for c in element.clauses)
    return (
        f"(CAST(strftime('%Y', {day}) AS INTEGER) * 10"
        f" + (CAST(strftime('%m', {day}) AS INTEGER) + 2) / 3)"
    )


class minutes_between(FunctionElement[int]):
    """`later - earlier` in whole minutes (rounded down), for two timestamps."""

    type = sa.Integer()
    inherit_cache = True


@compiles(minutes_between)
def _minutes_between_pg(element: minutes_between, compiler: Any, **kw: Any) -> str:
    # date_part() is a double; EXTRACT() is NUMERIC on PostgreSQL 14+ and much slower.
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(floor(date_part('epoch', {later} - {earlier}) / 60) AS INTEGER)"


@compiles(minutes_between, "sqlite")
def _minutes_between_sqlite(element: minutes_between, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    # julianday() is a double: a whole minute may come out a hair short of itself.
    return f"CAST((julianday({later}) - julianday({earlier})) * 1440 + 0.0001 AS INTEGER)"


class minutes_before(FunctionElement[Any]):
    """A timestamp less a whole number of minutes (a literal), comparable with a
    timestamp column on both databases (SQLite's text sorts as its time does)."""

    inherit_cache = True


@compiles(minutes_before)
def _minutes_before_pg(element: minutes_before, compiler: Any, **kw: Any) -> str:
    moment, minutes = (compiler.process(c, **kw) for c in element.clauses)
    return f"({moment} - interval '1 minute' * {minutes})"


@compiles(minutes_before, "sqlite")
def _minutes_before_sqlite(element: minutes_before, compiler: Any, **kw: Any) -> str:
    moment, minutes = (compiler.process(c, **kw) for c in element.clauses)
    return f"datetime({moment}, '-' || {minutes} || ' minutes')"
