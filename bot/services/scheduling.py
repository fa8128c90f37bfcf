"""Sessions scheduled ahead (issue 17; Mentor Role "Session Management", "confirmed
within 48 hours"): either side proposes one to three times and an agenda, the other
confirms one or proposes another; a confirmed session is cancelled or rescheduled
until it starts, and after it ends it is logged (held) or marked a no-show (missed).

Every change is one transaction with an audit row. The DMs it causes are found by the
reminder finders (bot/services/reminders) from these rows, so each is claimed in the
notification ledger and sent once, in the recipient's working hours."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.services import access, audit, curriculum, inputs, session_forms
from bot.services.errors import Conflict, InvalidInput, NotAllowed, NotFound
from bot.services.schedule_times import OptionInput, parse_options
from models import Assignment, ScheduledSession, User

AGENDA_LIMIT = 2000


@dataclass(frozen=True)
class ProposalForm:
    """What the propose modal shows."""

    assignment_id: uuid.UUID
    other_name: str
    replaces_id: uuid.UUID | None
    objectives: str
    materials: str
    day: date
    note: str | None = None


@dataclass(frozen=True)
class Proposed:
    proposal_id: uuid.UUID
    other_name: str
    options: list[datetime] = field(default_factory=list)


@dataclass(frozen=True)
class Confirmed:
    scheduled_id: uuid.UUID
    starts_at: datetime
    duration_minutes: int


def prepare(
    db: Session,
    *,
    actor_id: uuid.UUID,
    assignment_id: uuid.UUID | str | None = None,
    replaces_id: uuid.UUID | str | None = None,
    now: datetime,
    timezone: str | None,
) -> ProposalForm:
    """The propose modal for a mentorship (or to replace a proposal or a session).
    NotAllowed/Conflict when this person cannot schedule it."""
    replaced = _load(db, replaces_id) if replaces_id else None
    assignment = access.load_assignment(db, replaced.assignment_id if replaced else assignment_id)
    actor = access.load_user(db, actor_id)
    _require_pair(db, actor, assignment)
    if replaced is not None:
        _require_replaceable(replaced, actor_id)
    other = _other_side(db, actor_id, assignment)
    tz = inputs.zone(db, timezone)
    day = (now + timedelta(days=1)).astimezone(tz).date()
    # The agenda starts from that week's curriculum, then the goals not yet achieved.
    suggested = curriculum.topics_for(db, assignment, day)
    return ProposalForm(
        assignment_id=assignment.id,
        other_name=other.name or other.slack_user_id,
        replaces_id=replaced.id if replaced else None,
        objectives=(replaced.objectives if replaced else None)
        or _suggested_objectives(assignment, suggested),
        materials=(replaced.materials if replaced else None)
        or "\n".join(f"- {t.title}: {t.url}" for t in suggested[:10] if t.url),
        day=day,
    )


def propose(
    db: Session,
    *,
    actor_id: uuid.UUID,
    assignment_id: uuid.UUID | str,
    options: list[OptionInput],
    objectives: object,
    materials: object,
    now: datetime,
    timezone: str | None,
    replaces_id: uuid.UUID | str | None = None,
) -> Proposed:
    """Propose one to three times (in the proposer's timezone) and an agenda to the other
    side. InvalidInput names each bad field (a time in the past, a duration of 0 or over
    8 hours, more than three times); nothing is written then."""
    assignment = access.load_assignment(db, assignment_id)
    actor = access.load_user(db, actor_id)
    _require_pair(db, actor, assignment)
    replaced = _load(db, replaces_id) if replaces_id else None
    if replaced is not None:
        if replaced.assignment_id != assignment.id:
            raise NotAllowed("That proposal belongs to another mentorship.")
        _require_replaceable(replaced, actor_id)
    starts = parse_options(options, inputs.zone(db, timezone), now)
    agenda = {
        "objectives": _agenda_text(objectives, "objectives"),
        "materials": _agenda_text(materials, "materials"),
    }
    other = _other_side(db, actor_id, assignment)
    if replaced is not None:
        _retire(db, replaced, actor_id=actor_id, now=now)
    proposal = ScheduledSession(
        assignment_id=assignment.id,
        proposed_by_user_id=actor_id,
        answer_by_user_id=other.id,
        options=[{"starts_at": s.isoformat(), "minutes": m} for s, m in starts],
        objectives=agenda["objectives"],
        materials=agenda["materials"],
        proposed_at=now,
        last_option_at=max(s for s, _ in starts),
        replaces_id=replaced.id if replaced else None,
    )
    db.add(proposal)
    db.flush()
    audit.record(
        db,
        actor_id=actor_id,
        action="schedule.proposed",
        entity_type="scheduled_sessions",
        entity_id=proposal.id,
        now=now,
        assignment_id=assignment.id,
        options=len(starts),
        replaces=replaced.id if replaced else None,
    )
    return Proposed(proposal.id, other.name or other.slack_user_id, [s for s, _ in starts])


def _agenda_text(raw: object, what: str) -> str | None:
    text = str(raw or "").strip()
    if len(text) > AGENDA_LIMIT:
        raise InvalidInput({what: f"Keep the {what} under {AGENDA_LIMIT} characters."})
    return text or None


def _suggested_objectives(assignment: Assignment, suggested: list[curriculum.Topic]) -> str:
    """The agenda's starting point: the week's curriculum topics, then the mentorship's
    goals not yet achieved."""
    goals = [
        g.get("goal") for g in assignment.goals or [] if g.get("goal") and not g.get("achieved")
    ]
    return "\n".join(f"- {g}" for g in [t.title for t in suggested[:10]] + goals[:5])


# -- answering --------------------------------------------------------------------------------
def confirm(
    db: Session, *, actor_id: uuid.UUID, proposal_id: uuid.UUID | str, option: int, now: datetime
) -> Confirmed:
    """The person asked confirms proposed time number `option` (0-based). A compare-and-set
    on the status: of two clicks at once (or a second click) exactly one confirms; the
    other gets Conflict saying what happened."""
    proposal = _load(db, proposal_id)
    if proposal.answer_by_user_id != actor_id:
        raise NotAllowed("Only the person this time was proposed to can confirm it.")
    if proposal.status != "proposed":
        raise Conflict(_already(proposal))
    if not 0 <= option < len(proposal.options):
        raise NotFound("That proposed time is not part of this proposal.")
    chosen = proposal.options[option]
    starts_at = datetime.fromisoformat(chosen["starts_at"])
    if starts_at <= now:
        raise Conflict("That time has already passed; use *Propose another* to pick a new one.")
    won = db.execute(
        update(ScheduledSession)
        .where(ScheduledSession.id == proposal.id, ScheduledSession.status == "proposed")
        .values(
            status="confirmed",
            starts_at=starts_at,
            duration_minutes=int(chosen["minutes"]),
            answered_at=now,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if won != 1:
        db.rollback()
        raise Conflict(_already(_load(db, proposal_id)))
    audit.record(
        db,
        actor_id=actor_id,
        action="schedule.confirmed",
        entity_type="scheduled_sessions",
        entity_id=proposal.id,
        now=now,
        assignment_id=proposal.assignment_id,
        option=option,
    )
    return Confirmed(proposal.id, starts_at, int(chosen["minutes"]))


def cancel(
    db: Session, *, actor_id: uuid.UUID, scheduled_id: uuid.UUID | str, now: datetime
) -> ScheduledSession:
    """Either side cancels a proposal or a confirmed session before it starts; the other
    side is told (the `schedule_cancelled` reminder)."""
    scheduled = _load(db, scheduled_id)
    _require_pair(db, access.load_user(db, actor_id), _assignment(db, scheduled))
    _require_before_start(scheduled, now, "cancelled")
    _set_status(db, scheduled, "cancelled", actor_id=actor_id, now=now)
    return scheduled


def record_no_show(
    db: Session,
    *,
    actor_id: uuid.UUID,
    scheduled_id: uuid.UUID | str,
    missed_by: str,
    now: datetime,
) -> ScheduledSession:
    """ "It didn't happen": after its start, either side records who did not come."""
    if missed_by not in ("mentor", "mentee"):
        raise InvalidInput({"what_happened": "Say who could not come."})
    scheduled = _load(db, scheduled_id)
    _require_pair(db, access.load_user(db, actor_id), _assignment(db, scheduled))
    _require_ended(scheduled, now)
    _set_status(db, scheduled, "missed", actor_id=actor_id, now=now, missed_by=missed_by)
    return scheduled


def mark_held(
    db: Session,
    *,
    actor_id: uuid.UUID,
    scheduled_id: uuid.UUID | str,
    session_id: uuid.UUID,
    now: datetime,
) -> None:
    """The session was logged from "How did it go?": it was held (same transaction)."""
    scheduled = _load(db, scheduled_id)
    _require_ended(scheduled, now)
    scheduled.session_id = session_id
    _set_status(db, scheduled, "held", actor_id=actor_id, now=now)


def log_form(
    db: Session,
    *,
    actor_id: uuid.UUID,
    scheduled_id: uuid.UUID | str,
    now: datetime,
    timezone: str | None,
) -> session_forms.LogForm:
    """The session log modal for a scheduled session, filled with its day, time (the
    logger's timezone), duration and agenda."""
    scheduled = _load(db, scheduled_id)
    assignment = _assignment(db, scheduled)
    access.require(db, access.load_user(db, actor_id), access.LOG_SESSION, assignment)
    if scheduled.status != "confirmed" or scheduled.starts_at is None:
        raise Conflict(_already(scheduled))
    form = session_forms.prepare_form(
        db,
        actor_id=actor_id,
        assignment_id=str(assignment.id),
        group=False,
        now=now,
        timezone=timezone,
    )
    local = scheduled.starts_at.astimezone(inputs.zone(db, timezone))
    agenda = "\n".join(t for t in (scheduled.objectives, scheduled.materials) if t)
    return replace(
        form,
        day=local.date(),
        time=local.strftime("%H:%M"),
        values={**form.values, "duration": scheduled.duration_minutes, "summary": agenda},
    )


def pair_names(
    db: Session, *, actor_id: uuid.UUID, scheduled_id: uuid.UUID | str, now: datetime
) -> tuple[str, str]:
    """(mentor's name, mentee's name) for "It didn't happen", once the session started."""
    scheduled = _load(db, scheduled_id)
    assignment = _assignment(db, scheduled)
    _require_pair(db, access.load_user(db, actor_id), assignment)
    _require_ended(scheduled, now)
    mentor = access.load_user(db, access.mentor_user_id(db, assignment))
    mentee = access.load_user(db, assignment.mentee_user_id)
    return mentor.name or mentor.slack_user_id, mentee.name or mentee.slack_user_id


# -- rules ------------------------------------------------------------------------------------
def _load(db: Session, scheduled_id: uuid.UUID | str | None) -> ScheduledSession:
    return access.load_row(
        db, ScheduledSession, scheduled_id, "I can't find that session any more."
    )


def _assignment(db: Session, scheduled: ScheduledSession) -> Assignment:
    return access.load_assignment(db, scheduled.assignment_id)


def _require_pair(db: Session, actor: User, assignment: Assignment) -> None:
    access.require(db, actor, access.SCHEDULE, assignment)
    if assignment.status != "active":
        raise Conflict(
            f"This mentorship is {assignment.status}; sessions are scheduled while it is active."
        )


def _other_side(db: Session, actor_id: uuid.UUID, assignment: Assignment) -> User:
    if assignment.mentee_user_id == actor_id:
        return access.load_user(db, access.mentor_user_id(db, assignment))
    return access.load_user(db, assignment.mentee_user_id)


def _require_replaceable(scheduled: ScheduledSession, actor_id: uuid.UUID) -> None:
    """A proposal is answered with another by the person asked; a confirmed session is
    rescheduled by either side, before it starts or (it didn't happen) after."""
    if scheduled.status == "proposed":
        if scheduled.answer_by_user_id != actor_id:
            raise NotAllowed("You proposed these times; wait for the answer or cancel them.")
        return
    if scheduled.status != "confirmed":
        raise Conflict(_already(scheduled))


def _require_before_start(scheduled: ScheduledSession, now: datetime, what: str) -> None:
    if scheduled.status not in ("proposed", "confirmed"):
        raise Conflict(_already(scheduled))
    if scheduled.status == "confirmed" and scheduled.starts_at and scheduled.starts_at <= now:
        raise Conflict(f"This session has already started; it can't be {what} now.")


def _require_ended(scheduled: ScheduledSession, now: datetime) -> None:
    if scheduled.status != "confirmed" or scheduled.starts_at is None:
        raise Conflict(_already(scheduled))
    if scheduled.starts_at > now:
        raise Conflict("This session hasn't started yet; cancel or reschedule it instead.")


def _retire(
    db: Session, scheduled: ScheduledSession, *, actor_id: uuid.UUID, now: datetime
) -> None:
    """A proposal answered with another, or a session moved: it is `rescheduled`."""
    _set_status(db, scheduled, "rescheduled", actor_id=actor_id, now=now)


def _set_status(
    db: Session,
    scheduled: ScheduledSession,
    status: str,
    *,
    actor_id: uuid.UUID,
    now: datetime,
    missed_by: str | None = None,
) -> None:
    """Move `scheduled` from the status read to `status`, compare-and-set, audited."""
    was = scheduled.status
    values: dict[str, object] = {"status": status, "updated_at": now}
    if status in ("cancelled", "rescheduled"):
        values.update(cancelled_at=now, cancelled_by_user_id=actor_id)
    if status == "rescheduled" and was == "proposed":
        values["answered_at"] = now
    if missed_by:
        values["missed_by"] = missed_by
    if status == "held":
        values["session_id"] = scheduled.session_id
    won = db.execute(
        update(ScheduledSession)
        .where(ScheduledSession.id == scheduled.id, ScheduledSession.status == was)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if won != 1:
        db.rollback()
        raise Conflict(_already(_load(db, scheduled.id)))
    db.expire(scheduled)
    audit.record(
        db,
        actor_id=actor_id,
        action=f"schedule.{status}",
        entity_type="scheduled_sessions",
        entity_id=scheduled.id,
        now=now,
        assignment_id=scheduled.assignment_id,
        was=was,
        missed_by=missed_by,
    )


def _already(scheduled: ScheduledSession) -> str:
    """What became of it, for a click that came too late. No time here: the reader's
    zone is not known at this depth, and the confirmation they got shows it in theirs."""
    return {
        "confirmed": "This session is already confirmed: its time is in the confirmation.",
        "held": "This session was already logged.",
        "missed": "This session was already marked as not having happened.",
        "cancelled": "This session was cancelled.",
        "rescheduled": "These times were replaced by a new proposal.",
        "proposed": "These times are still waiting for an answer.",
    }[scheduled.status]
