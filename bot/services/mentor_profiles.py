"""What does a mentor's profile show (PRD FR-1.3, FR-1.5)? Status, expertise, capacity,
trainings, badges and track record, for the mentor or a colleague; never private
content."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.services import access, circles, program, recognition, roster
from bot.services.errors import InvalidInput, NotFound
from bot.services.mentor_trainings import open_trainings_of
from bot.services.mentors import mentor_of, status_of
from bot.services.program import ProgramConfig, Training
from bot.services.recognition import Badge
from models import Mentor, User


@dataclass(frozen=True)
class MentorProfile:
    """Everything a profile shows. No private content: no notes, no feedback text."""

    mentor_id: uuid.UUID
    slack_user_id: str
    name: str
    timezone: str | None
    status: str
    expertise: list[str]
    max_mentees: int
    current_mentees: int
    availability: str | None
    paused_until: date | None
    opted_out_at: datetime | None
    is_certified: bool
    certified_at: datetime | None
    open_trainings: list[Training]
    badges: list[Badge]
    mentees_to_date: int
    average_rating: float | None
    ratings_count: int
    #: Open topic circles hosted and their members: shown beside the capacity, which
    #: circles do not take.
    circles_hosted: int = 0
    circle_members: int = 0

    @property
    def remaining(self) -> int:
        return max(self.max_mentees - self.current_mentees, 0)


@dataclass(frozen=True)
class ProfileView:
    profile: MentorProfile
    is_self: bool
    #: The viewer is an admin and the mentor is not certified yet.
    can_certify: bool


def profile(
    db: Session,
    *,
    viewer_id: uuid.UUID,
    subject_slack_user_id: str | None,
    now: datetime,
    subject_is_bot: bool = False,
) -> ProfileView:
    """The mentor profile of `subject_slack_user_id` (the viewer's own when None).
    `subject_is_bot` is what Slack says of the person when the roster can't.
    Raises InvalidInput for a bot and NotFound for someone with no profile."""
    viewer = access.load_user(db, viewer_id)
    if subject_slack_user_id is None or subject_slack_user_id == viewer.slack_user_id:
        subject: User | None = viewer
    else:
        subject = roster.by_slack_id(db, subject_slack_user_id)
    mention = f"<@{subject_slack_user_id}>"
    if subject_is_bot or (subject is not None and subject.is_bot):
        raise InvalidInput(
            {
                "user": f"{mention} is a bot, not a person. "
                "Mention a colleague: `/mentor profile @name`."
            }
        )
    if subject is None:
        raise NotFound(
            f"{mention} isn't in MentorBot's roster, so there is no mentor profile to show. "
            "Check the name, or ask a program admin to import the roster."
        )
    is_self = subject.id == viewer.id
    mentor = mentor_of(db, subject.id)
    if mentor is None:
        if is_self:
            raise NotFound("You haven't opted in as a mentor. `/mentor optin` to become one.")
        raise NotFound(f"{subject.name} hasn't opted in as a mentor, so has no mentor profile.")
    shown = build_profile(db, mentor, now)
    return ProfileView(
        profile=shown, is_self=is_self, can_certify=viewer.is_admin and not mentor.is_certified
    )


def build_profile(
    db: Session,
    mentor: Mentor,
    now: datetime,
    config: ProgramConfig | None = None,
    past: recognition.MentorHistory | None = None,
    hosting: tuple[int, int] | None = None,
) -> MentorProfile:
    """The profile facts of one mentor, history and badges included; pass `past` and
    `hosting` (`circles.host_load`) when the caller has read them already."""
    config = config or program.load(db)
    user = mentor.user
    past = past or recognition.history(db, mentor.id)
    hosted, members = hosting or circles.host_load(db, mentor.id)
    return MentorProfile(
        mentor_id=mentor.id,
        slack_user_id=user.slack_user_id,
        name=user.name,
        timezone=user.timezone,
        status=status_of(mentor, program.program_today(now, config)),
        expertise=list(mentor.expertise_areas),
        max_mentees=mentor.max_mentees,
        current_mentees=mentor.current_mentee_count,
        availability=mentor.availability_notes,
        paused_until=mentor.paused_until,
        opted_out_at=mentor.opted_out_at,
        is_certified=mentor.is_certified,
        certified_at=mentor.certified_at,
        open_trainings=open_trainings_of(mentor, config),
        badges=recognition.badges(db, mentor, past),
        mentees_to_date=past.mentees_to_date,
        average_rating=past.average_rating,
        ratings_count=len(past.ratings),
        circles_hosted=hosted,
        circle_members=members,
    )
