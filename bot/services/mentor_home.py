"""What does a mentor's App Home show (issue item 8)? Their profile, the requests
waiting for their answer, and the mentees they mentor now."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, aliased, joinedload

from bot.services import circles, recognition
from bot.services.mentor_profiles import MentorProfile, build_profile
from models import Assignment, Mentor, User


@dataclass(frozen=True)
class WaitingRequest:
    assignment_id: uuid.UUID
    mentee_name: str
    requested_by: str | None
    requested_at: datetime


@dataclass(frozen=True)
class ActiveMentee:
    assignment_id: uuid.UUID
    mentee_name: str
    start_date: date
    cadence: str


@dataclass(frozen=True)
class MentorHome:
    profile: MentorProfile
    waiting: list[WaitingRequest]
    mentees: list[ActiveMentee]
    #: Teaches in reverse mentorships only (`/mentor teach`, or asked in reverse).
    reverse_only: bool = False


# Built once (see roster._BY_SLACK_ID): a mentor's App Home runs them on every open.
# The trainings and the circles they host come with the mentor row.
_MENTOR_WITH_TRAININGS = (
    select(Mentor, *circles.host_load_of(Mentor.id))
    .options(joinedload(Mentor.trainings))
    .where(Mentor.user_id == bindparam("user_id"))
)
_REQUESTER = aliased(User, name="requester")
# Who asked for each request comes in the same statement (no read per request), and the
# completed mentorships the profile's history counts too (no second read of them).
_MENTORSHIPS = (
    select(
        Assignment.id,
        Assignment.status,
        Assignment.created_at,
        Assignment.start_date,
        Assignment.check_in_cadence,
        Assignment.mentee_user_id,
        Assignment.mentee_rating,
        User.name,
        _REQUESTER.name,
    )
    .join(User, User.id == Assignment.mentee_user_id)
    .outerjoin(_REQUESTER, _REQUESTER.id == Assignment.assigned_by_user_id)
    .where(
        Assignment.mentor_id == bindparam("mentor_id"),
        Assignment.status.in_(("pending", *recognition.TAKEN_ON)),
    )
    .order_by(Assignment.created_at)
)


def mentor_home(db: Session, *, user_id: uuid.UUID, now: datetime) -> MentorHome | None:
    """What a mentor's App Home shows, or None for someone who is not a mentor."""
    found = db.execute(_MENTOR_WITH_TRAININGS, {"user_id": user_id}).unique().one_or_none()
    if found is None:
        return None
    mentor, hosted, members = found
    rows = db.execute(_MENTORSHIPS, {"mentor_id": mentor.id}).all()
    waiting, mentees = [], []
    for assignment_id, status, created_at, start_date, cadence, _, _, mentee, by in rows:
        if status == "pending":
            waiting.append(WaitingRequest(assignment_id, mentee, by, created_at))
        elif status == "active":
            mentees.append(ActiveMentee(assignment_id, mentee, start_date, cadence))
    past = recognition.history_of((r.status, r.mentee_user_id, r.mentee_rating) for r in rows)
    return MentorHome(
        profile=build_profile(db, mentor, now, past=past, hosting=(hosted, members)),
        waiting=waiting,
        mentees=mentees,
        reverse_only=mentor.reverse_only,
    )
