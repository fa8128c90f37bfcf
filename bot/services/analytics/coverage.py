"""The coverage metric: does every new hire have a mentor? The share of new hires
(hired within the program's window) covered by a pending, active or completed mentorship
(`coverage.is_covered_sql`), and who is still without one."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.expression import ColumnElement

from bot.services.analytics.shared import NAMES_SHOWN, Scope
from bot.services.coverage import is_covered_sql
from bot.services.program import ProgramConfig, hired_since
from models import User


@dataclass(frozen=True)
class HireWithoutMentor:
    name: str
    slack_user_id: str
    hire_date: date
    manager_name: str | None


@dataclass(frozen=True)
class Coverage:
    """Share of new hires (hired within the window) with an active or pending mentorship."""

    window_days: int
    new_hires: int
    covered: int
    without_mentor: list[HireWithoutMentor] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        return self.covered / self.new_hires if self.new_hires else None


def new_hires(scope: Scope) -> ColumnElement[bool]:
    """Whether a user is a new hire in scope: hired on or after the bind parameter
    "hired_since" (`hire_window` gives its value when run), a person, active."""
    return and_(
        User.hire_date >= sa.bindparam("hired_since", type_=sa.Date(), required=True),
        User.is_bot.is_(False),
        User.deactivated_at.is_(None),
        scope.people(User.id),
    )


def hire_window(config: ProgramConfig, today: date) -> dict[str, date]:
    """The value of `new_hires`'s bind parameter: the program's window back from today."""
    return {"hired_since": hired_since(today, config)}


def new_hire_coverage(db: Session, config: ProgramConfig, today: date, scope: Scope) -> Coverage:
    """How many new hires in scope have a mentorship, and the first of those without."""
    counted, without = _statements(scope)
    values = {**hire_window(config, today), **scope.values}
    row = db.execute(counted, values).one()
    return Coverage(
        window_days=config.new_hire_window_days,
        new_hires=row.new_hires,
        covered=row.covered,
        without_mentor=[
            HireWithoutMentor(r.name, r.slack_user_id, r.hire_date, r.manager_name)
            for r in db.execute(without, values)
        ],
    )


@functools.lru_cache(maxsize=16)
def _statements(scope: Scope) -> tuple[sa.Select[Any], sa.Select[Any]]:
    """The new hires in scope counted, and the first of them without a mentorship:
    built once per scope (every value a bind parameter), as a manager's App Home asks
    after every change."""
    new_hire = new_hires(scope)
    counted = select(
        func.count().label("new_hires"),
        func.count(case((is_covered_sql(User.id), 1))).label("covered"),
    ).where(new_hire)
    manager = aliased(User)
    without = (
        select(User.name, User.slack_user_id, User.hire_date, manager.name.label("manager_name"))
        .outerjoin(manager, manager.id == User.manager_id)
        .where(new_hire, ~is_covered_sql(User.id))
        .order_by(User.hire_date, User.name)
        .limit(NAMES_SHOWN)
    )
    return counted, without
