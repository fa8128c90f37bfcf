"""Reverse mentorship (the program's notes): a newer hire teaches a veteran a topic,
e.g. a tool or a market. It is an `Assignment` of kind "reverse", asked for and
answered like any other; what differs is who may teach and how it is counted.

The teacher need not meet the tenure rule: someone without a mentor profile gets a
`reverse_only` one, which standard matching never offers and a standard request
refuses. The analytics keep reverse mentorships out of the ramp comparison and the
new-hire coverage (a learner is not a "mentored hire") and count them apart."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.services import access, audit, mentor_optin, program
from bot.services.errors import Conflict, InvalidInput
from models import MENTORED_STATUSES, Assignment, Mentor, User

SAME_PERSON = (
    "Mention two different people: the same person on both sides can't teach themselves. "
    "`/mentor assign @teacher @learner reverse`"
)


def check_sides(teacher: User, learner: User) -> None:
    """InvalidInput on the `users` field when both sides are one person."""
    if teacher.id == learner.id:
        raise InvalidInput({"users": SAME_PERSON})


def teacher_profile(
    db: Session, teacher: User, *, now: datetime, actor_id: uuid.UUID | None
) -> Mentor:
    """The teacher's mentor profile: theirs if they have one, else a new `reverse_only`
    one (audited), so someone under the tenure rule can teach what they know best."""
    mentor = db.scalar(sa.select(Mentor).where(Mentor.user_id == teacher.id))
    if mentor is not None:
        return mentor
    if teacher.is_bot or teacher.deactivated_at is not None:
        raise Conflict(f"{teacher.name} is not an active person in the workspace.")
    mentor = Mentor(user_id=teacher.id, reverse_only=True, created_at=now, updated_at=now)
    db.add(mentor)
    db.flush()
    audit.record(
        db,
        actor_id=actor_id,
        action="mentor.reverse_profile",
        entity_type="mentor",
        entity_id=mentor.id,
        now=now,
        user_id=teacher.id,
    )
    return mentor


def refuse_standard(mentor: Mentor, kind: str) -> None:
    """A reverse-only teacher can't be asked for a standard mentorship."""
    if mentor.reverse_only and kind != "reverse":
        raise Conflict(
            f"{mentor.user.name} teaches only in reverse mentorships: they don't meet the "
            "mentor eligibility yet. Add `reverse` to ask for a reverse mentorship, or pick "
            "another mentor from `/mentor match`."
        )


def count(db: Session) -> int:
    """How many reverse mentorships ran or run (active or completed)."""
    return (
        db.scalar(
            sa.select(sa.func.count())
            .select_from(Assignment)
            .where(Assignment.kind == "reverse", Assignment.status.in_(MENTORED_STATUSES))
        )
        or 0
    )


@dataclass(frozen=True)
class TeachingTopics:
    """What the "Topics you teach" modal offers and is pre-filled with, or what was saved."""

    skills: list[str]
    topics: list[str]
    #: True when the person has no mentor profile, or one for reverse mentorships only.
    reverse_only: bool
    changed: bool = False


def teaching_topics(db: Session, *, user_id: uuid.UUID) -> TeachingTopics:
    """`/mentor teach`: the program's skills and the topics this person teaches now."""
    config = program.load(db)
    mentor = db.scalar(sa.select(Mentor).where(Mentor.user_id == user_id))
    topics = [s for s in mentor.expertise_areas if s in config.skills] if mentor else []
    return TeachingTopics(config.skills, topics, mentor is None or mentor.reverse_only)


def save_teaching_topics(
    db: Session, *, user_id: uuid.UUID, topics: list[str] | None, now: datetime
) -> TeachingTopics:
    """Record the topics this person can teach, so the reverse matching offers them.
    Someone without a mentor profile gets a `reverse_only` one (no tenure rule: it is
    never offered as a standard mentor); a mentor's expertise is the same list.

    InvalidInput on `expertise` (none chosen, or not a program skill): nothing changes."""
    user = access.load_user(db, user_id)
    config = program.load(db)
    errors: dict[str, str] = {}
    chosen = mentor_optin.validate_expertise(topics, config, errors)
    if errors:
        raise InvalidInput(errors)
    mentor = teacher_profile(db, user, now=now, actor_id=user.id)
    changed = mentor.expertise_areas != chosen
    if changed:
        mentor.expertise_areas = chosen
        mentor.updated_at = now
        audit.record(
            db,
            actor_id=user.id,
            action="mentor.topics_updated",
            entity_type="mentor",
            entity_id=mentor.id,
            now=now,
            topics=len(chosen),
        )
    db.flush()
    return TeachingTopics(config.skills, chosen, mentor.reverse_only, changed)
