"""Sessions: log and list a mentorship's sessions, and change one (FR-3.2 to 3.5).
Logging tells the other side in Slack, as the log modal does. Summaries, topics,
action items and resources are for the mentor and mentee only; handing them out is
audited."""

from __future__ import annotations

import uuid
from datetime import date, datetime, tzinfo
from typing import Annotated, Literal

from fastapi import APIRouter
from pydantic import AwareDatetime, BaseModel, Field

from bot.api.auth import Caller, CallerDep
from bot.api.common import Body, Limit, Offset, Page, page_of
from bot.listeners.sessions import announce_logged, queue_logged_notices
from bot.services import access, inputs, program, records, sessions
from models import MentorshipSession

router = APIRouter(tags=["sessions"])

Line = Annotated[str, Field(min_length=1, max_length=300, pattern=r"^[^\r\n]*\S[^\r\n]*$")]
Topic = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[^,;\r\n]*\S[^,;\r\n]*$")]
Rating = Annotated[int, Field(ge=1, le=5)]


class ActionItemIn(Body):
    item: Line
    owner: Literal["mentor", "mentee"] = "mentee"
    due: date | None = None


class ResourceIn(Body):
    title: Line
    url: Annotated[str, Field(min_length=8, max_length=2000, pattern=r"^https?://\S+$")]


class SessionIn(Body):
    session_date: AwareDatetime = Field(description="When it took place, with an offset")
    duration_minutes: int = Field(ge=1, le=sessions.MAX_DURATION_MINUTES)
    topics_covered: list[Topic] = Field(min_length=1, max_length=20)
    summary: str = Field(min_length=1, max_length=3000)
    action_items: list[ActionItemIn] = Field(default_factory=list, max_length=30)
    resources_shared: list[ResourceIn] = Field(default_factory=list, max_length=30)
    mentee_confidence_before: Rating | None = None
    mentee_confidence_after: Rating | None = None
    session_quality: Rating | None = None


class SessionPatch(Body):
    session_date: AwareDatetime | None = None
    duration_minutes: int | None = Field(None, ge=1, le=sessions.MAX_DURATION_MINUTES)
    topics_covered: list[Topic] | None = Field(None, min_length=1, max_length=20)
    summary: str | None = Field(None, min_length=1, max_length=3000)
    action_items: list[ActionItemIn] | None = Field(None, max_length=30)
    resources_shared: list[ResourceIn] | None = Field(None, max_length=30)
    mentee_confidence_before: Rating | None = None
    mentee_confidence_after: Rating | None = None
    session_quality: Rating | None = None


class ActionItemOut(BaseModel):
    id: str | None = None
    item: str
    owner: str
    due: date | None = None
    done: bool = False


class ResourceOut(BaseModel):
    title: str
    url: str


class SessionOut(BaseModel):
    id: uuid.UUID
    assignment_id: uuid.UUID
    session_date: datetime
    duration_minutes: int | None
    logged_by: str | None
    attended: bool
    mentee_confidence_before: int | None
    mentee_confidence_after: int | None
    session_quality: int | None
    topics_covered: list[str] | None = Field(description="Only for the mentor and the mentee")
    summary: str | None = Field(description="Only for the mentor and the mentee")
    action_items: list[ActionItemOut] | None = Field(description="Only for the participants")
    resources_shared: list[ResourceOut] | None = Field(description="Only for the participants")
    created_at: datetime


def render(session: MentorshipSession, private: bool) -> SessionOut:
    assert session.assignment_id is not None
    return SessionOut(
        id=session.id,
        assignment_id=session.assignment_id,
        session_date=session.session_date,
        duration_minutes=session.duration_minutes,
        logged_by=session.logged_by,
        attended=session.attended,
        mentee_confidence_before=session.mentee_confidence_before,
        mentee_confidence_after=session.mentee_confidence_after,
        session_quality=session.session_quality,
        topics_covered=list(session.topics_covered or []) if private else None,
        summary=session.summary if private else None,
        action_items=[ActionItemOut(**i) for i in session.action_items or []] if private else None,
        resources_shared=[ResourceOut(**r) for r in session.resources_shared or []]
        if private
        else None,
        created_at=session.created_at,
    )


def _typed(body: SessionIn, skills: list[str], tz: tzinfo) -> sessions.SessionInput:
    """The body as the log modal's typed values, so one set of rules checks both: the
    day and time on the calendar of the person logging it (`tz`), as they would type
    them, so one session a day is their day, not UTC's."""
    when = body.session_date.astimezone(tz)
    known = [t for t in body.topics_covered if t in skills]
    other = [t for t in body.topics_covered if t not in skills]
    return sessions.SessionInput(
        day=when.date().isoformat(),
        time=when.strftime("%H:%M"),
        duration=body.duration_minutes,
        topics=known,
        other_topics=", ".join(other),
        summary=body.summary,
        action_items="\n".join(
            f"{i.owner}: {i.item}" + (f" by {i.due.isoformat()}" if i.due else "")
            for i in body.action_items
        ),
        resources="\n".join(f"{r.title} {r.url}" for r in body.resources_shared),
        confidence_before=body.mentee_confidence_before,
        confidence_after=body.mentee_confidence_after,
        quality=body.session_quality,
    )


def _save(
    caller: Caller,
    body: SessionIn,
    *,
    assignment_id: uuid.UUID | None,
    session_id: uuid.UUID | None,
) -> uuid.UUID:
    person = caller.person("log a session")
    with caller.db() as db:
        me = access.load_user(db, person)
        logged = sessions.log(
            db,
            actor_id=person,
            values=_typed(body, program.load(db).skills, inputs.zone(db, me.timezone)),
            now=caller.now(),
            timezone=me.timezone,
            assignment_id=str(assignment_id) if assignment_id else None,
            session_id=session_id,
        )
        queued = queue_logged_notices(db, me.slack_user_id, logged, now=caller.now())
    announce_logged(caller.slack, caller.runtime, person, logged, queued)
    return logged.session_ids[0]


def _shown(caller: Caller, session_id: uuid.UUID) -> SessionOut:
    with caller.db() as db:
        readable, found = records.session(
            db, viewer_id=caller.user_id, session_id=session_id, now=caller.now()
        )
        if readable.private:
            records.private_read(
                db,
                viewer_id=caller.user_id,
                entity_type="mentorship_session",
                ids=[session_id],
                now=caller.now(),
            )
        return render(found, readable.private)


@router.post(
    "/mentorship-assignments/{assignment_id}/sessions", status_code=201, response_model=SessionOut
)
def log_session(assignment_id: uuid.UUID, body: SessionIn, caller: CallerDep) -> SessionOut:
    """Log a session of your mentorship (mentor or mentee); the other side is told in
    Slack with their action items. 409 when that day already has a session."""
    with caller.db() as db:
        records.assignment(
            db, viewer_id=caller.user_id, assignment_id=assignment_id, now=caller.now()
        )
    return _shown(caller, _save(caller, body, assignment_id=assignment_id, session_id=None))


@router.get("/mentorship-assignments/{assignment_id}/sessions", response_model=Page[SessionOut])
def list_sessions(
    assignment_id: uuid.UUID, caller: CallerDep, limit: Limit = 50, offset: Offset = 0
) -> Page[SessionOut]:
    """A mentorship's sessions, newest first; the private parts only for its mentor and
    mentee (their manager sees dates, durations and ratings)."""
    caller.require_scope("assignments:read")
    with caller.db() as db:
        readable, found = records.sessions_page(
            db,
            viewer_id=caller.user_id,
            assignment_id=assignment_id,
            limit=limit,
            offset=offset,
            now=caller.now(),
        )
        if readable.private:
            records.private_read(
                db,
                viewer_id=caller.user_id,
                entity_type="mentorship_session",
                ids=[s.id for s in found.rows],
                now=caller.now(),
            )
        items = [render(s, readable.private) for s in found.rows]
    return page_of(items, found.total, limit, offset)


@router.patch("/mentorship-sessions/{session_id}", response_model=SessionOut)
def update_session(session_id: uuid.UUID, body: SessionPatch, caller: CallerDep) -> SessionOut:
    """Correct a logged session (its mentor or mentee): fields left out keep their value."""
    person = caller.person("change a session")
    with caller.db() as db:
        readable, found = records.session(
            db, viewer_id=caller.user_id, session_id=session_id, now=caller.now()
        )
        if not readable.private:
            access.require(
                db, access.load_user(db, person), access.LOG_SESSION, readable.assignment
            )
        current = SessionIn(
            session_date=found.session_date,
            duration_minutes=found.duration_minutes or 1,
            topics_covered=list(found.topics_covered or []) or ["General"],
            summary=found.summary or "-",
            action_items=[
                ActionItemIn(item=str(i["item"]), owner=i["owner"], due=i.get("due"))
                for i in found.action_items or []
            ],
            resources_shared=[ResourceIn(**r) for r in found.resources_shared or []],
            mentee_confidence_before=found.mentee_confidence_before,
            mentee_confidence_after=found.mentee_confidence_after,
            session_quality=found.session_quality,
        )
    merged = current.model_copy(update=body.model_dump(exclude_unset=True))
    merged = SessionIn.model_validate(merged.model_dump())
    _save(caller, merged, assignment_id=None, session_id=session_id)
    return _shown(caller, session_id)
