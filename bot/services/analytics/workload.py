"""FR-5.2: how is the mentoring spread? Active mentees per mentor against capacity,
and beside it the topic circles each mentor hosts (which take no 1:1 capacity)."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from bot.services.analytics.circles import CircleHost, circle_hosts
from bot.services.analytics.shared import beside_totals, name_of
from models import Assignment, Mentor


@dataclass(frozen=True)
class MentorLoad:
    name: str
    active: int
    capacity: int


@dataclass(frozen=True)
class Workload:
    """FR-5.2: active mentees per mentor against capacity."""

    mentors: int
    active_mentees: int
    capacity: int
    full: int
    idle: int
    over_80: int
    busiest: list[MentorLoad] = field(default_factory=list)
    #: Mentors hosting open topic circles, with their members: group time shown beside
    #: the 1:1 load, not counted against capacity.
    circle_hosts: list[CircleHost] = field(default_factory=list)

    @property
    def utilisation(self) -> float | None:
        return self.active_mentees / self.capacity if self.capacity else None


def mentor_workload(db: Session, busiest: int = 10) -> Workload:
    """Every mentor's active mentees against their capacity, summed up (full, idle,
    over 80 %), and the `busiest` mentors by share of capacity taken."""
    active = (
        select(Assignment.mentor_id, func.count().label("active"))
        .where(Assignment.status == "active")
        .group_by(Assignment.mentor_id)
        .subquery()
    )
    active_count = func.coalesce(active.c.active, 0)
    loads = (
        select(
            Mentor.user_id.label("user_id"),
            Mentor.max_mentees.label("capacity"),
            active_count.label("active"),
        )
        .outerjoin(active, active.c.mentor_id == Mentor.id)
        # An opted-out mentor still carries the mentees they had.
        .where(or_(Mentor.is_active, active_count > 0))
        .cte("loads")
    )
    totals = select(
        func.count().label("mentors"),
        func.coalesce(func.sum(loads.c.active), 0).label("active_mentees"),
        func.coalesce(func.sum(loads.c.capacity), 0).label("capacity"),
        func.count(case((loads.c.active >= loads.c.capacity, 1))).label("full"),
        func.count(case((loads.c.active == 0, 1))).label("idle"),
        func.count(case((loads.c.active * 5 > loads.c.capacity * 4, 1))).label("over_80"),
    ).subquery("totals")
    name = name_of(loads.c.user_id)
    place = func.row_number().over(
        order_by=(
            (sa.cast(loads.c.active, sa.Float) / loads.c.capacity).desc(),
            loads.c.active.desc(),
            name,
        )
    )
    top = (
        select(
            name.label("name"),
            loads.c.active.label("busy"),
            loads.c.capacity.label("seats"),
            place.label("place"),
        )
        .where(loads.c.active > 0)
        .order_by(place)
        .limit(busiest)
        .subquery("top")
    )
    rows = db.execute(beside_totals(totals, top).order_by(top.c.place)).all()
    first = rows[0]
    return Workload(
        mentors=first.mentors,
        active_mentees=int(first.active_mentees),
        capacity=int(first.capacity),
        full=first.full,
        idle=first.idle,
        over_80=first.over_80,
        busiest=[MentorLoad(r.name, r.busy, r.seats) for r in rows if r.name is not None],
        circle_hosts=circle_hosts(db)[:busiest] if busiest else [],
    )
