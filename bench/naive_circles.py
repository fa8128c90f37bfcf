"""Topic circles the naive way (the tests' oracle for `analytics.circles`): every circle,
member, session and attendance row read into Python and counted."""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services.analytics import MonthSessions
from bot.services.analytics.circles import CircleFigures, CircleHost
from bot.services.analytics.sessions import month_starts
from models import CircleAttendance, CircleMember, CircleSession, Mentor, TopicCircle, User


def circle_figures(db: Session, today: date) -> CircleFigures:
    """The same as `analytics.circles.circle_figures` for the whole program."""
    circles = list(db.execute(select(TopicCircle)).scalars())
    members = list(db.execute(select(CircleMember)).scalars())
    sessions = list(db.execute(select(CircleSession)).scalars())
    attendance = list(db.execute(select(CircleAttendance)).scalars())
    open_ids = {c.id for c in circles if c.status == "open"}
    edges = [start.date() for start in month_starts(today)]
    return CircleFigures(
        open_circles=len(open_ids),
        members=sum(1 for m in members if m.circle_id in open_ids),
        sessions=len(sessions),
        places=len(attendance),
        attended=sum(1 for a in attendance if a.attended),
        by_month=[
            MonthSessions(
                start.strftime("%Y-%m"),
                sum(1 for s in sessions if start <= s.session_day < end),
            )
            for start, end in itertools.pairwise(edges)
        ],
    )


def circle_hosts(db: Session, most: int = 10) -> list[CircleHost]:
    """The same as `analytics.circles.circle_hosts`, the first `most`."""
    names = {u.id: u.name for u in db.execute(select(User)).scalars()}
    hosts = {m.id: m.user_id for m in db.execute(select(Mentor)).scalars()}
    seated: dict[object, int] = defaultdict(int)
    for member in db.execute(select(CircleMember)).scalars():
        seated[member.circle_id] += 1
    circles: dict[object, int] = defaultdict(int)
    people: dict[object, int] = defaultdict(int)
    for circle in db.execute(select(TopicCircle)).scalars():
        if circle.status == "open":
            host = hosts[circle.host_mentor_id]
            circles[host] += 1
            people[host] += seated[circle.id]
    found = [CircleHost(names[h], circles[h], people[h]) for h in circles]
    return sorted(found, key=lambda h: (-h.members, -h.circles, h.name))[:most]
