"""Logging a session (FR-3.2 to FR-3.5, NFR-2): one modal, either side, 1:1 or group.

A session is one `mentorship_sessions` row per mentorship; a group session is one
row per invited mentorship sharing a `group_session_id`, with `attended` per mentee.
The same mentorship is not logged twice on one day: the second person is offered the
session already there to edit instead (one_a_day.AlreadyLogged). What the modal offers
is in `session_forms`; which mentorships a person is in, in `mentorships`."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from sqlalchemy.orm import Session

from bot.services import access, action_items, audit, inputs, one_a_day, program, tallies
from bot.services.errors import Conflict, InvalidInput, NotAllowed, NotFound
from bot.services.mentorships import mentorships_of
from models import Assignment, MentorshipSession, User

MAX_DURATION_MINUTES = 600


@dataclass
class SessionInput:
    """The session log modal's values as typed (strings, lists or None)."""

    assignment: str | None = None
    day: str | None = None
    time: str | None = None
    duration: object = None
    topics: list[str] = field(default_factory=list)
    other_topics: str | None = None
    summary: str | None = None
    action_items: str | None = None
    resources: str | None = None
    confidence_before: object = None
    confidence_after: object = None
    quality: object = None
    done_items: list[str] = field(default_factory=list)
    invited: list[str] = field(default_factory=list)
    attended: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Recipient:
    """A participant told that a session was logged."""

    user_id: uuid.UUID
    slack_user_id: str
    side: str
    assignment_id: uuid.UUID
    attended: bool
    their_items: list[str]


@dataclass(frozen=True)
class Logged:
    session_ids: list[uuid.UUID]
    day: date
    edited: bool
    group: bool
    logger_name: str
    logger_side: str
    topics: list[str]
    duration_minutes: int
    summary: str
    recipients: list[Recipient]
    #: The mentee's mentorship to offer the skill self-assessment for (1:1 only).
    mentee_assignment_id: uuid.UUID | None
    mentee_slack_id: str | None
    marked_done: int


def log(
    db: Session,
    *,
    actor_id: uuid.UUID,
    values: SessionInput,
    now: datetime,
    timezone: str | None,
    assignment_id: str | None = None,
    session_id: uuid.UUID | None = None,
    group: bool = False,
) -> Logged:
    """Save a session from the log modal (or save changes to `session_id`).

    Every bad field is reported at once (InvalidInput keyed by field name) and
    nothing is written. AlreadyLogged when this mentorship has a session that day."""
    actor = access.load_user(db, actor_id)
    tz = inputs.zone(db, timezone)
    config = program.load(db)
    errors: dict[str, str] = {}

    editing = load_session(db, session_id) if session_id else None
    invited: list[Assignment] = []
    attended_ids: set[uuid.UUID] = set()
    if editing is not None:
        assert editing.assignment_id is not None
        invited = [access.load_assignment(db, editing.assignment_id)]
        attended_ids = {invited[0].id}
    elif group:
        invited, attended_ids = _group_members(db, actor, values, errors)
    else:
        chosen = values.assignment or assignment_id
        if not chosen:
            errors["assignment"] = "Choose the mentorship this session belongs to."
        else:
            invited = [access.load_assignment(db, chosen)]
            attended_ids = {invited[0].id}
    for assignment in invited:
        access.require(db, actor, access.LOG_SESSION, assignment)
        if editing is None and assignment.status != "active":
            raise Conflict(
                f"This mentorship is {assignment.status}; sessions can only be logged "
                "while it is active."
            )

    day = inputs.parse_day(values.day, "day", errors, what="the day of the session")
    at = inputs.parse_time(values.time, "time", errors)
    duration = inputs.whole_number(
        values.duration,
        "duration",
        errors,
        what="the duration in minutes",
        low=1,
        high=MAX_DURATION_MINUTES,
    )
    topics = _topics(values, config.skills, errors)
    summary = inputs.required_text(
        values.summary, "summary", errors, what="a short summary of what you covered"
    )
    try:
        parsed_items = action_items.parse(values.action_items)
    except InvalidInput as exc:
        errors.update(exc.errors)
        parsed_items = []
    resources = _resources(values.resources, errors)
    before = inputs.rating(
        values.confidence_before, "confidence_before", errors, what="confidence before"
    )
    after = inputs.rating(
        values.confidence_after, "confidence_after", errors, what="confidence after"
    )
    quality = inputs.rating(values.quality, "quality", errors, what="session quality")

    session_date: datetime | None = None
    if day is not None:
        session_date = datetime.combine(day, at or time(12, 0), tz).astimezone(UTC)
        today = inputs.local_day(now, tz)
        if day > today:
            errors["day"] = (
                f"{day.isoformat()} is in the future; log a session once it has happened."
            )
        elif at is not None and session_date > now:
            errors["time"] = "That time is still to come today; log the session once it's over."
        elif at is None and day == today:
            session_date = min(session_date, now)
        started = min((a.start_date for a in invited), default=None)
        if started is not None and day < started and "day" not in errors:
            errors["day"] = (
                f"The mentorship started on {started.isoformat()}; pick a day since then."
            )
    if errors:
        raise InvalidInput(errors)
    assert session_date is not None and day is not None and duration is not None

    if editing is None and not group:
        one_a_day.refuse_second_log(db, invited[0], day, tz)

    logger_side = access.side(db, actor_id, invited[0]) or "mentor"
    group_id = uuid.uuid4() if group else None
    saved: list[MentorshipSession] = []
    with one_a_day.saving_one_a_day(db, invited[0], day):
        for index, assignment in enumerate(invited):
            present = assignment.id in attended_ids
            own_items = [
                i
                for i in parsed_items
                # In a group, mentee items go to every mentee present; the mentor's once.
                if not group
                or (i["owner"] == "mentee" and present)
                or (i["owner"] == "mentor" and index == 0)
            ]
            session = editing or MentorshipSession(assignment_id=assignment.id)
            session.session_date = session_date
            # Group seats are outside the one-a-day rule (a pair may also meet 1:1).
            session.session_day = None if group or session.group_session_id else day
            session.duration_minutes = duration
            session.topics_covered = topics
            session.summary = summary
            session.action_items = action_items.merge(
                list(editing.action_items or []) if editing else [], own_items
            )
            session.resources_shared = resources
            session.mentee_confidence_before = before
            session.mentee_confidence_after = after
            session.session_quality = quality
            if editing is None:
                session.logged_by = logger_side
                session.logged_by_user_id = actor_id
                session.group_session_id = group_id
                session.attended = present
                db.add(session)
            saved.append(session)
    tallies.refresh_tallies(db, {session.assignment_id for session in saved})
    marked = _mark_carried(db, actor_id, values.done_items, now)
    for session in saved:
        audit.record(
            db,
            actor_id=actor_id,
            action="session.edited" if editing else "session.logged",
            entity_type="mentorship_session",
            entity_id=session.id,
            now=now,
            assignment_id=session.assignment_id,
            group_session_id=session.group_session_id,
            attended=session.attended,
            action_items=len(session.action_items or []),
            topics=len(topics),
        )
    return _logged(db, actor, saved, day, editing is not None, group, marked)


def _group_members(
    db: Session, actor: User, values: SessionInput, errors: dict[str, str]
) -> tuple[list[Assignment], set[uuid.UUID]]:
    mine = {m.assignment_id for m in mentorships_of(db, actor.id) if m.side == "mentor"}
    invited_ids = [_uuid(v) for v in values.invited]
    attended = {_uuid(v) for v in values.attended}
    if not invited_ids:
        errors["invited"] = "Tick the mentees you invited to this session."
        return [], set()
    if any(i not in mine for i in invited_ids):
        raise NotAllowed("You can only log group sessions with your own active mentees.")
    if not attended <= set(invited_ids):
        errors["attended"] = "Only mentees who were invited can be marked as attending."
    if not attended:
        errors["attended"] = "Tick who attended (at least one mentee)."
    return [access.load_assignment(db, i) for i in invited_ids if i], attended


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except (ValueError, TypeError):
        return None


def _topics(values: SessionInput, known: list[str], errors: dict[str, str]) -> list[str]:
    chosen = [t for t in values.topics if t in known]
    extra = [t.strip() for t in re.split(r"[,;\n]", values.other_topics or "") if t.strip()]
    if any(len(t) > 100 for t in extra):
        errors["other_topics"] = "Keep each topic under 100 characters, separated by commas."
    topics = list(dict.fromkeys(chosen + extra))
    if not topics:
        errors["topics"] = "Pick at least one topic (or type one in Other topics)."
    return topics


_LINK = re.compile(r"(\S*://\S*|www\.\S+)")


def _resources(text: str | None, errors: dict[str, str]) -> list[dict[str, str]]:
    """ "Title https://..." one per line -> [{title, url}]; bad lines are named."""
    found = []
    problems = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        match = _LINK.search(line)
        url = match.group(1).strip("<>()") if match else ""
        if not match or not inputs.is_web_link(url):
            problems.append(
                f"Line {number}: add a full link starting with https:// "
                "(e.g. 'Renewal playbook https://wiki.example.com/renewals')."
            )
            continue
        title = (line[: match.start()] + line[match.end() :]).strip(" -:|\u2013")
        found.append({"title": title or url, "url": url})
    if problems:
        errors["resources"] = " ".join(problems)
    return found


def _mark_carried(db: Session, actor_id: uuid.UUID, keys: list[str], now: datetime) -> int:
    marked = 0
    for key in keys:
        _, changed = action_items.mark_done(db, actor_id=actor_id, key=key, now=now, any_side=True)
        marked += int(changed)
    return marked


def load_session(db: Session, session_id: uuid.UUID | None) -> MentorshipSession:
    """A logged session of a mentorship; NotFound when it is gone."""
    session = db.get(MentorshipSession, session_id) if session_id else None
    if session is None or session.assignment_id is None:
        raise NotFound("I can't find that session any more.")
    return session


def _logged(
    db: Session,
    actor: User,
    saved: list[MentorshipSession],
    day: date,
    edited: bool,
    group: bool,
    marked: int,
) -> Logged:
    recipients: list[Recipient] = []
    mentee_assignment: uuid.UUID | None = None
    mentee_slack: str | None = None
    logger_side = "mentor"
    for session in saved:
        assert session.assignment_id is not None
        assignment = access.load_assignment(db, session.assignment_id)
        logger_side = access.side(db, actor.id, assignment) or logger_side
        mentee = access.load_user(db, assignment.mentee_user_id)
        mentor = access.load_user(db, access.mentor_user_id(db, assignment))
        if not group:
            mentee_assignment, mentee_slack = assignment.id, mentee.slack_user_id
        for person, person_side in ((mentee, "mentee"), (mentor, "mentor")):
            if person.id == actor.id or (group and person_side == "mentor"):
                continue
            if group and not session.attended:
                continue
            recipients.append(
                Recipient(
                    person.id,
                    person.slack_user_id,
                    person_side,
                    assignment.id,
                    session.attended,
                    [
                        str(i["item"])
                        for i in session.action_items or []
                        if i.get("owner") == person_side
                    ],
                )
            )
    first = saved[0]
    return Logged(
        [s.id for s in saved],
        day,
        edited,
        group,
        actor.name,
        logger_side,
        list(first.topics_covered or []),
        int(first.duration_minutes or 0),
        first.summary or "",
        recipients,
        mentee_assignment,
        mentee_slack,
        marked,
    )
