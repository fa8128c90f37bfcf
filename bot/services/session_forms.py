"""What does the session log modal offer? The mentorships to choose from, the topics
(this week's curriculum first), the open action items carried over, and a logged
session's values when it is edited."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.services import access, action_items, curriculum, inputs, program
from bot.services.errors import Conflict, NotAllowed, NotFound
from bot.services.mentorships import Mentorship, mentorships_of
from bot.services.sessions import load_session

MAX_CARRIED = 10  # a checkboxes element holds ten options


@dataclass(frozen=True)
class LogForm:
    """What the log modal offers: the mentorships to choose from, defaults, the
    open action items carried over, and the values of a session being edited."""

    mentorships: list[Mentorship]
    group: bool
    topics: list[str]
    day: date
    time: str
    carried: list[action_items.OpenItem]
    #: Open items past the MAX_CARRIED the form lists; they stay open.
    carried_more: int = 0
    editing_session_id: uuid.UUID | None = None
    values: dict[str, object] = field(default_factory=dict)
    note: str | None = None


def prepare_form(
    db: Session,
    *,
    actor_id: uuid.UUID,
    assignment_id: str | None,
    group: bool,
    now: datetime,
    timezone: str | None,
) -> LogForm:
    """The log modal for a new session. NotFound/NotAllowed when there is nothing
    this person can log."""
    tz = inputs.zone(db, timezone)
    choices = mentorships_of(db, actor_id)
    if assignment_id:
        assignment = access.load_assignment(db, assignment_id)
        access.require(db, access.load_user(db, actor_id), access.LOG_SESSION, assignment)
        if assignment.status != "active":
            raise Conflict(
                f"This mentorship is {assignment.status}; sessions can only be logged "
                "while it is active."
            )
        choices = [c for c in choices if c.assignment_id == assignment.id]
    if group:
        choices = [c for c in choices if c.side == "mentor"]
        if not choices:
            raise NotAllowed(
                "Group sessions are logged by a mentor with their mentees, and you "
                "have no active mentees."
            )
    if not choices:
        raise NotFound(
            "You have no active mentorship to log a session for. Once a mentor accepts "
            "a mentorship, either of you can log sessions here."
        )
    open_items = [
        item for choice in choices for item in _open_items_of(db, choice.assignment_id, actor_id)
    ]
    carried = open_items[:MAX_CARRIED]
    local = now.astimezone(tz)
    # One mentorship: its week of the curriculum is offered first, and pre-selected.
    suggested = (
        curriculum.topics_for(
            db, access.load_assignment(db, choices[0].assignment_id), local.date()
        )
        if len(choices) == 1 and not group
        else []
    )
    return LogForm(
        mentorships=choices,
        group=group,
        topics=curriculum.log_topics(program.load(db).skills, suggested),
        day=local.date(),
        time=local.replace(minute=0).strftime("%H:%M"),
        carried=[] if group else carried,
        carried_more=0 if group else len(open_items) - len(carried),
        values={"topics": [t.title for t in suggested]} if suggested else {},
    )


def prepare_edit(
    db: Session, *, actor_id: uuid.UUID, session_id: uuid.UUID, timezone: str | None, note: str
) -> LogForm:
    """The log modal filled with a logged session, to edit it."""
    session = load_session(db, session_id)
    assert session.assignment_id is not None
    assignment = access.load_assignment(db, session.assignment_id)
    access.require(db, access.load_user(db, actor_id), access.LOG_SESSION, assignment)
    tz = inputs.zone(db, timezone)
    local = session.session_date.astimezone(tz)
    choices = [
        m
        for m in mentorships_of(db, actor_id, statuses=("active", "completed"))
        if m.assignment_id == assignment.id
    ]
    return LogForm(
        mentorships=choices,
        group=False,
        topics=program.load(db).skills,
        day=local.date(),
        time=local.strftime("%H:%M"),
        carried=[],
        editing_session_id=session.id,
        note=note,
        values={
            "duration": session.duration_minutes,
            "topics": list(session.topics_covered or []),
            "summary": session.summary or "",
            "action_items": action_items.as_text(session.action_items or []),
            "resources": "\n".join(
                f"{r.get('title')} {r.get('url')}" for r in session.resources_shared or []
            ),
            "confidence_before": session.mentee_confidence_before,
            "confidence_after": session.mentee_confidence_after,
            "quality": session.session_quality,
        },
    )


def _open_items_of(
    db: Session, assignment_id: uuid.UUID, actor_id: uuid.UUID
) -> list[action_items.OpenItem]:
    """Both sides' open items of one mentorship (the log modal shows them all)."""
    assignment = access.load_assignment(db, assignment_id)
    mentee_items = action_items.open_for(db, assignment.mentee_user_id, assignment_id=assignment_id)
    mentor_items = action_items.open_for(
        db, access.mentor_user_id(db, assignment), assignment_id=assignment_id
    )
    return sorted(mentee_items + mentor_items, key=lambda i: i.session_date)
