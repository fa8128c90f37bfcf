"""Asking a mentor (PRD FR-2.2, FR-2.5): the request, and how it leaves `pending`.

A manager (or anyone above the mentee, or an admin) asks a mentor: that creates a
`pending` assignment, which holds one of the mentor's slots until it is answered,
so a mentor is never asked beyond capacity. The answer (accept, decline) is in
bot/services/answers.py; it leaves `pending` through `leave_pending` here, one
conditional UPDATE, so a repeated click or a Slack retry changes nothing. Whom to ask
and the request form are in `assignment_forms`, the typed terms are read by
`assignment_terms`, and how an assignment looks to its people is `assignment_views`."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.blocks import dates
from bot.services import access, audit, interaction_state, matching, program, reverse, timezones
from bot.services.assignment_terms import checked_kind, parse_goals, parse_period
from bot.services.assignment_views import AssignmentView, view_of
from bot.services.errors import CapacityFull, Conflict, InvalidInput, NotFound
from bot.services.mentors import paused_on
from bot.services.program import ProgramConfig
from models import CADENCES, MENTORED_STATUSES, OPEN_STATUSES, Assignment, Mentor, User, ramp_facts


@dataclass(frozen=True)
class Requested:
    """A new request, and older unanswered requests for the same mentee it replaced."""

    assignment: AssignmentView
    withdrawn: list[AssignmentView] = field(default_factory=list)


class AlreadyAnswered(Conflict):
    """The request is no longer waiting for an answer; `assignment` is how it stands."""

    def __init__(self, message: str, assignment: AssignmentView) -> None:
        super().__init__(message)
        self.assignment = assignment


def request(
    db: Session,
    *,
    actor_id: uuid.UUID | None,
    mentor_id: uuid.UUID,
    mentee_id: uuid.UUID,
    now: datetime,
    start_date: str | None,
    expected_end: str | None,
    cadence: str | None,
    goals: str | None,
    confirmed: bool,
    focus: Sequence[str] = (),
    focus_key: str | None = None,
    kind: str = "standard",
) -> Requested:
    """Create the `pending` assignment the assign modal describes (FR-2.2, 2.4, 2.5);
    the focus comes as skills or as the key they are kept under. `kind` "reverse"
    records a reverse mentorship (a newer hire teaches a veteran).

    InvalidInput names each bad field (start_date, expected_end, cadence, goals,
    confirm); NotAllowed, Conflict or CapacityFull say why this mentor can't be asked.
    Nothing is written then. `actor_id` None is a trusted system (the onboarding
    system's API service token): every rule but who may ask still holds."""
    actor = access.load_user(db, actor_id) if actor_id is not None else None
    today = timezones.local_today(now, actor.timezone if actor else None)
    errors: dict[str, str] = {}
    start, end = today, today
    try:
        start, end = parse_period(start_date, expected_end, today)
    except InvalidInput as exc:
        errors.update(exc.errors)
    if cadence not in CADENCES:
        errors["cadence"] = "Choose how often they meet: Weekly, Biweekly or Monthly."
    parsed_goals: list[dict[str, Any]] = []
    try:
        parsed_goals = parse_goals(goals or "", start)
    except InvalidInput as exc:
        errors.update(exc.errors)
    if not confirmed:
        errors["confirm"] = "Tick “I confirm the expectations” to send the request."
    if errors:
        raise InvalidInput(errors)
    config = program.load(db)
    focus = list(focus) or interaction_state.focus_of(db, focus_key)
    return create_request(
        db,
        actor=actor,
        mentor_id=mentor_id,
        mentee_id=mentee_id,
        start=start,
        end=end,
        cadence=str(cadence),
        goals=parsed_goals,
        focus=focus,
        config=config,
        now=now,
        kind=checked_kind(kind),
    )


def create_request(
    db: Session,
    *,
    actor: User | None,
    mentor_id: uuid.UUID,
    mentee_id: uuid.UUID,
    start: date,
    end: date,
    cadence: str,
    goals: list[dict[str, Any]],
    focus: Sequence[str],
    config: ProgramConfig,
    now: datetime,
    kind: str = "standard",
) -> Requested:
    """A pending request from `actor` to the mentor for the mentee, on terms already
    checked, holding one of the mentor's slots (CapacityFull when none is free), with
    the mentee's milestones and the request's audit row; `request` and an approved
    cohort both come through here."""
    mentee = access.load_user(db, mentee_id)
    # Serialise everyone asking this mentor: the UPDATE holds the mentor's row lock
    # until commit, so the capacity check below sees every other committed request.
    locked = db.execute(
        sa.update(Mentor)
        .where(Mentor.id == mentor_id)
        .values(updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if locked.rowcount != 1:  # type: ignore[attr-defined]
        raise NotFound("That mentor is no longer in the program. Run `/mentor match` again.")
    mentor = db.get(Mentor, mentor_id, populate_existing=True)
    assert mentor is not None
    check_request(db, actor, mentor, mentee, now, kind)
    match = matching.explain(db, mentee_id=mentee.id, mentor_id=mentor.id, now=now, focus=focus)
    withdrawn = _withdraw_unanswered(db, mentee_id=mentee.id, config=config, now=now, actor=actor)
    factors = match.as_json() if match else {}
    factors["focus"] = list(focus)
    assignment = Assignment(
        mentor_id=mentor.id,
        mentee_user_id=mentee.id,
        assigned_by_user_id=actor.id if actor else None,
        start_date=start,
        expected_end_date=end,
        check_in_cadence=cadence,
        kind=kind,
        goals=goals,
        focus_skills=match.details.needs if match else list(focus),
        expectations=config.expectations,
        expectations_confirmed_at=now,
        match_factors=factors,
        status="pending",
        created_at=now,
        updated_at=now,
    )
    db.add(assignment)
    db.flush()
    audit.record(
        db,
        actor_id=actor.id if actor else None,
        action="assignment.requested",
        entity_type="assignment",
        entity_id=assignment.id,
        now=now,
        mentor_id=mentor.id,
        mentee_id=mentee.id,
        cadence=cadence,
        kind=kind,
        goals=len(goals),
        score=match.score if match else None,
    )
    return Requested(view_of(assignment), withdrawn)


def check_request(
    db: Session, actor: User | None, mentor: Mentor, mentee: User, now: datetime, kind: str
) -> None:
    """Who may ask (None: the command line), and whether this mentor can be asked
    for this mentee now, for a mentorship of this kind."""
    if actor is not None:
        access.require_manager_or_admin(db, actor, mentee)
    reverse.refuse_standard(mentor, kind)
    name = mentor.user.name
    if mentor.user_id == mentee.id:
        raise Conflict("Nobody can mentor themselves: pick another mentor.")
    if mentee.is_bot or mentee.deactivated_at is not None:
        raise Conflict(f"{mentee.name} is not an active person in the workspace.")
    if not mentor.is_active or mentor.opted_out_at is not None:
        raise Conflict(
            f"{name} is not mentoring right now (inactive or opted out). "
            f"Pick another mentor: `/mentor match @{mentee.name}` lists who is available."
        )
    if paused_on(mentor.paused_until, program.todays_date(db, now)):
        raise Conflict(
            f"{name} has paused mentoring until {dates.day(mentor.paused_until)}. "
            "Pick another mentor, or ask again after that date."
        )
    same_pair = db.scalar(
        sa.select(Assignment.status).where(
            Assignment.mentor_id == mentor.id,
            Assignment.mentee_user_id == mentee.id,
            Assignment.status.in_(OPEN_STATUSES),
        )
    )
    if same_pair == "active":
        raise Conflict(f"{name} is already mentoring {mentee.name}.")
    if same_pair == "pending":
        raise Conflict(
            f"{name} already has a request to mentor {mentee.name}, waiting for an answer."
        )
    waiting = _pending_count(db, mentor.id)
    if mentor.current_mentee_count + waiting >= mentor.max_mentees:
        raise CapacityFull(
            f"{name} has no free slot: {mentor.current_mentee_count} mentee(s) and {waiting} "
            f"request(s) waiting for an answer fill all {mentor.max_mentees}. "
            "Pick another mentor from `/mentor match`."
        )


def _pending_count(db: Session, mentor_id: uuid.UUID) -> int:
    return (
        db.scalar(
            sa.select(sa.func.count())
            .select_from(Assignment)
            .where(Assignment.mentor_id == mentor_id, Assignment.status == "pending")
        )
        or 0
    )


def _withdraw_unanswered(
    db: Session, *, mentee_id: uuid.UUID, config: ProgramConfig, now: datetime, actor: User | None
) -> list[AssignmentView]:
    """Asking a new mentor withdraws this mentee's requests that went unanswered past
    the fallback time (the manager was offered someone else), so a late accept can't
    give the mentee two mentors. Younger requests stay: both mentors were asked on purpose."""
    cutoff = now - timedelta(hours=config.request_fallback_hours)
    stale = list(
        db.scalars(
            sa.select(Assignment).where(
                Assignment.mentee_user_id == mentee_id,
                Assignment.status == "pending",
                Assignment.created_at <= cutoff,
            )
        )
    )
    withdrawn: list[AssignmentView] = []
    for assignment in stale:
        if leave_pending(
            db,
            assignment.id,
            status="cancelled",
            cancelled_at=now,
            cancel_reason=(
                f"No answer within {config.request_fallback_hours} hours; another mentor was asked."
            ),
            now=now,
        ):
            db.refresh(assignment)
            audit.record(
                db,
                actor_id=actor.id if actor else None,
                action="assignment.withdrawn",
                entity_type="assignment",
                entity_id=assignment.id,
                now=now,
                status="cancelled",
            )
            withdrawn.append(view_of(assignment))
    return withdrawn


def leave_pending(db: Session, assignment_id: uuid.UUID, *, now: datetime, **values: Any) -> bool:
    """Move a request out of `pending` (answered or withdrawn) with one conditional
    UPDATE: of two clicks, retries or sweeps doing it at once, exactly one gets True."""
    changed = db.execute(
        sa.update(Assignment)
        .where(Assignment.id == assignment_id, Assignment.status == "pending")
        .values(updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        return False
    if values.get("status") in MENTORED_STATUSES:
        # The ORM's flush hook doesn't see a bulk UPDATE: the mentee is mentored now.
        ramp_facts.refresh(
            db, sa.select(Assignment.mentee_user_id).where(Assignment.id == assignment_id)
        )
    return True
