"""A mentor stepping back (PRD FR-1.2): opting out (every request still waiting is
declined and its manager told), and pausing until a date, which asks whether to decline
the requests still waiting (each asker gets the reason and the next suggestion) or keep
them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.blocks import dates
from bot.services import access, assignments, audit, inputs, program
from bot.services import capacity as slots
from bot.services.errors import Conflict, InvalidInput
from bot.services.mentors import paused_on, require_mentor
from bot.services.timezones import local_today
from models import Assignment, User

OPTOUT_DECLINE_REASON = "Mentor opted out"


# -- opt-out and pause (FR-1.2) ---------------------------------------------------------------


@dataclass(frozen=True)
class AutoDeclined:
    """A request declined because the mentor opted out; the manager is told."""

    assignment_id: uuid.UUID
    mentee_name: str
    mentee_slack_user_id: str
    manager_slack_user_id: str | None
    manager_name: str | None


@dataclass(frozen=True)
class OptOutResult:
    already: bool
    opted_out_at: datetime
    active_mentees: int
    declined: list[AutoDeclined] = field(default_factory=list)


def opt_out(db: Session, *, user_id: uuid.UUID, now: datetime) -> OptOutResult:
    """Stop new assignments for this mentor; active mentorships continue. Every request
    still waiting for the mentor's answer is declined ("Mentor opted out") and returned
    so each manager can be told. Opting out twice changes nothing."""
    mentor = require_mentor(db, user_id)
    if mentor.opted_out_at is not None:
        return OptOutResult(
            already=True,
            opted_out_at=mentor.opted_out_at,
            active_mentees=slots.active_count(db, mentor.id),
        )
    mentor.is_active = False
    mentor.opted_out_at = now
    mentor.paused_until = None
    audit.record(
        db,
        actor_id=user_id,
        action="mentor.opted_out",
        entity_type="mentor",
        entity_id=mentor.id,
        now=now,
    )
    declined = _decline_waiting(
        db,
        mentor.id,
        actor_id=user_id,
        now=now,
        reason=OPTOUT_DECLINE_REASON,
        key="mentor_opted_out",
    )
    return OptOutResult(
        already=False,
        opted_out_at=now,
        active_mentees=slots.active_count(db, mentor.id),
        declined=declined,
    )


def _decline_waiting(
    db: Session, mentor_id: uuid.UUID, *, actor_id: uuid.UUID, now: datetime, reason: str, key: str
) -> list[AutoDeclined]:
    """Decline every request still waiting for this mentor's answer, with `reason`."""
    declined = [
        item
        for item in (
            _decline_one(db, a, actor_id=actor_id, now=now, reason=reason, key=key)
            for a in db.scalars(
                select(Assignment)
                .where(Assignment.mentor_id == mentor_id, Assignment.status == "pending")
                .order_by(Assignment.created_at)
            )
        )
        if item is not None
    ]
    db.flush()
    return declined


def _decline_one(
    db: Session,
    assignment: Assignment,
    *,
    actor_id: uuid.UUID,
    now: datetime,
    reason: str,
    key: str,
) -> AutoDeclined | None:
    # Conditional on still pending: an accept racing this keeps its mentorship.
    if not assignments.leave_pending(
        db, assignment.id, status="declined", declined_at=now, decline_reason=reason, now=now
    ):
        return None
    db.expire(assignment)
    audit.record(
        db,
        actor_id=actor_id,
        action="assignment.declined",
        entity_type="assignment",
        entity_id=assignment.id,
        now=now,
        status="declined",
        reason=key,
    )
    mentee = access.load_user(db, assignment.mentee_user_id)
    manager_id = assignment.assigned_by_user_id or mentee.manager_id
    manager = db.get(User, manager_id) if manager_id else None
    return AutoDeclined(
        assignment_id=assignment.id,
        mentee_name=mentee.name,
        mentee_slack_user_id=mentee.slack_user_id,
        manager_slack_user_id=manager.slack_user_id if manager else None,
        manager_name=manager.name if manager else None,
    )


@dataclass(frozen=True)
class PauseResult:
    paused_until: date | None
    #: The first day the mentor can be matched again (None: not paused).
    back_on: date | None
    #: Requests still waiting for the mentor's answer: decline them or keep them?
    waiting: int = 0


def pause(db: Session, *, user_id: uuid.UUID, args: str, now: datetime) -> PauseResult:
    """`until YYYY-MM-DD` (or just the date) pauses matching through that date; `off`
    ends a pause now. The date must be after today in the mentor's timezone."""
    mentor = require_mentor(db, user_id)
    if mentor.opted_out_at is not None:
        raise Conflict("You've opted out, so you aren't matched anyway. `/mentor optin` to return.")
    user = access.load_user(db, user_id)
    today = local_today(now, user.timezone)
    words = args.split()
    if words and words[0].lower() == "until":
        words = words[1:]
    usage = "Type `/mentor pause until YYYY-MM-DD` (e.g. until 2026-12-31), or `/mentor pause off`."
    if not words:
        raise InvalidInput({"date": f"Tell me until when. {usage}"})
    typed = " ".join(words)
    if typed.lower() in ("off", "end", "resume"):
        until: date | None = None
    else:
        try:
            until = inputs.iso_date(typed)
        except inputs.OutOfRange as exc:
            raise InvalidInput({"date": f"{exc} {usage}"}) from None
        except ValueError:
            raise InvalidInput(
                {"date": f"'{typed}' is not a date like 2026-12-31. {usage}"}
            ) from None
        if until <= today:
            raise InvalidInput(
                {
                    "date": f"{until.isoformat()} is not in the future (today is "
                    f"{today.isoformat()}). Give a date after today. {usage}"
                }
            )
    if mentor.paused_until != until:
        mentor.paused_until = until
        audit.record(
            db,
            actor_id=user_id,
            action="mentor.paused" if until else "mentor.resumed",
            entity_type="mentor",
            entity_id=mentor.id,
            now=now,
            paused_until=until.isoformat() if until else None,
        )
        db.flush()
    back_on = date.fromordinal(until.toordinal() + 1) if until else None
    return PauseResult(paused_until=until, back_on=back_on, waiting=_waiting(db, mentor.id))


def decline_waiting_for_pause(
    db: Session, *, user_id: uuid.UUID, now: datetime
) -> list[AutoDeclined]:
    """The paused mentor chose to decline the requests still waiting: each is declined
    with the pause as its reason (audited), and returned so each asker gets the reason
    and the next suggestion. Conflict when the mentor is not paused any more; a second
    press finds nothing left to decline."""
    mentor = require_mentor(db, user_id)
    until = mentor.paused_until
    if not paused_on(until, program.todays_date(db, now)):
        raise Conflict("You aren't paused any more, so the requests still wait for your answer.")
    return _decline_waiting(
        db,
        mentor.id,
        actor_id=user_id,
        now=now,
        reason=f"Paused until {dates.day(until)}",
        key="mentor_paused",
    )


def _waiting(db: Session, mentor_id: uuid.UUID) -> int:
    return int(
        db.scalar(
            select(func.count())
            .select_from(Assignment)
            .where(Assignment.mentor_id == mentor_id, Assignment.status == "pending")
        )
        or 0
    )
