"""Before a request: whom may a manager ask for a mentee, and what does the assign modal
start from (PRD FR-2.1, FR-2.2)? The ranked suggestions, for those allowed to see
them, and the modal's defaults once the request is known to be allowed."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.services import (
    access,
    interaction_state,
    match_mentees,
    matching,
    program,
    reverse,
    roster,
    timezones,
)
from bot.services.assignment_terms import checked_kind
from bot.services.assignment_views import PersonRef
from bot.services.assignments import check_request
from bot.services.errors import Conflict, NotFound
from models import Mentor, User

#: A roster row, or a mentee as matching reads them: whatever tells whether they can be
#: matched (`is_bot`, `deactivated_at`) and their name.
Person = TypeVar("Person", User, match_mentees.Mentee)


@dataclass(frozen=True)
class AssignForm:
    """What the assign modal starts from."""

    mentor_id: uuid.UUID
    mentor: PersonRef
    mentee: PersonRef
    start_date: date
    expected_end_date: date
    cadence: str
    expectations: str
    why: list[str]
    score: float | None
    focus: list[str]
    focus_key: str | None = None  # where the focus is kept, for the modal to carry
    kind: str = "standard"


def suggestions_for(
    db: Session,
    *,
    actor_id: uuid.UUID,
    mentee_slack_id: str,
    now: datetime,
    focus: Sequence[str] = (),
    limit: int = 5,
) -> matching.Ranking:
    """`/mentor match @user`: the best mentors for this person, for their manager (or
    anyone above them) or a program admin."""
    # The person named and what matching needs of them come in one statement; the
    # asker is usually held already (read on the request's way).
    mentee = checked_person(match_mentees.mentee_named(db, mentee_slack_id), mentee_slack_id)
    access.require_manager_or_admin(db, access.load_user(db, actor_id), mentee)
    ranking = matching.rank_read(db, mentee, now=now, limit=limit, focus=focus)
    if not ranking.focus:
        return ranking
    # The Assign buttons carry a key: a long focus would outgrow a button's value.
    return replace(
        ranking,
        focus_key=interaction_state.keep(db, {"focus": ranking.focus}, now=now, actor_id=actor_id),
    )


def suggestions_for_user(
    db: Session,
    *,
    actor_id: uuid.UUID | None,
    mentee_id: uuid.UUID,
    now: datetime,
    focus: Sequence[str] = (),
    limit: int = 5,
) -> matching.Ranking:
    """The best mentors for this roster person, for their manager (or anyone above
    them) or a program admin; `actor_id` None is a trusted system (an API service token
    allowed to read mentors)."""
    mentee = access.load_user(db, mentee_id)
    if actor_id is not None:
        access.require_manager_or_admin(db, access.load_user(db, actor_id), mentee)
    # Only read before ranking: the kept pool of mentors serves.
    return matching.rank(db, mentee_id=mentee.id, now=now, limit=limit, focus=focus, pooled=True)


def prepare(
    db: Session,
    *,
    actor_id: uuid.UUID,
    mentor_id: uuid.UUID,
    mentee_id: uuid.UUID,
    now: datetime,
    focus: Sequence[str] = (),
    focus_key: str | None = None,
    kind: str = "standard",
) -> AssignForm:
    """Check the actor may ask this mentor for this mentee, and return the modal's
    defaults: start today (the actor's day), end after the program's default
    duration, the default cadence, the expectations text and why they match.
    The focus comes as skills or as the key `suggestions_for` kept them under."""
    focus = list(focus) or interaction_state.focus_of(db, focus_key)
    actor = access.load_user(db, actor_id)
    mentee = access.load_user(db, mentee_id)
    mentor = db.get(Mentor, mentor_id)
    if mentor is None:
        raise NotFound("That mentor is no longer in the program. Run `/mentor match` again.")
    config = program.load(db)
    check_request(db, actor, mentor, mentee, now, kind)
    start = timezones.local_today(now, actor.timezone)
    match = matching.explain(db, mentee_id=mentee.id, mentor_id=mentor.id, now=now, focus=focus)
    return AssignForm(
        mentor_id=mentor.id,
        mentor=PersonRef.of(mentor.user),
        mentee=PersonRef.of(mentee),
        start_date=start,
        expected_end_date=start + timedelta(weeks=config.default_duration_weeks),
        cadence=config.default_cadence,
        expectations=config.expectations,
        why=match.factors if match else [],
        score=match.score if match else None,
        focus=list(focus),
        focus_key=focus_key,
        kind=checked_kind(kind),
    )


def prepare_for(
    db: Session,
    *,
    actor_id: uuid.UUID,
    mentor_slack_id: str,
    mentee_slack_id: str,
    now: datetime,
    kind: str = "standard",
) -> AssignForm:
    """`prepare` for `/mentor assign @mentor @mentee [reverse]`, naming whoever can't be
    found. For a reverse mentorship the teacher needs no mentor profile beforehand."""
    mentor_user = find_person(db, mentor_slack_id)
    mentee = find_person(db, mentee_slack_id)
    if kind == "reverse":
        return prepare_reverse(
            db, actor_id=actor_id, teacher_id=mentor_user.id, learner_id=mentee.id, now=now
        )
    mentor = db.scalar(sa.select(Mentor).where(Mentor.user_id == mentor_user.id))
    if mentor is None:
        raise NotFound(
            f"{mentor_user.name} is not a mentor yet: they can opt in with `/mentor optin`."
        )
    return prepare(
        db, actor_id=actor_id, mentor_id=mentor.id, mentee_id=mentee.id, now=now, kind=kind
    )


def prepare_reverse(
    db: Session,
    *,
    actor_id: uuid.UUID,
    teacher_id: uuid.UUID,
    learner_id: uuid.UUID,
    now: datetime,
    topic: str | None = None,
) -> AssignForm:
    """`prepare` for a reverse mentorship, by person: `/mentor assign ... reverse` and
    the reverse match's "Assign (reverse)" button. The teacher needs no mentor profile
    beforehand; `topic` (a program skill) becomes the mentorship's focus."""
    teacher = access.load_user(db, teacher_id)
    learner = access.load_user(db, learner_id)
    reverse.check_sides(teacher, learner)
    # A refusal further on rolls the new profile back with the transaction.
    mentor = reverse.teacher_profile(db, teacher, now=now, actor_id=actor_id)
    return prepare(
        db,
        actor_id=actor_id,
        mentor_id=mentor.id,
        mentee_id=learner.id,
        now=now,
        focus=[topic] if topic else (),
        kind="reverse",
    )


def find_person(db: Session, slack_user_id: str) -> User:
    """The roster person behind a mention; NotFound or Conflict saying what's wrong."""
    return checked_person(roster.by_slack_id(db, slack_user_id), slack_user_id)


def checked_person(user: Person | None, slack_user_id: str) -> Person:
    """`find_person` for a person already looked up (None: not in the roster)."""
    if user is None:
        raise NotFound(
            f"I can't find <@{slack_user_id}> in the roster. An admin can add them with "
            "`mentorbot users import roster.csv`."
        )
    if user.is_bot:
        raise Conflict(f"<@{slack_user_id}> is a bot, not a person: mention a person instead.")
    if user.deactivated_at is not None:
        raise Conflict(f"{user.name} is no longer active in the workspace.")
    return user
