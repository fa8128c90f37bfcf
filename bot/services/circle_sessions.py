"""Topic circles, the host's side (issue 18, item 4): log a circle session with who
attended, and close the circle.

A circle session is a `circle_sessions` row with one `circle_attendance` row per member,
never a `mentorship_sessions` row: the members may be other mentors' mentees (or anyone
in the program), so nothing of it is credited to the host's mentorships (their tallies,
milestones and completion figures stay the pairs' own). Only the host or a program admin
logs or closes; anyone else is refused, and the refusal is audited."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.services import access, audit, circles, inputs
from bot.services.errors import Conflict, InvalidInput, NotAllowed
from bot.services.sessions import MAX_DURATION_MINUTES as MAX_DURATION
from models import CircleAttendance, CircleMember, CircleSession, TopicCircle, User
from models.circles import CIRCLE_SESSION_TOPICS_LIMIT

NOTES_LIMIT = 3000
FAREWELL_LIMIT = 500


@dataclass(frozen=True)
class Member:
    user_id: uuid.UUID
    name: str
    slack_user_id: str


@dataclass(frozen=True)
class CircleLogForm:
    """What the log modal offers: the circle, its members, today in the host's zone."""

    circle_id: uuid.UUID
    name: str
    topic: str
    members: list[Member]
    today: date


@dataclass(frozen=True)
class CircleLogged:
    circle_name: str
    day: date
    attended: int
    members: int


@dataclass(frozen=True)
class CircleClosed:
    """A closed circle and who was in it (told by DM)."""

    name: str
    closed_by: str
    members: list[Member]
    sessions: int
    farewell: str | None = None


def refusal(
    db: Session, *, actor_id: uuid.UUID, circle_id: str, what: str, now: datetime
) -> NotAllowed | None:
    """None when the actor hosts the circle or is a program admin. Anyone else gets the
    refusal to show, audited in this transaction: the caller commits, then raises it,
    so the refused work rolls back and the audit row does not (as `admin.refusal`)."""
    circle = _circle(db, circle_id)
    if circle is None or _may_manage(db, actor_id, circle):
        return None  # a missing circle is told by the work itself
    audit.record(
        db,
        actor_id=actor_id,
        action="circle.refused",
        entity_type="circle",
        entity_id=circle.id,
        now=now,
        attempted=what,
    )
    return NotAllowed(f"Only the host of “{circle.name}” or a program admin can {what}.")


def prepare_log(
    db: Session, *, actor_id: uuid.UUID, circle_id: str, now: datetime, timezone: str | None
) -> CircleLogForm:
    """The log modal for a circle. NotFound for a closed circle; Conflict when nobody
    has joined it yet; NotAllowed for someone who neither hosts it nor is an admin."""
    circle = circles.open_by_id(db, circle_id)  # a form to fill: nothing to lock yet
    _require_manager(db, actor_id, circle)
    members = members_of(db, circle.id)
    if not members:
        raise Conflict(
            f"Nobody has joined “{circle.name}” yet: a session is logged with its members. "
            "People join from `/mentor circles`."
        )
    return CircleLogForm(
        circle.id,
        circle.name,
        circle.topic,
        members,
        inputs.local_day(now, inputs.zone(db, timezone)),
    )


def log_session(
    db: Session,
    *,
    actor_id: uuid.UUID,
    circle_id: str,
    day: object,
    duration: object,
    topics: object,
    attended: list[str],
    notes: object,
    now: datetime,
    timezone: str | None,
) -> CircleLogged:
    """Save one session of a circle with each member's attendance. Every bad field is
    reported at once (InvalidInput keyed "day", "duration", "topics", "attended",
    "notes") and nothing is written; NotFound when the circle is closed."""
    circle = _managed(db, actor_id, circle_id, now)
    errors: dict[str, str] = {}
    when = inputs.parse_day(day, "day", errors, what="the day of the session")
    today = inputs.local_day(now, inputs.zone(db, timezone))
    if when is not None:
        opened = inputs.local_day(circle.created_at, inputs.zone(db, timezone))
        if when > today:
            errors["day"] = f"{when.isoformat()} is in the future; log a session once it's over."
        elif when < opened:
            errors["day"] = f"The circle opened on {opened.isoformat()}; pick a day since then."
        elif _logged_on(db, circle.id, when):
            errors["day"] = (
                f"A session of “{circle.name}” is logged on {when.isoformat()} already: "
                "one a day per circle."
            )
    minutes = inputs.whole_number(
        duration, "duration", errors, what="the duration in minutes", low=1, high=MAX_DURATION
    )
    covered = inputs.required_text(
        topics, "topics", errors, what="the topics", limit=CIRCLE_SESSION_TOPICS_LIMIT
    )
    note = _optional_text(notes, "notes", errors, limit=NOTES_LIMIT)
    members = members_of(db, circle.id)
    by_id = {str(m.user_id): m for m in members}
    strangers = [value for value in attended if value not in by_id]
    if strangers:
        errors["attended"] = "Only members of the circle can be marked as attending."
    elif not attended:
        errors["attended"] = "Tick who attended (at least one member)."
    if errors:
        raise InvalidInput(errors)
    assert when is not None and minutes is not None and covered is not None
    session = CircleSession(
        circle_id=circle.id,
        session_day=when,
        duration_minutes=minutes,
        topics=covered,
        notes=note,
        logged_by_user_id=actor_id,
        created_at=now,
    )
    db.add(session)
    db.flush()
    present = set(attended)
    for member in members:
        db.add(
            CircleAttendance(
                circle_session_id=session.id,
                user_id=member.user_id,
                attended=str(member.user_id) in present,
            )
        )
    db.flush()
    audit.record(
        db,
        actor_id=actor_id,
        action="circle_session.logged",
        entity_type="circle_session",
        entity_id=session.id,
        now=now,
        circle_id=circle.id,
        members=len(members),
        attended=len(present),
    )
    return CircleLogged(circle.name, when, len(present), len(members))


def close(
    db: Session, *, actor_id: uuid.UUID, circle_id: str, farewell: object, now: datetime
) -> CircleClosed:
    """Close an open circle: no longer listed nor joinable; its members and sessions
    stay (its history). `farewell` is an optional word to the members (InvalidInput
    "farewell" when too long). NotFound when it is closed already."""
    circle = _managed(db, actor_id, circle_id, now)
    errors: dict[str, str] = {}
    word = _optional_text(farewell, "farewell", errors, limit=FAREWELL_LIMIT)
    if errors:
        raise InvalidInput(errors)
    circle.status = "closed"
    circle.closed_at = now
    db.flush()
    members = members_of(db, circle.id)
    held = (
        db.scalar(
            sa.select(sa.func.count())
            .select_from(CircleSession)
            .where(CircleSession.circle_id == circle.id)
        )
        or 0
    )
    audit.record(
        db,
        actor_id=actor_id,
        action="circle.closed",
        entity_type="circle",
        entity_id=circle.id,
        now=now,
        members=len(members),
        sessions=held,
    )
    return CircleClosed(circle.name, access.load_user(db, actor_id).name, members, held, word)


def members_of(db: Session, circle_id: uuid.UUID) -> list[Member]:
    """The circle's members, in the order they joined."""
    rows = db.execute(
        sa.select(User.id, User.name, User.slack_user_id)
        .join(CircleMember, CircleMember.user_id == User.id)
        .where(CircleMember.circle_id == circle_id)
        .order_by(CircleMember.joined_at, User.name)
    ).all()
    return [Member(*row) for row in rows]


# -- helpers -----------------------------------------------------------------------------------


def _circle(db: Session, circle_id: str) -> TopicCircle | None:
    try:
        return db.get(TopicCircle, uuid.UUID(circle_id))
    except ValueError:
        return None


def _may_manage(db: Session, actor_id: uuid.UUID, circle: TopicCircle) -> bool:
    return circle.host.user_id == actor_id or access.load_user(db, actor_id).is_admin


def _managed(db: Session, actor_id: uuid.UUID, circle_id: str, now: datetime) -> TopicCircle:
    """The open circle, locked (so two logs of one day or a log and a close take turns),
    once the actor is shown to host it or be an admin (the listener audits a refusal)."""
    circle = circles.locked(db, circle_id, now)
    _require_manager(db, actor_id, circle)
    return circle


def _require_manager(db: Session, actor_id: uuid.UUID, circle: TopicCircle) -> None:
    if not _may_manage(db, actor_id, circle):
        raise NotAllowed(f"Only the host of “{circle.name}” or a program admin can do that.")


def _logged_on(db: Session, circle_id: uuid.UUID, day: date) -> bool:
    return (
        db.scalar(
            sa.select(CircleSession.id).where(
                CircleSession.circle_id == circle_id, CircleSession.session_day == day
            )
        )
        is not None
    )


def _optional_text(raw: object, field: str, errors: dict[str, str], *, limit: int) -> str | None:
    text = str(raw).strip() if raw is not None else ""
    if not text:
        return None
    return inputs.required_text(text, field, errors, what="this text", limit=limit)
