"""How does a person become a mentor, and change what they offer (PRD FR-1.2, FR-1.3)?
The opt-in form, pre-filled for a current mentor, and saving it: expertise, capacity
and availability notes, checked against the program's rules."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from bot.services import access, audit, program, timezones
from bot.services import capacity as slots
from bot.services.errors import InvalidInput
from bot.services.mentor_profiles import MentorProfile, build_profile
from bot.services.mentor_trainings import trainings_not_done
from bot.services.mentors import check_eligible, is_standard_mentor, mentor_of
from bot.services.program import ProgramConfig, Training
from models import Mentor, MentorTraining

AVAILABILITY_MAX_CHARS = 500


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


#: What the form shows of a person's mentor row, once for each training they completed
#: (once with none when they completed none): columns in one statement, instead of the
#: mentor entity and then its trainings. Built once (see roster._BY_SLACK_ID): every
#: "Edit profile" press reads it.
_FORM_ROWS = (
    select(
        Mentor.expertise_areas,
        Mentor.max_mentees,
        Mentor.availability_notes,
        Mentor.is_certified,
        Mentor.opted_out_at,
        Mentor.reverse_only,
        MentorTraining.training_key,
    )
    .outerjoin(Mentor.trainings)
    .where(Mentor.user_id == bindparam("user_id"))
)


def start_optin(db: Session, *, user_id: uuid.UUID, now: datetime) -> OptinForm:
    """The opt-in form for this person: pre-filled when they are a mentor already.
    A current mentor may always edit; anyone else must be eligible (NotEligible)."""
    user = access.load_user(db, user_id)
    with program.loaded_once(db):  # the eligibility check asks for the settings again
        config = program.load(db)
        rows = db.execute(_FORM_ROWS, {"user_id": user.id}).all()
        mentor = rows[0] if rows else None
        if not is_standard_mentor(mentor):
            check_eligible(db, user, timezones.local_today(now, user.timezone))
    open_trainings = trainings_not_done({r.training_key for r in rows}, config)
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

    moved = (
        timezone is not None and timezones.is_valid_timezone(timezone) and user.timezone != timezone
    )
    if moved:
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
        # A new timezone alone changes how the mentor ranks: audited as a change too.
        changed = (
            returning
            or moved
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
