"""Who can teach a topic to this person, for a reverse mentorship (issue 18): ranked by
expertise in the topic alone. No tenure, performance or certification-by-tenure rule
applies, so a newer hire who knows a tool best comes first.

Two kinds of evidence, strongest first: the topic is among the ones a person says
they teach (a mentor's expertise, or a reverse-only profile's topics, `/mentor teach`),
and the person's latest self-rating of that skill (4 or 5 out of 5). Someone whose
mentor profile can't take a request now (paused, opted out, inactive, full) is left
out, as are the learner, and anyone already asked for or teaching them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.services import access, program
from bot.services.assignment_forms import find_person
from bot.services.errors import InvalidInput
from bot.services.matching import resolve_focus
from bot.services.mentors import paused_clause
from bot.services.skills_sql import skills_offered
from models import OPEN_STATUSES, Assignment, Mentor, SkillAssessment, User

#: A self-rating at or above this says the person knows the skill well enough to teach it.
TEACHING_RATING = 4


@dataclass(frozen=True)
class Teacher:
    """One person who can teach the topic, and why, in plain words."""

    user_id: uuid.UUID
    slack_user_id: str
    name: str
    lists_topic: bool
    rating: int | None
    reasons: list[str]


@dataclass(frozen=True)
class ReverseRanking:
    learner_id: uuid.UUID
    learner_name: str
    topic: str
    teachers: list[Teacher]


def resolve_topic(typed: str, skills: list[str]) -> str:
    """The program skill `typed` names (case-insensitively, a unique part is enough);
    InvalidInput on the `topic` field otherwise, with the skills to choose from."""
    if not typed.strip():
        raise InvalidInput(
            {
                "topic": "Name the topic to learn: `/mentor match @person reverse CRM hygiene`. "
                "Topics: " + ", ".join(skills) + "."
            }
        )
    try:
        (topic,) = resolve_focus([typed], skills)
    except InvalidInput as exc:
        # The focus message ends with a `focus:` example that doesn't apply here.
        problem = exc.errors["focus"].split(" Example:")[0]
        raise InvalidInput({"topic": f"Topic: {problem}"}) from exc
    return topic


def suggest(
    db: Session, *, actor_id: uuid.UUID, learner_slack_id: str, topic: str, now: datetime
) -> ReverseRanking:
    """`/mentor match @learner reverse <topic>`: who can teach the topic, for the
    learner's manager (or anyone above them) or a program admin."""
    learner = find_person(db, learner_slack_id)
    actor = access.load_user(db, actor_id)
    access.require_manager_or_admin(db, actor, learner)
    return rank(db, learner=learner, topic=topic, now=now, viewer=actor)


def rank(
    db: Session,
    *,
    learner: User,
    topic: str,
    now: datetime,
    viewer: User | None = None,
    limit: int = 5,
) -> ReverseRanking:
    """The `limit` people best placed to teach `topic` (typed as a person would) to
    `learner`, best first: who lists the topic, then the higher self-rating, then name.
    A self-rating counts only when `viewer` may see that person's ratings (an admin,
    anyone above them: `access.may_view_person`; None: a trusted system), since the
    reasons show it. Five statements, plus one roster check per rated person shown to
    a manager."""
    config = program.load(db)
    skill = resolve_topic(topic, config.skills)
    listing = set(
        db.scalars(
            sa.select(Mentor.user_id).where(
                skills_offered(Mentor.expertise_areas, [skill.lower()]) > 0
            )
        )
    )
    ratings = {
        user_id: rated
        for user_id, rated in _latest_ratings(db, skill).items()
        if rated >= TEACHING_RATING
    }
    today = program.program_today(now, config)
    wanted = (listing | set(ratings)) - _cannot_be_asked(db, learner.id, today)
    wanted.discard(learner.id)
    rows = db.execute(
        sa.select(User, Mentor.reverse_only)
        .outerjoin(Mentor, Mentor.user_id == User.id)
        .where(User.id.in_(wanted), User.is_bot.is_(False), User.deactivated_at.is_(None))
    ).all()
    teachers = []
    for person, reverse_only in rows:
        rating = ratings.get(person.id)
        if rating is not None and viewer is not None and not viewer.is_admin:
            # A manager sees their own reports' self-ratings, nobody else's.
            rating = rating if access.may_view_person(db, viewer, person) else None
        if person.id in listing or rating is not None:
            teachers.append(_teacher(person, skill, person.id in listing, rating, reverse_only))
    teachers.sort(key=lambda t: (not t.lists_topic, -(t.rating or 0), t.name))
    return ReverseRanking(learner.id, learner.name, skill, teachers[:limit])


def _teacher(
    person: User, skill: str, lists_topic: bool, rating: int | None, reverse_only: bool | None
) -> Teacher:
    reasons: list[str] = []
    if lists_topic:
        reasons.append(f"Teaches {skill}: it is among the topics on their profile")
    if rating is not None:
        reasons.append(f"Rates themselves {rating}/5 in {skill} (latest self-assessment)")
    if reverse_only is None:
        reasons.append("No mentor profile: asking them makes a reverse-only one (no tenure rule)")
    elif reverse_only:
        reasons.append("Teaches in reverse mentorships only (no tenure rule)")
    return Teacher(person.id, person.slack_user_id, person.name, lists_topic, rating, reasons)


def _latest_ratings(db: Session, skill: str) -> dict[uuid.UUID, int]:
    """Each person's latest self-rating of `skill`."""
    latest: dict[uuid.UUID, int] = {}
    rows = db.execute(
        sa.select(SkillAssessment.user_id, SkillAssessment.rating, SkillAssessment.assessed_at)
        .where(sa.func.lower(SkillAssessment.skill) == skill.lower())
        .order_by(SkillAssessment.assessed_at)
    )
    for user_id, rating, _ in rows:
        latest[user_id] = rating
    return latest


def _cannot_be_asked(db: Session, learner_id: uuid.UUID, today: date) -> set[uuid.UUID]:
    """People whose mentor profile can't take this request now: inactive, opted out,
    paused, full (waiting requests count), or already asked for or teaching the learner.
    The request itself checks each of these again (`assignments.check_request`)."""
    pending = (
        sa.select(sa.func.count())
        .select_from(Assignment)
        .where(Assignment.mentor_id == Mentor.id, Assignment.status == "pending")
        .scalar_subquery()
    )
    with_learner = sa.exists().where(
        Assignment.mentor_id == Mentor.id,
        Assignment.mentee_user_id == learner_id,
        Assignment.status.in_(OPEN_STATUSES),
    )
    return set(
        db.scalars(
            sa.select(Mentor.user_id).where(
                sa.or_(
                    Mentor.is_active.is_(False),
                    Mentor.opted_out_at.is_not(None),
                    paused_clause(today),
                    Mentor.current_mentee_count + pending >= Mentor.max_mentees,
                    with_learner,
                )
            )
        )
    )
