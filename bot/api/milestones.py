"""Ramp milestones: a mentorship's mentee's list, adding one, and changing one at
`/api/mentee-milestones/{id}` (the mentee submits evidence, the mentor approves or asks
for changes, the LMS records a system-tracked achievement). Review outcomes reach the
other side in Slack, as the buttons do."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from bot.api.auth import Caller, CallerDep
from bot.api.common import Body, Limit, Offset, Page, page_of
from bot.api.errors import ApiError
from bot.listeners.messaging import deliver_queued, enqueue_notices
from bot.listeners.milestones import announce_review, decision_notices, review_requests
from bot.listeners.support import refresh_homes
from bot.services import milestone_records, milestone_views, milestones, records

router = APIRouter(tags=["milestones"])


class MilestoneOut(BaseModel):
    id: uuid.UUID
    assignment_id: uuid.UUID | None
    mentee_user_id: uuid.UUID | None
    milestone_name: str
    description: str | None
    target_date: date | None
    achieved_date: date | None
    verification_method: Literal["self_report", "mentor_verified", "system_tracked"] | None
    verified_by_user_id: uuid.UUID | None
    status: Literal["open", "submitted", "changes_requested", "achieved"]
    created_at: datetime


class MilestoneIn(Body):
    milestone_name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(None, max_length=2000)
    target_date: date | None = None


class MilestoneChange(Body):
    """One change at a time: `evidence` (the mentee submits), `decision` (+`feedback`,
    the mentor reviews), or `achieved_date` (a system tracked it)."""

    evidence: Annotated[str, Field(min_length=1, max_length=3000)] | None = None
    decision: Literal["approve", "request_changes"] | None = None
    feedback: str | None = Field(None, max_length=3000)
    achieved_date: date | None = None


def render(row: milestone_records.MilestoneRow) -> MilestoneOut:
    return MilestoneOut(**row.__dict__)


def _shown(caller: Caller, milestone_id: uuid.UUID) -> MilestoneOut:
    with caller.db() as db:
        found = milestone_records.visible(db, actor_id=caller.user_id, milestone_id=milestone_id)
        return render(milestone_records.row(found))


@router.get("/mentorship-assignments/{assignment_id}/milestones", response_model=Page[MilestoneOut])
def list_milestones(
    assignment_id: uuid.UUID, caller: CallerDep, limit: Limit = 50, offset: Offset = 0
) -> Page[MilestoneOut]:
    """The mentee's ramp milestones (program templates and this mentorship's own), by
    target date, for whoever may see the mentorship."""
    caller.require_scope("milestones:read")
    with caller.db() as db:
        readable = records.assignment(
            db, viewer_id=caller.user_id, assignment_id=assignment_id, now=caller.now()
        )
        listed = milestone_views.list_for(
            db,
            actor_id=caller.user_id,
            subject_user_id=readable.assignment.mentee_user_id,
            now=caller.now(),
        )
        rows = milestone_records.rows(
            db, [item.id for item in listed.items[offset : offset + limit]]
        )
    return page_of([render(r) for r in rows], len(listed.items), limit, offset)


@router.post(
    "/mentorship-assignments/{assignment_id}/milestones",
    status_code=201,
    response_model=MilestoneOut,
)
def add_milestone(assignment_id: uuid.UUID, body: MilestoneIn, caller: CallerDep) -> MilestoneOut:
    """A milestone agreed for this mentorship (its mentor, the mentee's manager, an
    admin, or a service token with `milestones:write`, e.g. the LMS)."""
    caller.require_scope("milestones:write")
    with caller.db() as db:
        records.assignment(
            db, viewer_id=caller.user_id, assignment_id=assignment_id, now=caller.now()
        )
        added = milestone_records.add(
            db,
            actor_id=caller.user_id,
            assignment_id=assignment_id,
            name=body.milestone_name,
            description=body.description,
            target_date=body.target_date,
            now=caller.now(),
        )
    return render(added)


@router.patch("/mentee-milestones/{milestone_id}", response_model=MilestoneOut)
def change_milestone(
    milestone_id: uuid.UUID, body: MilestoneChange, caller: CallerDep
) -> MilestoneOut:
    """Submit evidence (the mentee), review it (the mentor: approve, or request changes
    with feedback), or record a system-tracked achievement (an admin or a service token
    with `milestones:write`)."""
    given = [f for f in ("evidence", "decision", "achieved_date") if f in body.model_fields_set]
    if len(given) != 1:
        raise ApiError(
            422,
            "Send exactly one of evidence, decision or achieved_date.",
            {"body": "one of evidence, decision, achieved_date"},
        )
    with caller.db() as db:
        milestone_records.visible(db, actor_id=caller.user_id, milestone_id=milestone_id)
    now = caller.now()
    if given == ["achieved_date"]:
        caller.require_scope("milestones:write")
        assert body.achieved_date is not None
        with caller.db() as db:
            milestone_records.record_achieved(
                db,
                actor_id=caller.user_id,
                milestone_id=milestone_id,
                achieved_date=body.achieved_date,
                now=now,
            )
    elif given == ["evidence"]:
        person = caller.person("submit a milestone")
        with caller.db() as db:
            submitted = milestones.submit(
                db, actor_id=person, milestone_id=milestone_id, evidence=body.evidence, now=now
            )
            queued = enqueue_notices(db, review_requests(submitted), now=now)
        deliver_queued(caller.slack, caller.runtime, queued)
        refresh_homes(caller.slack, caller.runtime, [person, submitted.reviewer_user_id])
    else:
        person = caller.person("review a milestone")
        with caller.db() as db:
            reviewed = milestones.review(
                db,
                actor_id=person,
                submission_id=milestone_records.waiting_submission(db, milestone_id),
                decision=str(body.decision),
                feedback=body.feedback,
                now=now,
            )
            queued = enqueue_notices(db, decision_notices(reviewed), now=now)
        deliver_queued(caller.slack, caller.runtime, queued)
        announce_review(caller.slack, caller.runtime, person, reviewed)
    return _shown(caller, milestone_id)
