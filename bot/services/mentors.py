"""The mentor program (PRD FR-1): eligibility, opt-in and profile edits, trainings and
certification, and what a mentor's profile and home show (opt-out and pause are in
`time_off`).

A mentor row's `is_active` means "may be offered new mentees": it is False after
opt-out (`opted_out_at` set) and, when the program requires certification before
mentoring, until the mentor is certified (`opted_out_at` empty). Pauses are
separate (`paused_until`), so a pause ends by itself without anyone acting."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, bindparam, or_, select
from sqlalchemy.orm import Session, aliased, joinedload

from bot.services import access, audit, circles, program, recognition, roster, timezones
from bot.services import capacity as slots
from bot.services.errors import InvalidInput, NotAllowed, NotFound
from bot.services.program import ProgramConfig, Training
from bot.services.recognition import Badge
from models import Assignment, Mentor, MentorTraining, User

AVAILABILITY_MAX_CHARS = 500

# Mentor statuses, as shown on profiles and App Home.
AVAILABLE = "available"
PAUSED = "paused"
OPTED_OUT = "opted_out"
AWAITING_CERTIFICATION = "awaiting_certification"


class NotEligible(NotAllowed):
    """The person does not meet the program's mentor criteria; `unmet` names each
    criterion with what would meet it."""

    def __init__(self, unmet: list[str]) -> None:
        self.unmet = unmet
        super().__init__(
            "You can't opt in as a mentor yet. The program asks for:\n"
            + "\n".join(f"• {line}" for line in unmet)
            + "\nIf something here is wrong, ask a program admin to update the roster."
        )


# -- time ------------------------------------------------------------------------------------


# -- availability for matching ----------------------------------------------------------------


def is_available(mentor: Mentor, today: date) -> bool:
    """May be offered new mentees today: opted in (and certified where required) and
    not paused. A pause `until D` covers D itself; from the day after it is over.
    Free capacity is a separate question (`Mentor.remaining_capacity`)."""
    return mentor.is_active and (mentor.paused_until is None or mentor.paused_until < today)


def available_filter(today: date) -> ColumnElement[bool]:
    """`is_available` as a WHERE clause on `Mentor`, for matching queries."""
    return and_(
        Mentor.is_active.is_(True),
        Mentor.reverse_only.is_(False),
        or_(Mentor.paused_until.is_(None), Mentor.paused_until < today),
    )


def status_of(mentor: Mentor, today: date) -> str:
    """One of AVAILABLE, PAUSED, OPTED_OUT, AWAITING_CERTIFICATION."""
    if mentor.opted_out_at is not None:
        return OPTED_OUT
    if not mentor.is_active:
        return AWAITING_CERTIFICATION
    if mentor.paused_until is not None and mentor.paused_until >= today:
        return PAUSED
    return AVAILABLE


# -- eligibility (FR-1.1) ---------------------------------------------------------------------


def unmet_criteria(user: User, config: ProgramConfig, today: date) -> list[str]:
    """Each eligibility criterion this person does not meet, with what would meet it
    (empty when eligible). Certification is not here: an uncertified person may opt
    in and waits, inactive, until certified."""
    unmet: list[str] = []
    if config.min_tenure_days > 0:
        if user.hire_date is None:
            unmet.append(
                f"Tenure: at least {config.min_tenure_days} days since your hire date, "
                "but the roster has no hire date for you."
            )
        else:
            tenure = (today - user.hire_date).days
            if tenure < config.min_tenure_days:
                eligible_on = user.hire_date.toordinal() + config.min_tenure_days
                unmet.append(
                    f"Tenure: at least {config.min_tenure_days} days since your hire date; "
                    f"you have {max(tenure, 0)}, so you can opt in from "
                    f"{date.fromordinal(eligible_on).isoformat()}."
                )
    minimum = config.min_performance_rating
    if minimum is not None:
        rating = user.performance_rating
        if rating is None:
            unmet.append(
                f"Performance rating: {minimum:g} or more, but the roster has no rating for you."
            )
        elif rating < Decimal(str(minimum)):
            unmet.append(f"Performance rating: {minimum:g} or more; yours is {rating:g}.")
    return unmet


def check_eligible(db: Session, user: User, today: date) -> None:
    """NotEligible naming every unmet criterion, unless the person may mentor."""
    if user.is_bot:
        raise NotAllowed("Bots can't be mentors.")
    unmet = unmet_criteria(user, program.load(db), today)
    if unmet:
        raise NotEligible(unmet)


def is_eligible(db: Session, user: User, today: date) -> bool:
    """True when `check_eligible` would pass."""
    return not user.is_bot and not unmet_criteria(user, program.load(db), today)


# -- opt-in and profile edits (FR-1.2, FR-1.3) ------------------------------------------------


@dataclass(frozen=True)
class OptinForm:
    """What the opt-in modal offers and is pre-filled with."""

    skills: list[str]
    expertise: list[str]
    capacity: int
    availability: str | None
    max_capacity: int
    is_update: bool
    needs_certification: bool
    open_trainings: list[Training]
    #: The mentor's own capacity when an admin has since lowered the maximum below it;
    #: the form then starts at the maximum (Slack refuses a number input outside its range).
    capacity_above_max: int | None = None


def start_optin(db: Session, *, user_id: uuid.UUID, now: datetime) -> OptinForm:
    """The opt-in form for this person: pre-filled when they are a mentor already.
    A current mentor may always edit; anyone else must be eligible (NotEligible)."""
    user = access.load_user(db, user_id)
    config = program.load(db)
    mentor = mentor_of(db, user.id)
    if not is_standard_mentor(mentor):
        check_eligible(db, user, timezones.local_today(now, user.timezone))
    open_trainings = open_trainings_of(mentor, config)
    if mentor is None:
        return OptinForm(
            skills=config.skills,
            expertise=[],
            capacity=config.default_capacity,
            availability=None,
            max_capacity=config.max_capacity,
            is_update=False,
            needs_certification=config.require_certification,
            open_trainings=open_trainings,
        )
    above_max = mentor.max_mentees > config.max_capacity
    return OptinForm(
        skills=config.skills,
        expertise=[s for s in mentor.expertise_areas if s in config.skills],
        capacity=min(mentor.max_mentees, config.max_capacity),
        availability=mentor.availability_notes,
        max_capacity=config.max_capacity,
        is_update=is_standard_mentor(mentor),
        needs_certification=config.require_certification and not mentor.is_certified,
        open_trainings=open_trainings,
        capacity_above_max=mentor.max_mentees if above_max else None,
    )


@dataclass(frozen=True)
class OptinResult:
    created: bool
    #: False when the submission changed nothing (e.g. Slack retried it).
    changed: bool
    profile: MentorProfile


def save_optin(
    db: Session,
    *,
    user_id: uuid.UUID,
    expertise: list[str] | None,
    capacity: str | int | None,
    availability: str | None,
    timezone: str | None,
    now: datetime,
) -> OptinResult:
    """Create or update the person's mentor row from the opt-in form.

    Raises InvalidInput keyed by "expertise", "capacity" and "availability" (nothing is
    written then). Capacity is 1..the program maximum and never below the mentees the
    mentor already has. A returning mentor who had opted out is active again."""
    user = access.load_user(db, user_id)
    config = program.load(db)
    mentor = mentor_of(db, user.id)
    if not is_standard_mentor(mentor):
        check_eligible(db, user, timezones.local_today(now, user.timezone))
    active_now = slots.active_count(db, mentor.id) if mentor is not None else 0
    held_now = max(active_now, mentor.current_mentee_count if mentor is not None else 0)

    errors: dict[str, str] = {}
    chosen = validate_expertise(expertise, config, errors)
    wanted = _validate_capacity(capacity, config, held_now, errors)
    notes = (availability or "").strip() or None
    if notes is not None and len(notes) > AVAILABILITY_MAX_CHARS:
        errors["availability"] = (
            f"Availability notes can be at most {AVAILABILITY_MAX_CHARS} characters; "
            f"yours has {len(notes)}. Shorten it, e.g. 'Tue/Thu afternoons ET'."
        )
    if errors:
        raise InvalidInput(errors)
    assert wanted is not None

    if timezone and timezones.is_valid_timezone(timezone) and user.timezone != timezone:
        user.timezone = timezone  # Slack's profile is the source of a person's timezone

    # A reverse-only teacher who now meets the criteria becomes a mentor on the same
    # profile: their topics and reverse mentorships stay.
    created = mentor is None or mentor.reverse_only
    returning = mentor is not None and (mentor.opted_out_at is not None or mentor.reverse_only)
    if mentor is None:
        mentor = Mentor(
            user_id=user.id,
            expertise_areas=chosen,
            max_mentees=wanted,
            availability_notes=notes,
            is_active=not config.require_certification,
        )
        db.add(mentor)
        db.flush()
        changed = True
    else:
        changed = (
            returning
            or mentor.expertise_areas != chosen
            or mentor.max_mentees != wanted
            or mentor.availability_notes != notes
        )
        if mentor.max_mentees != wanted:
            slots.resize(db, mentor.id, wanted)
        mentor.expertise_areas = chosen
        mentor.availability_notes = notes
        if returning:
            mentor.opted_out_at = None
            mentor.reverse_only = False
            mentor.is_active = mentor.is_certified or not config.require_certification
    if changed:
        audit.record(
            db,
            actor_id=user.id,
            action="mentor.opted_in" if created or returning else "mentor.updated",
            entity_type="mentor",
            entity_id=mentor.id,
            now=now,
            max_mentees=wanted,
            expertise_count=len(chosen),
            is_active=mentor.is_active,
        )
    db.flush()
    return OptinResult(
        created=created, changed=changed, profile=build_profile(db, mentor, now, config)
    )


def is_standard_mentor(mentor: Mentor | None) -> bool:
    """Opted in as a mentor now: not opted out, and not a reverse-only teacher (who may
    become one through the opt-in, eligibility checked)."""
    return mentor is not None and mentor.opted_out_at is None and not mentor.reverse_only


def validate_expertise(
    expertise: list[str] | None, config: ProgramConfig, errors: dict[str, str]
) -> list[str]:
    """The chosen skills, deduplicated; errors["expertise"] when none is chosen or one
    is not a program skill."""
    chosen = [s for s in dict.fromkeys(expertise or []) if s]
    if not chosen:
        errors["expertise"] = "Choose at least one area of expertise from the list."
        return []
    unknown = [s for s in chosen if s not in config.skills]
    if unknown:
        errors["expertise"] = (
            f"{', '.join(unknown)} is not in the program's skill list; choose from the list."
        )
    return chosen


def _validate_capacity(
    raw: str | int | None, config: ProgramConfig, held_now: int, errors: dict[str, str]
) -> int | None:
    limits = f"a whole number from 1 to {config.max_capacity}"
    text = str(raw).strip() if raw is not None else ""
    if not text:
        errors["capacity"] = f"Enter how many mentees you can take at once: {limits}."
        return None
    try:
        wanted = int(text)
    except ValueError:
        errors["capacity"] = f"'{text}' is not a number. Enter {limits}."
        return None
    if wanted < 1 or wanted > config.max_capacity:
        errors["capacity"] = (
            f"Capacity must be {limits} (the program's maximum is {config.max_capacity})."
        )
        return None
    if wanted < held_now:
        errors["capacity"] = (
            f"You mentor {held_now} people right now, so capacity can't go below {held_now}. "
            f"Enter {held_now} or more; lower it once a mentorship completes."
        )
        return None
    return wanted


# -- trainings and certification (FR-1.4) -----------------------------------------------------


@dataclass(frozen=True)
class TrainingStatus:
    training: Training
    done_at: datetime | None
    #: True when an LMS export recorded it (`mentorbot trainings import`).
    system_tracked: bool = False


@dataclass(frozen=True)
class TrainingsView:
    mentor_id: uuid.UUID
    trainings: list[TrainingStatus]
    is_certified: bool
    certified_at: datetime | None


@dataclass(frozen=True)
class CertificationResult:
    """What changed; `newly_certified` tells the listener to congratulate the mentor."""

    mentor_id: uuid.UUID
    mentor_slack_user_id: str
    mentor_name: str
    newly_certified: bool
    #: True when the mentor had been waiting for certification to be matched.
    activated: bool
    view: TrainingsView


def trainings(db: Session, *, user_id: uuid.UUID) -> TrainingsView:
    """The program's required trainings and which of them this mentor has done."""
    mentor = require_mentor(db, user_id)
    return _trainings_view(mentor, program.load(db))


def complete_training(
    db: Session, *, user_id: uuid.UUID, training_key: str, now: datetime
) -> CertificationResult:
    """Mark one required training done (again: no change). When every required
    training is done the mentor is certified in the same transaction."""
    mentor = require_mentor(db, user_id)
    config = program.load(db)
    known = {t.key: t for t in config.required_trainings}
    if training_key not in known:
        raise NotFound(
            "That training is no longer on the program's list. `/mentor trainings` shows "
            "the current ones."
        )
    if training_key not in {t.training_key for t in mentor.trainings}:
        mentor.trainings.append(MentorTraining(training_key=training_key, completed_at=now))
        audit.record(
            db,
            actor_id=user_id,
            action="mentor.training_completed",
            entity_type="mentor",
            entity_id=mentor.id,
            now=now,
            training=training_key,
        )
        db.flush()
    return certify_if_ready(
        db,
        mentor,
        config,
        ready=not open_trainings_of(mentor, config),
        actor_id=user_id,
        how="trainings",
        now=now,
    )


def certify(
    db: Session, *, actor_id: uuid.UUID, mentor_id: uuid.UUID, now: datetime
) -> CertificationResult:
    """An admin certifies a mentor directly (a repeated click changes nothing)."""
    access.require_admin(access.load_user(db, actor_id))
    mentor = db.get(Mentor, mentor_id)
    if mentor is None:
        raise NotFound("That mentor is no longer in the program.")
    return certify_if_ready(
        db, mentor, program.load(db), ready=True, actor_id=actor_id, how="admin", now=now
    )


def certify_if_ready(
    db: Session,
    mentor: Mentor,
    config: ProgramConfig,
    *,
    ready: bool,
    actor_id: uuid.UUID | None,
    how: str,
    now: datetime,
) -> CertificationResult:
    """Certify the mentor if `ready` and not certified yet; audited, and a mentor held
    back only for want of certification may be matched from now on."""
    newly = ready and not mentor.is_certified
    activated = False
    if newly:
        mentor.is_certified = True
        mentor.certified_at = now
        activated = not mentor.is_active and mentor.opted_out_at is None
        if activated:
            mentor.is_active = True
        audit.record(
            db,
            actor_id=actor_id,
            action="mentor.certified",
            entity_type="mentor",
            entity_id=mentor.id,
            now=now,
            how=how,
            activated=activated,
        )
        db.flush()
    return CertificationResult(
        mentor_id=mentor.id,
        mentor_slack_user_id=mentor.user.slack_user_id,
        mentor_name=mentor.user.name,
        newly_certified=newly,
        activated=activated,
        view=_trainings_view(mentor, config),
    )


def _trainings_view(mentor: Mentor, config: ProgramConfig) -> TrainingsView:
    done = {t.training_key: t for t in mentor.trainings}
    return TrainingsView(
        mentor_id=mentor.id,
        trainings=[
            TrainingStatus(
                t,
                done[t.key].completed_at if t.key in done else None,
                t.key in done and done[t.key].source == "system_tracked",
            )
            for t in config.required_trainings
        ],
        is_certified=mentor.is_certified,
        certified_at=mentor.certified_at,
    )


def open_trainings_of(mentor: Mentor | None, config: ProgramConfig) -> list[Training]:
    """The program's required trainings this mentor has not completed yet."""
    done = {t.training_key for t in mentor.trainings} if mentor is not None else set()
    return [t for t in config.required_trainings if t.key not in done]


# -- profiles (FR-1.3, FR-1.5) ----------------------------------------------------------------


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
    db: Session, mentor: Mentor, now: datetime, config: ProgramConfig | None = None
) -> MentorProfile:
    """The profile facts of one mentor, history and badges included."""
    config = config or program.load(db)
    user = mentor.user
    past = recognition.history(db, mentor.id)
    hosted, members = circles.host_load(db, mentor.id)
    return MentorProfile(
        mentor_id=mentor.id,
        slack_user_id=user.slack_user_id,
        name=user.name,
        timezone=user.timezone,
        status=status_of(mentor, timezones.local_today(now, user.timezone)),
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


# -- App Home (issue item 8) ------------------------------------------------------------------


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
# The trainings come with the mentor row.
_MENTOR_WITH_TRAININGS = (
    select(Mentor)
    .options(joinedload(Mentor.trainings))
    .where(Mentor.user_id == bindparam("user_id"))
)
_REQUESTER = aliased(User, name="requester")
# Who asked for each request comes in the same statement (no read per request).
_REQUESTS = (
    select(
        Assignment.id,
        Assignment.status,
        Assignment.created_at,
        Assignment.start_date,
        Assignment.check_in_cadence,
        User.name,
        _REQUESTER.name,
    )
    .join(User, User.id == Assignment.mentee_user_id)
    .outerjoin(_REQUESTER, _REQUESTER.id == Assignment.assigned_by_user_id)
    .where(
        Assignment.mentor_id == bindparam("mentor_id"),
        Assignment.status.in_(("pending", "active")),
    )
    .order_by(Assignment.created_at)
)


def mentor_home(db: Session, *, user_id: uuid.UUID, now: datetime) -> MentorHome | None:
    """What a mentor's App Home shows, or None for someone who is not a mentor."""
    mentor = db.scalars(_MENTOR_WITH_TRAININGS, {"user_id": user_id}).unique().one_or_none()
    if mentor is None:
        return None
    waiting, mentees = [], []
    for assignment_id, status, created_at, start_date, cadence, mentee, by in db.execute(
        _REQUESTS, {"mentor_id": mentor.id}
    ):
        if status == "pending":
            waiting.append(WaitingRequest(assignment_id, mentee, by, created_at))
        else:
            mentees.append(ActiveMentee(assignment_id, mentee, start_date, cadence))
    return MentorHome(
        profile=build_profile(db, mentor, now),
        waiting=waiting,
        mentees=mentees,
        reverse_only=mentor.reverse_only,
    )


# -- lookups ----------------------------------------------------------------------------------


def mentor_of(db: Session, user_id: uuid.UUID) -> Mentor | None:
    """The mentor row of this user, or None."""
    return db.scalar(select(Mentor).where(Mentor.user_id == user_id))


def require_mentor(db: Session, user_id: uuid.UUID) -> Mentor:
    mentor = mentor_of(db, user_id)
    if mentor is None:
        raise NotFound("You aren't a mentor yet. `/mentor optin` to become one.")
    return mentor
