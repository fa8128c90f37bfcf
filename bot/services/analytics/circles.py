"""Topic circles (NFR-2's topic-based structure): how many meet, how often, who comes.

Reported apart from the 1:1 figures, so the success metrics keep their meaning: a
circle session is not a session of any mentorship (it is in neither session frequency
nor completion), and its members may be anyone's mentees. *Attendance rate* is the
member places at logged circle sessions that were taken: attended / members then."""

from __future__ import annotations

import functools
import itertools
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnElement

from bot.services.analytics.sessions import MONTHS_SHOWN, MonthSessions, month_starts
from bot.services.analytics.shared import bound, name_of
from models import CircleAttendance, CircleMember, CircleSession, Mentor, TopicCircle


@dataclass(frozen=True)
class CircleFigures:
    """Circles open now, their members, and the sessions logged of every circle."""

    open_circles: int = 0
    members: int = 0  # seats taken in the open circles
    sessions: int = 0  # circle sessions logged, open and closed circles alike
    places: int = 0  # members at the time of each session, summed
    attended: int = 0
    #: Circle sessions per calendar month, the current month last.
    by_month: list[MonthSessions] = field(default_factory=list)

    @property
    def attendance_rate(self) -> float | None:
        return self.attended / self.places if self.places else None


@dataclass(frozen=True)
class CircleHost:
    """A mentor's circle load: open circles hosted and the members in them."""

    name: str
    circles: int
    members: int


def circle_figures(
    db: Session, today: date, *, host_mentor_id: uuid.UUID | None = None
) -> CircleFigures:
    """The program's circles (or one host's): open circles and members, sessions and
    attendance, sessions per month over the monthly series' months, in one statement;
    one host's is built once: their App Home asks on the first open of each mentor."""
    edges = [start.date() for start in month_starts(today)]
    if host_mentor_id is None:
        statement, params = _statement(sa.true(), edges), {}
    else:
        statement = _one_hosts_statement()
        params = {"host_mentor_id": host_mentor_id, **_edge_values(edges)}
    row = db.execute(statement, params).one()
    return CircleFigures(
        open_circles=int(row[0]),
        members=int(row[1]),
        sessions=int(row[2]),
        places=int(row[3]),
        attended=int(row[4]),
        by_month=[
            MonthSessions(start.strftime("%Y-%m"), int(row[5 + i] or 0))
            for i, start in enumerate(edges[:-1])
        ],
    )


def _edge_values(edges: list[date] | None) -> dict[str, date | None]:
    """The bind parameters of the monthly series' edges (None each: given when run)."""
    return {
        f"circle_month_{i}": edge for i, edge in enumerate(edges or [None] * (MONTHS_SHOWN + 1))
    }


def _statement(hosted: ColumnElement[bool], edges: list[date] | None) -> sa.Select[Any]:
    """Open circles and their members; sessions, places, attended and sessions per
    month between `edges` (None: given when run) of the circles `hosted` picks: one
    row, of two aggregates side by side."""
    open_now = (
        select(func.count(func.distinct(TopicCircle.id)), func.count(CircleMember.id))
        .select_from(TopicCircle)
        .outerjoin(CircleMember, CircleMember.circle_id == TopicCircle.id)
        .where(TopicCircle.status == "open", hosted)
    )
    day = CircleSession.session_day
    bounds = [bound(name, value, sa.Date()) for name, value in _edge_values(edges).items()]
    months = [
        func.count(func.distinct(case((and_(day >= start, day < end), CircleSession.id))))
        for start, end in itertools.pairwise(bounds)
    ]
    held = (
        select(
            func.count(func.distinct(CircleSession.id)),
            func.count(CircleAttendance.id),
            func.count(case((CircleAttendance.attended.is_(True), 1))),
            *months,
        )
        .select_from(CircleSession)
        .join(TopicCircle, TopicCircle.id == CircleSession.circle_id)
        .outerjoin(CircleAttendance, CircleAttendance.circle_session_id == CircleSession.id)
        .where(hosted)
    )
    counts, sessions = open_now.subquery("open_now"), held.subquery("held")
    return select(counts, sessions).select_from(counts.join(sessions, sa.true()))


@functools.cache
def _one_hosts_statement() -> sa.Select[Any]:
    """`_statement` of the host "host_mentor_id", every value given when run."""
    return _statement(TopicCircle.host_mentor_id == sa.bindparam("host_mentor_id"), None)


def circle_hosts(db: Session) -> list[CircleHost]:
    """Each mentor hosting an open circle: how many, and their members, busiest first."""
    members = (
        select(CircleMember.circle_id, func.count().label("members"))
        .group_by(CircleMember.circle_id)
        .subquery()
    )
    per_host = (
        select(
            Mentor.user_id.label("user_id"),
            func.count(TopicCircle.id).label("circles"),
            func.coalesce(func.sum(members.c.members), 0).label("members"),
        )
        .join(TopicCircle, TopicCircle.host_mentor_id == Mentor.id)
        .outerjoin(members, members.c.circle_id == TopicCircle.id)
        .where(TopicCircle.status == "open")
        .group_by(Mentor.user_id)
        .subquery()
    )
    name = name_of(per_host.c.user_id)
    rows = db.execute(
        select(name, per_host.c.circles, per_host.c.members).order_by(
            per_host.c.members.desc(), per_host.c.circles.desc(), name
        )
    ).all()
    return [CircleHost(str(n), int(c), int(m)) for n, c, m in rows]
