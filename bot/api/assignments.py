"""Mentorships: `/api/mentorship-assignments` (create, list, get, update, accept,
complete). A change starts the same Slack conversation as in Slack: a request DMs the
mentor Accept / Decline, an accept introduces the mentee, a completion asks the other
side for feedback."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from bot.api.auth import Caller, CallerDep
from bot.api.common import Body, Limit, Offset, Page, fields_named, page_of
from bot.listeners.assignments import (
    announce_request,
    queue_accepted,
    queue_next_suggestion,
    queue_request,
)
from bot.listeners.completion import (
    announce_cancelled,
    announce_completed,
    cancelled_notices,
    completed_notices,
)
from bot.listeners.messaging import deliver_queued, enqueue_notices
from bot.listeners.term import announce_changed, changed_notices
from bot.services import answers, assignments, completion, records, term
from bot.services.assignments import AlreadyAnswered
from bot.services.errors import InvalidInput
from models import ASSIGNMENT_STATUSES, CADENCES

router = APIRouter(tags=["assignments"])

Cadence = Literal["weekly", "biweekly", "monthly"]
Status = Literal["pending", "active", "completed", "cancelled", "declined"]
assert set(CADENCES) == {"weekly", "biweekly", "monthly"}
assert set(ASSIGNMENT_STATUSES) == {"pending", "active", "completed", "cancelled", "declined"}

_TERM_FIELDS = {"expected_end": "expected_end_date", "cadence": "check_in_cadence"}
_REQUEST_FIELDS = {
    "expected_end": "expected_end_date",
    "cadence": "check_in_cadence",
    "confirm": "expectations_confirmed",
    "users": "mentee_user_id",
}


class GoalIn(Body):
    goal: str = Field(min_length=1, max_length=300, pattern=r"^[^\r\n]*\S[^\r\n]*$")
    target_date: date | None = None


class Goal(BaseModel):
    goal: str
    target_date: date | None = None
    achieved: bool = False


class AssignmentCreate(Body):
    mentor_id: uuid.UUID = Field(description="The mentor's id (from GET /api/mentors/matches)")
    mentee_user_id: uuid.UUID = Field(description="The new hire's user id")
    start_date: date
    expected_end_date: date
    check_in_cadence: Cadence = "weekly"
    goals: list[GoalIn] = Field(default_factory=list, max_length=10)
    expectations_confirmed: bool = Field(
        description="The program's expectations (FR-2.5) were agreed: must be true"
    )


class AssignmentUpdate(Body):
    """Either new terms (any of cadence, goals, expected end; the rest stay) or a status."""

    check_in_cadence: Cadence | None = None
    goals: list[GoalIn] | None = Field(
        None, max_length=10, description="The whole new list; a kept goal keeps `achieved`"
    )
    expected_end_date: date | None = None
    status: Literal["cancelled", "declined"] | None = Field(
        None,
        description="cancelled: end it early (mentor, mentee, their manager, an admin); "
        "declined: the mentor says no to a pending request",
    )
    cancel_reason: str | None = Field(None, max_length=1000)
    decline_reason: Literal["no_capacity", "skills_mismatch", "other"] | None = None
    decline_details: str | None = Field(None, max_length=1000)

    def changes_terms(self) -> bool:
        return any(
            value is not None
            for value in (self.check_in_cadence, self.goals, self.expected_end_date)
        )


class Completion(Body):
    feedback: str = Field(min_length=1, max_length=3000)
    rating: int = Field(ge=1, le=5, description="Your 1-5 rating of the mentorship")


class AssignmentOut(BaseModel):
    id: uuid.UUID
    mentor_id: uuid.UUID
    mentor_user_id: uuid.UUID
    mentee_user_id: uuid.UUID
    assigned_by_user_id: uuid.UUID | None
    start_date: date
    expected_end_date: date | None
    actual_end_date: date | None
    check_in_cadence: Cadence
    goals: list[Goal]
    milestones: list[Any]
    status: Status
    mentor_accepted_at: datetime | None
    sessions_logged: int
    last_session_at: datetime | None
    mentee_rating: int | None
    mentor_rating: int | None
    completion_notes: str | None = Field(description="Only for the mentor and the mentee")
    mentor_feedback: str | None = Field(description="Only for the mentor and the mentee")
    mentee_feedback: str | None = Field(description="Only for the mentor and the mentee")
    created_at: datetime
    updated_at: datetime


def render(readable: records.Readable) -> AssignmentOut:
    a = readable.assignment
    return AssignmentOut(
        id=a.id,
        mentor_id=a.mentor_id,
        mentor_user_id=readable.mentor_user_id,
        mentee_user_id=a.mentee_user_id,
        assigned_by_user_id=a.assigned_by_user_id,
        start_date=a.start_date,
        expected_end_date=a.expected_end_date,
        actual_end_date=a.actual_end_date,
        check_in_cadence=a.check_in_cadence,  # type: ignore[arg-type]
        goals=[Goal(**g) for g in a.goals or []],
        milestones=list(a.milestones or []),
        status=a.status,  # type: ignore[arg-type]
        mentor_accepted_at=a.mentor_accepted_at,
        sessions_logged=a.sessions_logged,
        last_session_at=a.last_session_at,
        mentee_rating=a.mentee_rating,
        mentor_rating=a.mentor_rating,
        completion_notes=readable.feedback.get("completion_notes"),
        mentor_feedback=readable.feedback.get("mentor_feedback"),
        mentee_feedback=readable.feedback.get("mentee_feedback"),
        created_at=a.created_at,
        updated_at=a.updated_at,
    )


def _shown(caller: Caller, assignment_id: uuid.UUID) -> AssignmentOut:
    """The mentorship as the caller may see it now; private text read is audited."""
    with caller.db() as db:
        readable = records.assignment(
            db, viewer_id=caller.user_id, assignment_id=assignment_id, now=caller.now()
        )
        if readable.private and _has_private_text(readable):
            records.private_read(
                db,
                viewer_id=caller.user_id,
                entity_type="assignment",
                ids=[assignment_id],
                now=caller.now(),
            )
        return render(readable)


def _has_private_text(readable: records.Readable) -> bool:
    return bool(readable.feedback)


@router.post("/mentorship-assignments", status_code=201, response_model=AssignmentOut)
def create_assignment(body: AssignmentCreate, caller: CallerDep) -> AssignmentOut:
    """Ask a mentor to mentor a new hire (FR-2.2): a pending request the mentor answers
    with Accept / Decline in Slack. The asker must be the hire's manager (or above) or
    an admin, or a service token with `assignments:write`. 409 when the mentor is full,
    paused or already asked."""
    caller.require_scope("assignments:write")
    goals = _goals_text(body.goals)
    with caller.db() as db, fields_named(_REQUEST_FIELDS):
        requested = assignments.request(
            db,
            actor_id=caller.user_id,
            mentor_id=body.mentor_id,
            mentee_id=body.mentee_user_id,
            now=caller.now(),
            start_date=body.start_date.isoformat(),
            expected_end=body.expected_end_date.isoformat(),
            cadence=body.check_in_cadence,
            goals=goals,
            confirmed=body.expectations_confirmed,
        )
        queued = queue_request(db, requested, now=caller.now())
    announce_request(caller.slack, caller.runtime, requested, queued)
    return _shown(caller, requested.assignment.id)


@router.get("/mentorship-assignments", response_model=Page[AssignmentOut])
def list_assignments(
    caller: CallerDep,
    limit: Limit = 50,
    offset: Offset = 0,
    status: Annotated[Status | None, Query()] = None,
    mentor_id: uuid.UUID | None = None,
    mentee_user_id: uuid.UUID | None = None,
) -> Page[AssignmentOut]:
    """The mentorships you may see: your own, your reports' (status only), everyone's
    for an admin or a service token with `assignments:read`. Newest first."""
    caller.require_scope("assignments:read")
    with caller.db() as db:
        found = records.assignments_page(
            db,
            viewer_id=caller.user_id,
            status=status,
            mentor_id=mentor_id,
            mentee_user_id=mentee_user_id,
            limit=limit,
            offset=offset,
        )
        shown: list[records.Readable] = found.rows
        private = [r.assignment.id for r in shown if r.private and _has_private_text(r)]
        records.private_read(
            db, viewer_id=caller.user_id, entity_type="assignment", ids=private, now=caller.now()
        )
        return page_of([render(r) for r in shown], found.total, limit, offset)


@router.get("/mentorship-assignments/{assignment_id}", response_model=AssignmentOut)
def get_assignment(assignment_id: uuid.UUID, caller: CallerDep) -> AssignmentOut:
    """One mentorship; feedback text only for its mentor and mentee. 404 for one you
    may not see."""
    caller.require_scope("assignments:read")
    return _shown(caller, assignment_id)


@router.patch("/mentorship-assignments/{assignment_id}", response_model=AssignmentOut)
def update_assignment(
    assignment_id: uuid.UUID, body: AssignmentUpdate, caller: CallerDep
) -> AssignmentOut:
    """Change a pending or active mentorship's terms as `/mentor edit` does (the mentor,
    the mentee or the mentee's manager: cadence, goals, expected end; what is left out
    stays), or cancel it with a reason, or (the mentor) decline a pending request.
    Everyone concerned hears of it in Slack, as when it is done there."""
    if body.status is None and not body.changes_terms():
        raise InvalidInput(
            {
                "status": "Nothing to change: send new terms (check_in_cadence, goals, "
                "expected_end_date) or a status."
            }
        )
    if body.status is not None and body.changes_terms():
        raise InvalidInput(
            {"status": "Send either new terms or a status (cancelled, declined), not both."}
        )
    with caller.db() as db:
        records.assignment(
            db, viewer_id=caller.user_id, assignment_id=assignment_id, now=caller.now()
        )
    if body.status is None:
        _change_terms(caller, assignment_id, body)
        return _shown(caller, assignment_id)
    person = caller.person("cancel or decline a mentorship")
    if body.status == "cancelled":
        with caller.db() as db, fields_named({"reason": "cancel_reason"}):
            cancelled = completion.cancel(
                db,
                actor_id=person,
                assignment_id=assignment_id,
                reason=body.cancel_reason,
                now=caller.now(),
            )
            queued = enqueue_notices(db, cancelled_notices(cancelled), now=caller.now())
        deliver_queued(caller.slack, caller.runtime, queued)
        announce_cancelled(caller.slack, caller.runtime, person, cancelled)
    else:
        with (
            caller.db() as db,
            fields_named({"reason": "decline_reason", "details": "decline_details"}),
        ):
            answers.decline(
                db,
                assignment_id=assignment_id,
                actor_id=person,
                reason=body.decline_reason,
                details=body.decline_details,
                now=caller.now(),
            )
            queued = queue_next_suggestion(db, caller.runtime, assignment_id, now=caller.now())
        deliver_queued(caller.slack, caller.runtime, queued)
    return _shown(caller, assignment_id)


def _change_terms(caller: Caller, assignment_id: uuid.UUID, body: AssignmentUpdate) -> None:
    """`/mentor edit`'s service and announcement; a term left out keeps its value."""
    person = caller.person("change a mentorship")
    with caller.db() as db, fields_named(_TERM_FIELDS):
        now = caller.now()
        form = term.change_form(db, actor_id=person, assignment_id=assignment_id)
        end = body.expected_end_date or form.expected_end_date
        changed = term.change(
            db,
            actor_id=person,
            assignment_id=assignment_id,
            now=now,
            expected_end=end.isoformat() if end else None,
            cadence=body.check_in_cadence or form.cadence,
            goals=form.goals_text if body.goals is None else _goals_text(body.goals),
        )
        queued = enqueue_notices(db, changed_notices(changed), now=now)
    deliver_queued(caller.slack, caller.runtime, queued)
    announce_changed(caller.slack, caller.runtime, person, changed)


def _goals_text(goals: list[GoalIn]) -> str:
    """Goals as the services read them: one a line, as typed in Slack."""
    return term.goals_text([g.model_dump(mode="json") for g in goals])


@router.post("/mentorship-assignments/{assignment_id}/accept", response_model=AssignmentOut)
def accept_assignment(assignment_id: uuid.UUID, caller: CallerDep) -> AssignmentOut:
    """The mentor accepts (FR-2.3): active, a slot taken. Accepting again answers 200
    with the mentorship as it is; 409 when it was declined, withdrawn or you are full."""
    with caller.db() as db:
        records.assignment(
            db, viewer_id=caller.user_id, assignment_id=assignment_id, now=caller.now()
        )
    person = caller.person("accept a request")
    try:
        with caller.db() as db:
            accepted = answers.accept(
                db, assignment_id=assignment_id, actor_id=person, now=caller.now()
            )
            queued = queue_accepted(db, accepted, now=caller.now())
    except AlreadyAnswered as exc:
        if exc.assignment.status != "active":
            raise
        return _shown(caller, assignment_id)
    deliver_queued(caller.slack, caller.runtime, queued)
    return _shown(caller, assignment_id)


@router.post("/mentorship-assignments/{assignment_id}/complete", response_model=AssignmentOut)
def complete_assignment(
    assignment_id: uuid.UUID, body: Completion, caller: CallerDep
) -> AssignmentOut:
    """Your feedback and 1-5 rating (mentor or mentee). The first side's ends the
    mentorship and asks the other side for theirs in Slack; each side gives it once."""
    with caller.db() as db:
        records.assignment(
            db, viewer_id=caller.user_id, assignment_id=assignment_id, now=caller.now()
        )
    person = caller.person("complete a mentorship")
    with caller.db() as db:
        done = completion.complete(
            db,
            actor_id=person,
            assignment_id=assignment_id,
            feedback=body.feedback,
            rating=body.rating,
            now=caller.now(),
        )
        queued = enqueue_notices(db, completed_notices(done), now=caller.now())
    deliver_queued(caller.slack, caller.runtime, queued)
    announce_completed(caller.slack, caller.runtime, person, done)
    return _shown(caller, assignment_id)
