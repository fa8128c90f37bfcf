"""Topic circles (NFR-2's topic-based structure): how many meet, how often, who comes.

Reported apart from the 1:1 figures, so the success metrics keep their meaning: a
circle session is not a session of any mentorship (it is in neither session frequency
nor completion), and its members may be anyone's mentees. *Attendance rate* is the
member places at logged circle sessions that were taken: attended / members then."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from bot.services.analytics.sessions import MonthSessions, month_starts
from bot.services.analytics.shared import name_of
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
    attendance, sessions per month over the monthly series' months."""
    hosted = TopicCircle.host_mentor_id == host_mentor_id if host_mentor_id else sa.true()
    open_now = db.execute(
        select(func.count(func.distinct(TopicCircle.id)), func.count(CircleMember.id))
        .select_from(TopicCircle)
        .outerjoin(CircleMember, CircleMember.circle_id == TopicCircle.id)
        .where(TopicCircle.status == "open", hosted)
    ).one()
    edges = [start.date() for start in month_starts(today)]
    day = CircleSession.session_day
    months = [
        func.count(func.distinct(case((and_(day >= start, day < end), CircleSession.id))))
        for start, end in itertools.pairwise(edges)
    ]
    held = db.execute(
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
    ).one()
    return CircleFigures(
        open_circles=int(open_now[0]),
        members=int(open_now[1]),
        sessions=int(held[0]),
        places=int(held[1]),
        attended=int(held[2]),
        by_month=[
            MonthSessions(start.strftime("%Y-%m"), int(held[3 + i] or 0))
            for i, start in enumerate(edges[:-1])
        ],
    )


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
