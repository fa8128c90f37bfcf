"""Topic circles (issue 18, NFR-2's topic-based structure): group mentorship by topic.

A mentor opens a circle (name, topic, seats, cadence); `/mentor circles` lists the open
ones and anyone in the program joins or leaves with a button. A join takes a seat under
the circle's row lock, so two people can't both take the last seat."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.services import access, audit, inputs
from bot.services.errors import CapacityFull, Conflict, InvalidInput, NotAllowed, NotFound
from models import CADENCES, CircleMember, CircleSession, Mentor, TopicCircle, User
from models.circles import CIRCLE_NAME_LIMIT, CIRCLE_TOPIC_LIMIT, MAX_SEATS

GONE = "That circle is closed or gone. `/mentor circles` lists the open ones."


@dataclass(frozen=True)
class CircleView:
    """A circle as the list shows it to one viewer."""

    id: uuid.UUID
    name: str
    topic: str
    cadence: str
    seats: int
    taken: int
    host_name: str
    members: list[str]
    joined: bool  # the viewer has a seat
    hosting: bool  # the viewer hosts it
    manages: bool = False  # the viewer may log its sessions and close it (host, admin)
    sessions: int = 0  # sessions logged so far

    @property
    def full(self) -> bool:
        return self.taken >= self.seats


def open_circle(
    db: Session,
    *,
    actor_id: uuid.UUID,
    name: object,
    topic: object,
    seats: object,
    cadence: object,
    now: datetime,
) -> CircleView:
    """A mentor opens a circle. InvalidInput names each bad field (name, topic, seats,
    cadence); NotAllowed when the actor is not an active mentor. Nothing is written then."""
    host = _host(db, actor_id)
    errors: dict[str, str] = {}
    clean_name = inputs.required_text(
        name, "name", errors, what="the circle's name", limit=CIRCLE_NAME_LIMIT
    )
    clean_topic = inputs.required_text(
        topic, "topic", errors, what="the topic", limit=CIRCLE_TOPIC_LIMIT
    )
    count = inputs.whole_number(
        seats, "seats", errors, what="the number of seats", low=1, high=MAX_SEATS
    )
    if cadence not in CADENCES:
        errors["cadence"] = "Choose how often the circle meets: Weekly, Biweekly or Monthly."
    if errors:
        raise InvalidInput(errors)
    assert clean_name is not None and clean_topic is not None and count is not None
    circle = TopicCircle(
        host_mentor_id=host.id,
        name=clean_name,
        topic=clean_topic,
        seats=count,
        cadence=str(cadence),
        created_at=now,
        updated_at=now,
    )
    db.add(circle)
    db.flush()
    audit.record(
        db,
        actor_id=actor_id,
        action="circle.opened",
        entity_type="circle",
        entity_id=circle.id,
        now=now,
        seats=count,
        cadence=str(cadence),
    )
    return _views(db, [circle], actor_id)[0]


def open_circles(db: Session, *, viewer_id: uuid.UUID) -> list[CircleView]:
    """Every open circle, oldest first, as this viewer sees it."""
    found = db.scalars(
        sa.select(TopicCircle)
        .where(TopicCircle.status == "open")
        .order_by(TopicCircle.created_at, TopicCircle.id)
    ).all()
    return _views(db, list(found), viewer_id)


def one(db: Session, *, viewer_id: uuid.UUID, circle_id: str) -> CircleView:
    """One open circle as this viewer sees it; NotFound when it is closed or gone."""
    return _views(db, [open_by_id(db, circle_id)], viewer_id)[0]


def open_by_id(db: Session, circle_id: str) -> TopicCircle:
    """The open circle of this id, read without a lock; NotFound when closed or gone."""
    try:
        key = uuid.UUID(circle_id)
    except ValueError:
        key = None
    circle = db.get(TopicCircle, key) if key is not None else None
    if circle is None or circle.status != "open":
        raise NotFound(GONE)
    return circle


def join(db: Session, *, actor_id: uuid.UUID, circle_id: str, now: datetime) -> CircleView:
    """Take a seat. CapacityFull when every seat is taken; Conflict when already in it or
    hosting it; NotAllowed for someone not active in the workspace."""
    person = access.load_user(db, actor_id)
    if person.is_bot or person.deactivated_at is not None:
        raise NotAllowed("Only active people in the workspace can join a circle.")
    circle = locked(db, circle_id, now)
    if circle.host.user_id == person.id:
        raise Conflict(f"You host “{circle.name}”: you are in it already.")
    if _member(db, circle.id, person.id) is not None:
        raise Conflict(f"You are already in “{circle.name}”.")
    taken = _taken(db, circle.id)
    if taken >= circle.seats:
        raise CapacityFull(
            f"“{circle.name}” is full: all {circle.seats} seat(s) are taken. "
            "Ask its host to add seats, or pick another circle from `/mentor circles`."
        )
    db.add(CircleMember(circle_id=circle.id, user_id=person.id, joined_at=now))
    db.flush()
    audit.record(
        db,
        actor_id=actor_id,
        action="circle.joined",
        entity_type="circle",
        entity_id=circle.id,
        now=now,
        seats_taken=taken + 1,
    )
    return _views(db, [circle], actor_id)[0]


def leave(db: Session, *, actor_id: uuid.UUID, circle_id: str, now: datetime) -> CircleView:
    """Give up a seat. Conflict when the actor has none."""
    circle = locked(db, circle_id, now)
    member = _member(db, circle.id, actor_id)
    if member is None:
        raise Conflict(f"You are not in “{circle.name}”: nothing to leave.")
    db.delete(member)
    db.flush()
    audit.record(
        db,
        actor_id=actor_id,
        action="circle.left",
        entity_type="circle",
        entity_id=circle.id,
        now=now,
    )
    return _views(db, [circle], actor_id)[0]


def host_load_of(
    host_mentor_id: sa.ColumnElement[uuid.UUID],
) -> tuple[sa.ScalarSelect[int], sa.ScalarSelect[int]]:
    """(open circles, their members) of the host `host_mentor_id` names, as two columns
    a statement reading the mentor can carry (a mentor's App Home reads them with the
    mentor row)."""
    hosted = (
        sa.select(sa.func.count(TopicCircle.id))
        .where(TopicCircle.status == "open", TopicCircle.host_mentor_id == host_mentor_id)
        .scalar_subquery()
    )
    members = (
        sa.select(sa.func.count(CircleMember.id))
        .join(TopicCircle, TopicCircle.id == CircleMember.circle_id)
        .where(TopicCircle.status == "open", TopicCircle.host_mentor_id == host_mentor_id)
        .scalar_subquery()
    )
    return hosted, members


#: Built once (see roster._BY_SLACK_ID).
_HOST_LOAD = sa.select(*host_load_of(sa.bindparam("mentor_id")))


def host_load(db: Session, mentor_id: uuid.UUID) -> tuple[int, int]:
    """(open circles, their members) of one host: shown beside their 1:1 capacity,
    which circles do not take (a circle is group time, not a mentee's slot)."""
    row = db.execute(_HOST_LOAD, {"mentor_id": mentor_id}).one()
    return int(row[0]), int(row[1])


# -- helpers -----------------------------------------------------------------------------------


def check_host(db: Session, actor_id: uuid.UUID) -> None:
    """NotAllowed unless the actor may host a circle (an active mentor)."""
    _host(db, actor_id)


def _host(db: Session, actor_id: uuid.UUID) -> Mentor:
    mentor = db.scalar(sa.select(Mentor).where(Mentor.user_id == actor_id))
    if (
        mentor is None
        or not mentor.is_active
        or mentor.reverse_only
        or mentor.opted_out_at is not None
    ):
        raise NotAllowed(
            "Only active mentors host topic circles: opt in with `/mentor optin` first."
        )
    return mentor


def locked(db: Session, circle_id: str, now: datetime) -> TopicCircle:
    """The open circle, its row locked until commit (NotFound when closed or gone): joins,
    leaves, logs and a close of one circle take turns, so each sees the others' commits."""
    try:
        key = uuid.UUID(circle_id)
    except ValueError:
        key = None
    updated = db.execute(
        sa.update(TopicCircle)
        .where(TopicCircle.id == key, TopicCircle.status == "open")
        .values(updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if key is None or updated.rowcount != 1:  # type: ignore[attr-defined]
        raise NotFound(GONE)
    circle = db.get(TopicCircle, key, populate_existing=True)
    assert circle is not None
    return circle


def _member(db: Session, circle_id: uuid.UUID, user_id: uuid.UUID) -> CircleMember | None:
    return db.scalar(
        sa.select(CircleMember).where(
            CircleMember.circle_id == circle_id, CircleMember.user_id == user_id
        )
    )


def _taken(db: Session, circle_id: uuid.UUID) -> int:
    return (
        db.scalar(
            sa.select(sa.func.count())
            .select_from(CircleMember)
            .where(CircleMember.circle_id == circle_id)
        )
        or 0
    )


def _views(db: Session, circles: list[TopicCircle], viewer_id: uuid.UUID) -> list[CircleView]:
    if not circles:
        return []
    ids = [c.id for c in circles]
    rows = db.execute(
        sa.select(CircleMember.circle_id, User.id, User.name)
        .join(User, User.id == CircleMember.user_id)
        .where(CircleMember.circle_id.in_(ids))
        .order_by(CircleMember.joined_at, User.name)
    ).all()
    members: dict[uuid.UUID, list[tuple[uuid.UUID, str]]] = {key: [] for key in ids}
    for circle_id, user_id, name in rows:
        members[circle_id].append((user_id, name))
    held = dict(
        db.execute(
            sa.select(CircleSession.circle_id, sa.func.count())
            .where(CircleSession.circle_id.in_(ids))
            .group_by(CircleSession.circle_id)
        ).all()
    )
    admin = access.load_user(db, viewer_id).is_admin
    return [
        CircleView(
            id=c.id,
            name=c.name,
            topic=c.topic,
            cadence=c.cadence,
            seats=c.seats,
            taken=len(members[c.id]),
            host_name=c.host.user.name,
            members=[name for _, name in members[c.id]],
            joined=any(user_id == viewer_id for user_id, _ in members[c.id]),
            hosting=c.host.user_id == viewer_id,
            manages=admin or c.host.user_id == viewer_id,
            sessions=held.get(c.id, 0),
        )
        for c in circles
    ]
