"""The coverage metric: does every new hire have a mentor? The share of new hires
(hired within the program's window) covered by a pending, active or completed mentorship
(`coverage.is_covered_sql`), and who is still without one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.expression import ColumnElement

from bot.services.analytics.shared import NAMES_SHOWN, Scope
from bot.services.coverage import is_covered_sql
from bot.services.program import ProgramConfig
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


def new_hires(config: ProgramConfig, today: date, scope: Scope) -> ColumnElement[bool]:
    """Whether a user is a new hire in scope: hired within the window, a person, active."""
    return and_(
        User.hire_date >= today - timedelta(days=config.new_hire_window_days),
        User.is_bot.is_(False),
        User.deactivated_at.is_(None),
        scope.people(User.id),
    )


def new_hire_coverage(db: Session, config: ProgramConfig, today: date, scope: Scope) -> Coverage:
    """How many new hires in scope have a mentorship, and the first of those without."""
    new_hire = new_hires(config, today, scope)
    row = db.execute(
        select(
            func.count().label("new_hires"),
            func.count(case((is_covered_sql(User.id), 1))).label("covered"),
        ).where(new_hire)
    ).one()
    manager = aliased(User)
    without = db.execute(
        select(User.name, User.slack_user_id, User.hire_date, manager.name.label("manager_name"))
        .outerjoin(manager, manager.id == User.manager_id)
        .where(new_hire, ~is_covered_sql(User.id))
        .order_by(User.hire_date, User.name)
        .limit(NAMES_SHOWN)
    )
    return Coverage(
        window_days=config.new_hire_window_days,
        new_hires=row.new_hires,
        covered=row.covered,
        without_mentor=[
            HireWithoutMentor(r.name, r.slack_user_id, r.hire_date, r.manager_name) for r in without
        ],
    )
