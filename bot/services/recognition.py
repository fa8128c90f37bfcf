"""Mentor recognition (PRD FR-1.5): badges earned from history, and the public
shout-out when a mentorship completes well. Only names, counts and durations
leave here; feedback and notes never do."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from bot.services import program
from models import Assignment, Mentor, User

#: A shout-out needs at least this mentee rating (1-5).
SHOUTOUT_MIN_RATING = 4
TOP_RATED_AVERAGE = 4.5
TOP_RATED_MIN_RATINGS = 3


@dataclass(frozen=True)
class Badge:
    key: str
    emoji: str
    name: str
    reason: str


@dataclass(frozen=True)
class MentorHistory:
    """What a mentor has done so far, counted from their mentorships."""

    completed: int
    mentees_to_date: int
    ratings: list[int]

    @property
    def average_rating(self) -> float | None:
        return round(sum(self.ratings) / len(self.ratings), 2) if self.ratings else None


@dataclass(frozen=True)
class ShoutOut:
    channel: str
    text: str


#: The mentorships a mentor's history counts: those they took on (the others were only
#: asked of them).
TAKEN_ON = ("active", "completed")

# Built once (see roster._BY_SLACK_ID): a mentor's App Home asks on every open.
_HISTORY = select(Assignment.status, Assignment.mentee_user_id, Assignment.mentee_rating).where(
    Assignment.mentor_id == bindparam("mentor_id"), Assignment.status.in_(TAKEN_ON)
)


def history(db: Session, mentor_id: uuid.UUID) -> MentorHistory:
    """Completed mentorships, distinct mentees taken on (active or completed) and the
    mentee ratings of completed mentorships, in one query."""
    return history_of(db.execute(_HISTORY, {"mentor_id": mentor_id}))


def history_of(mentorships: Iterable[tuple[str, uuid.UUID, int | None]]) -> MentorHistory:
    """`history` counted from a mentor's mentorships read elsewhere, as (status, mentee
    user id, mentee rating); those not TAKEN_ON are left out."""
    counted = [row for row in mentorships if row[0] in TAKEN_ON]
    completed = [row for row in counted if row[0] == "completed"]
    return MentorHistory(
        completed=len(completed),
        mentees_to_date=len({mentee for _, mentee, _ in counted}),
        ratings=[rating for _, _, rating in completed if rating is not None],
    )


def badges(db: Session, mentor: Mentor, past: MentorHistory | None = None) -> list[Badge]:
    """The badges this mentor has earned, in the order they are usually earned.
    Pass `past` when the caller already has the mentor's history."""
    past = past or history(db, mentor.id)
    earned: list[Badge] = []
    if mentor.is_certified:
        earned.append(Badge("certified", "🎓", "Certified mentor", "finished mentor certification"))
    if past.completed >= 1:
        earned.append(Badge("first", "🌱", "First mentorship", "completed a first mentorship"))
    if past.completed >= 5:
        earned.append(Badge("five", "🏅", "Five mentorships", "completed five mentorships"))
    average = past.average_rating
    rated_enough = len(past.ratings) >= TOP_RATED_MIN_RATINGS
    if average is not None and rated_enough and average >= TOP_RATED_AVERAGE:
        earned.append(
            Badge(
                "top-rated",
                "⭐",
                "Top rated",
                f"averages {average:.1f}/5 over {len(past.ratings)} mentee ratings",
            )
        )
    return earned


def completion_shoutout(db: Session, assignment_id: uuid.UUID) -> ShoutOut | None:
    """The recognition-channel post for a completed mentorship, or None when there is
    nothing to post: not completed, rated below 4 (or not rated), or no channel set."""
    assignment = db.get(Assignment, assignment_id)
    if assignment is None or assignment.status != "completed":
        return None
    if assignment.mentee_rating is None or assignment.mentee_rating < SHOUTOUT_MIN_RATING:
        return None
    channel = program.load(db).recognition_channel
    if not channel:
        return None
    mentor_user = db.get(User, assignment.mentor.user_id)
    mentee = db.get(User, assignment.mentee_user_id)
    if mentor_user is None or mentee is None:
        return None
    ended = assignment.actual_end_date or assignment.start_date
    text = (
        f":tada: Shout-out to *{mentor_user.name}* for mentoring *{mentee.name}* "
        f"through {duration_words(assignment.start_date, ended)} of onboarding. Thank you!"
    )
    return ShoutOut(channel=channel, text=text)


def duration_words(start: date, end: date) -> str:
    """ "3 days", "1 week", "12 weeks": how long a mentorship ran, in round units."""
    days = max((end - start).days, 0)
    if days < 14:
        return f"{days} day{'s' if days != 1 else ''}"
    weeks = round(days / 7)
    return f"{weeks} weeks"
