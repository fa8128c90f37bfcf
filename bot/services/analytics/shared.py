"""What the analytics' questions share: whose data a query covers, the program's
today, the SQL helpers (double-precision ratios, names by key, a median from
cumulative counts, a summary beside its list) and the JSON shape of a report."""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.expression import ColumnElement

from bot.services import roster
from models import Assignment, User

DAYS_PER_MONTH = 30.4375
#: How many names a dashboard lists before saying "and N more".
NAMES_SHOWN = 25


def tune(db: Session) -> None:
    """On PostgreSQL, for this transaction only: enough memory to sort and hash a
    large program without spilling to disk, and index pages priced as the cached
    pages they are, so the planner walks the covering indexes in order (no
    hashing) instead of scanning the tables. (JIT is off for every connection:
    models.db.make_engine.)"""
    if db.get_bind().dialect.name == "postgresql":
        # One round trip for both (set_config(..., true) is SET LOCAL).
        db.execute(
            sa.text(
                "SELECT set_config('work_mem', '64MB', true),"
                " set_config('random_page_cost', '1.1', true)"
            )
        )


@dataclass(frozen=True)
class Scope:
    """Whose data a query covers: everyone, the people in `mentees` (a select of
    user ids), or one mentor's mentorships (their id, or a bind parameter of it).
    `values` are those of the bind parameters `mentees` or `mentor_id` hold, given
    when a statement is run: not part of what a statement is built from, so a
    statement built once for a scope serves every manager's team (see `team_of`)."""

    mentees: sa.CTE | None = None
    mentor_id: uuid.UUID | sa.BindParameter[Any] | None = None
    values: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def everyone(self) -> bool:
        return self.mentees is None and self.mentor_id is None

    def people(self, user_id: ColumnElement[Any]) -> ColumnElement[bool]:
        if self.mentees is None:
            return sa.true()
        return user_id.in_(select(self.mentees.c.id))

    def mentorships(self) -> ColumnElement[bool]:
        condition = self.people(Assignment.mentee_user_id)
        if self.mentor_id is not None:
            condition = and_(condition, Assignment.mentor_id == self.mentor_id)
        return condition


def bound(name: str, value: Any, type_: Any) -> sa.BindParameter[Any]:
    """The bind parameter `name` of `value`; with None, one to be given when the
    statement is run: a statement built once then never runs on a value it was built
    with (SQLAlchemy refuses to run it without)."""
    if value is None:
        return sa.bindparam(name, type_=type_, required=True)
    return sa.bindparam(name, value, type_=type_)


@functools.cache
def _reports_of() -> sa.CTE:
    """Everyone below the manager "manager_id" in the roster, at any depth (a
    recursive CTE; the id given when run)."""
    manager_id = sa.bindparam("manager_id", type_=sa.Uuid(), required=True)
    reports = select(User.id).where(User.manager_id == manager_id).cte("reports", recursive=True)
    below = aliased(User)
    return reports.union(select(below.id).where(below.manager_id == reports.c.id))


@functools.cache
def _listed_team(dialect: str) -> sa.CTE:
    """The people whose ids are the bind parameter "team" (given when run)."""
    if dialect == "postgresql":
        # One array parameter: a list of ids spelled out makes a statement too long
        # for the driver's cache, parsed again on every run.
        team = sa.bindparam("team", type_=postgresql.ARRAY(sa.Uuid()), required=True)
        return select(User.id).where(User.id == sa.any_(team)).cte("reports")
    return select(User.id).where(User.id.in_(sa.bindparam("team", expanding=True))).cte("reports")


#: The most reports `team_of` names one by one (bind parameters have limits).
TEAM_LISTED = 5_000


def team_of(db: Session, manager_id: uuid.UUID) -> Scope:
    """The manager's reports at any depth, looked up once (through the manager index,
    a level at a time) and named by id: the planner can't tell how many rows a
    recursive CTE gives (it guesses most of the roster and scans whole tables to join
    it), while a list of ids is read through the primary key. The scope's statements
    are built once (its CTE is the same for every manager, the ids its `values`): a
    manager's App Home asks after every change."""
    ids = roster.report_ids(db, manager_id)  # a level at a time
    if len(ids) > TEAM_LISTED:
        # A report over thousands costs what it covers anyway.
        return Scope(mentees=_reports_of(), values={"manager_id": manager_id})
    return Scope(mentees=_listed_team(db.get_bind().dialect.name), values={"team": ids})


def median_by_group(
    histogram: sa.Subquery, groups: list[str], sums: Sequence[str] = ()
) -> sa.Select:
    """Per group of a histogram (`groups`..., `days`, `n` rows with that value): how
    many values, their mean, their exact median and their quartiles (nearest rank:
    the smallest value with at least a quarter, or three quarters, of the values at
    or below it), from cumulative counts, and the histogram's `sums` columns added
    up under their names. Window
    functions over a few thousand histogram rows instead of sorting every value; the
    same SQL on PostgreSQL and SQLite."""
    keys = [histogram.c[g] for g in groups]
    cumulative = (
        select(
            *keys,
            histogram.c.days,
            histogram.c.n,
            *[histogram.c[name] for name in sums],
            # sum() of counts is NUMERIC on PostgreSQL; integers keep `//` a whole division.
            sa.cast(
                func.sum(histogram.c.n).over(
                    partition_by=keys, order_by=histogram.c.days, rows=(None, 0)
                ),
                sa.BigInteger,
            ).label("cum"),
            sa.cast(func.sum(histogram.c.n).over(partition_by=keys), sa.BigInteger).label("total"),
        )
    ).subquery()
    c = cumulative.c
    # The median is the mean of the values at positions (total+1)//2 and (total+2)//2.
    lower = func.min(case((c.cum >= (c.total + 1) // 2, c.days)))
    upper = func.min(case((c.cum >= (c.total + 2) // 2, c.days)))
    return select(
        *[c[g] for g in groups],
        func.sum(c.n).label("reached"),
        ratio(func.sum(c.days * c.n), func.sum(c.n)).label("mean_days"),
        ratio(lower + upper, 2).label("median_days"),
        sa.cast(func.min(case((c.cum * 4 >= c.total, c.days))), sa.Float).label("p25_days"),
        sa.cast(func.min(case((c.cum * 4 >= c.total * 3, c.days))), sa.Float).label("p75_days"),
        *[func.sum(c[name]).label(name) for name in sums],
    ).group_by(*[c[g] for g in groups])


def ratio(numerator: Any, denominator: Any) -> ColumnElement[float]:
    """numerator / denominator in double precision on both databases (SQLAlchemy would
    otherwise divide integers as NUMERIC on PostgreSQL, which is slow and returns Decimal)."""
    return sa.cast(numerator, sa.Float) / sa.cast(denominator, sa.Float)


def name_of(user_id: ColumnElement[Any]) -> ColumnElement[str]:
    """A person's name looked up by key: for a list of a few thousand people, cheaper
    than joining (and so hashing) every user."""
    return select(User.name).where(User.id == user_id).scalar_subquery()


def beside_totals(totals: sa.Subquery, listed: sa.Subquery, order_by: list[str]) -> sa.Select:
    """A summary and its list in one statement: the one row of `totals` beside the
    first row of `listed` (ordered by its `order_by` columns), or alone when nothing
    is listed; the other rows carry NULL there, so a list of thousands doesn't bring
    the summary back thousands of times. The totals come first and keep their names;
    a listed column of the same name is renamed, so read the listed rows by position."""
    position = func.row_number().over(order_by=[listed.c[name] for name in order_by])
    numbered = select(listed, position.label("position")).subquery("numbered")
    first = or_(numbered.c.position == 1, numbered.c.position.is_(None))
    return (
        select(
            *[case((first, column)).label(column.name) for column in totals.c],
            *[numbered.c[column.key] for column in listed.c],
        )
        .select_from(totals.outerjoin(numbered, sa.true()))
        .order_by(numbered.c.position)
    )


def to_float(value: Any) -> float | None:
    return None if value is None else float(value)


def as_json(report: Any) -> dict[str, Any]:
    """A report as JSON-ready values (dates ISO, ids as strings, rates included)."""
    return _jsonable(report)


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
        for name in dir(type(value)):
            if isinstance(getattr(type(value), name), property) and name not in ("empty",):
                prop = getattr(value, name)
                if not dataclasses.is_dataclass(prop):
                    out[name] = _jsonable(prop)
        return out
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


T = TypeVar("T")


def from_json(cls: type[T], data: Any) -> T:
    """The report `as_json` made, read back into its dataclasses (keys it added for
    properties are skipped): how a stored summary becomes the figures it was."""
    return typing.cast(T, _from_jsonable(cls, data))


def _from_jsonable(kind: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        inner = [k for k in typing.get_args(kind) if k is not type(None)]
        return _from_jsonable(inner[0], value)
    if origin is list:
        return [_from_jsonable(typing.get_args(kind)[0], v) for v in value]
    if origin is tuple:
        return tuple(_from_jsonable(typing.get_args(kind)[0], v) for v in value)
    if dataclasses.is_dataclass(kind):
        hints = _hints(kind)
        return kind(
            **{
                f.name: _from_jsonable(hints[f.name], value[f.name])
                for f in dataclasses.fields(kind)
                if f.name in value
            }
        )
    if kind is date:
        return date.fromisoformat(value)
    if kind is uuid.UUID:
        return uuid.UUID(value)
    if kind is float:
        return float(value)
    return value


@functools.cache
def _hints(kind: type) -> dict[str, Any]:
    return typing.get_type_hints(kind)


def summed(partials: sa.Subquery | sa.CTE, name: str) -> ColumnElement[Any]:
    """A column of partial sums added up across its rows (0 when there are none)."""
    return func.coalesce(func.sum(partials.c[name]), 0)
