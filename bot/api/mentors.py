"""Mentors: `/api/mentors` (list, opt in, update, opt out) and match suggestions at
`/api/mentors/matches?mentee=...` (the PRD's MentorMatch)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from bot.api.auth import Caller, CallerDep
from bot.api.common import Body, Limit, Offset, Page, fields_named, page_of
from bot.api.errors import ApiError
from bot.listeners.mentors import optout_notices
from bot.listeners.messaging import deliver_queued, enqueue_notices
from bot.services import assignment_forms, mentor_optin, records, time_off
from models import Mentor, User

router = APIRouter(tags=["mentors"])

_OPTIN_FIELDS = {
    "expertise": "expertise_areas",
    "capacity": "max_mentees",
    "availability": "availability_notes",
}


class MentorOut(BaseModel):
    id: uuid.UUID
    user_id: uuid.UUID
    name: str
    is_active: bool
    max_mentees: int
    current_mentee_count: int
    expertise_areas: list[str]
    availability_notes: str | None
    total_mentees_to_date: int
    average_rating: Decimal | None
    is_certified: bool
    certified_at: datetime | None
    paused_until: date | None
    opted_out_at: datetime | None
    created_at: datetime
    updated_at: datetime


class MentorIn(Body):
    expertise_areas: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        min_length=1, max_length=30, description="Skills from the program's list"
    )
    max_mentees: int = Field(ge=1, le=1000, description="Mentees at once, up to the program max")
    availability_notes: str | None = Field(None, max_length=2000)


class MentorPatch(Body):
    expertise_areas: list[Annotated[str, Field(min_length=1, max_length=100)]] | None = Field(
        None, min_length=1, max_length=30
    )
    max_mentees: int | None = Field(None, ge=1, le=1000)
    availability_notes: str | None = Field(None, max_length=2000)


class MatchFactorsOut(BaseModel):
    expertise_overlap: float
    capacity_available: bool
    location_match: bool
    past_success_rate: float


class MentorMatchOut(BaseModel):
    mentor_id: uuid.UUID
    user_id: uuid.UUID
    name: str
    match_score: float
    factors: MatchFactorsOut
    why: list[str] = Field(description="Each factor in plain words, as Slack shows them")


class Matches(BaseModel):
    mentee_user_id: uuid.UUID
    skill_gaps: list[str]
    matches: list[MentorMatchOut]


def render(mentor: Mentor, user: User) -> MentorOut:
    return MentorOut(
        id=mentor.id,
        user_id=mentor.user_id,
        name=user.name,
        is_active=mentor.is_active,
        max_mentees=mentor.max_mentees,
        current_mentee_count=mentor.current_mentee_count,
        expertise_areas=list(mentor.expertise_areas or []),
        availability_notes=mentor.availability_notes,
        total_mentees_to_date=mentor.total_mentees_to_date,
        average_rating=mentor.average_rating,
        is_certified=mentor.is_certified,
        certified_at=mentor.certified_at,
        paused_until=mentor.paused_until,
        opted_out_at=mentor.opted_out_at,
        created_at=mentor.created_at,
        updated_at=mentor.updated_at,
    )


@router.get("/mentors", response_model=Page[MentorOut])
def list_mentors(
    caller: CallerDep, limit: Limit = 50, offset: Offset = 0, is_active: bool | None = None
) -> Page[MentorOut]:
    """Mentors by name, with capacity and expertise (as `/mentor profile` shows them)."""
    caller.require_scope("mentors:read")
    with caller.db() as db:
        found = records.mentors_page(db, active=is_active, limit=limit, offset=offset)
        return page_of([render(m, u) for m, u in found.rows], found.total, limit, offset)


@router.get("/mentors/matches", response_model=Matches)
def mentor_matches(
    caller: CallerDep,
    mentee: Annotated[uuid.UUID, Query(description="The new hire's user id")],
    limit: Annotated[int, Query(ge=1, le=20)] = 5,
) -> Matches:
    """The best available mentors for a new hire, best first (FR-2.1): for their
    manager (or above), an admin, or a service token with `mentors:read`."""
    caller.require_scope("mentors:read")
    with caller.db() as db:
        ranking = assignment_forms.suggestions_for_user(
            db, actor_id=caller.user_id, mentee_id=mentee, now=caller.now(), limit=limit
        )
    return Matches(
        mentee_user_id=ranking.mentee_id,
        skill_gaps=ranking.needs,
        matches=[
            MentorMatchOut(
                mentor_id=m.mentor_id,
                user_id=m.user_id,
                name=m.name,
                match_score=m.score,
                factors=MatchFactorsOut(
                    expertise_overlap=round(m.details.expertise_overlap, 3),
                    capacity_available=m.details.free_slots > 0,
                    location_match=m.details.hours_apart == 0,
                    past_success_rate=round(m.details.success_rate, 3),
                ),
                why=m.factors,
            )
            for m in ranking.matches
        ],
    )


@router.post("/mentors", status_code=201, response_model=MentorOut)
def opt_in(body: MentorIn, caller: CallerDep) -> MentorOut:
    """Opt in as a mentor (FR-1.2) with your expertise and capacity; you must meet the
    program's eligibility (403 saying what is missing). Opting in again updates."""
    person = caller.person("opt in as a mentor")
    with caller.db() as db, fields_named(_OPTIN_FIELDS):
        result = mentor_optin.save_optin(
            db,
            user_id=person,
            expertise=body.expertise_areas,
            capacity=body.max_mentees,
            availability=body.availability_notes,
            timezone=None,
            now=caller.now(),
        )
    return _mentor(caller, result.profile.mentor_id)


@router.patch("/mentors/{mentor_id}", response_model=MentorOut)
def update_mentor(mentor_id: uuid.UUID, body: MentorPatch, caller: CallerDep) -> MentorOut:
    """Change your own expertise, capacity (never below your current mentees) or notes."""
    person = _own(caller, mentor_id, "update a mentor profile")
    with caller.db() as db, fields_named(_OPTIN_FIELDS):
        mentor, _user = records.mentor(db, mentor_id)
        given = body.model_fields_set
        mentor_optin.save_optin(
            db,
            user_id=person,
            expertise=body.expertise_areas
            if "expertise_areas" in given
            else list(mentor.expertise_areas),
            capacity=body.max_mentees if "max_mentees" in given else mentor.max_mentees,
            availability=body.availability_notes
            if "availability_notes" in given
            else mentor.availability_notes,
            timezone=None,
            now=caller.now(),
        )
    return _mentor(caller, mentor_id)


@router.delete("/mentors/{mentor_id}", response_model=MentorOut)
def opt_out(mentor_id: uuid.UUID, caller: CallerDep) -> MentorOut:
    """Opt out (FR-1.2): no new mentees, current mentorships continue; requests still
    waiting for your answer are declined and their managers told in Slack."""
    person = _own(caller, mentor_id, "opt out")
    with caller.db() as db:
        result = time_off.opt_out(db, user_id=person, now=caller.now())
        name = records.mentor(db, mentor_id)[1].name
        queued = enqueue_notices(db, optout_notices(result, name), now=caller.now())
    deliver_queued(caller.slack, caller.runtime, queued)
    return _mentor(caller, mentor_id)


def _own(caller: Caller, mentor_id: uuid.UUID, doing: str) -> uuid.UUID:
    person = caller.person(doing)
    with caller.db() as db:
        mentor, _user = records.mentor(db, mentor_id)
    if mentor.user_id != person:
        raise ApiError(403, "You can only change your own mentor profile.")
    return person


def _mentor(caller: Caller, mentor_id: uuid.UUID) -> MentorOut:
    with caller.db() as db:
        return render(*records.mentor(db, mentor_id))
