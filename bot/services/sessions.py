"""Session logs (FR-3.2 to FR-3.5, NFR-2): one modal, either side, 1:1 or group.

A session is one `mentorship_sessions` row per mentorship; a group session is one
row per invited mentorship sharing a `group_session_id`, with `attended` per mentee.
The same mentorship is not logged twice on one day: the second person is offered the
session already there to edit instead (one_a_day.AlreadyLogged)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from bot.services import (
    access,
    action_items,
    audit,
    curriculum,
    inputs,
    one_a_day,
    program,
    tallies,
)
from bot.services.errors import Conflict, InvalidInput, NotAllowed, NotFound
from models import CADENCE_DAYS, Assignment, Mentor, MentorshipSession, User

MAX_DURATION_MINUTES = 600
MAX_CARRIED = 10  # a checkboxes element holds ten options


@dataclass(frozen=True)
class Mentorship:
    """One mentorship as one of its participants sees it (no private text)."""

    assignment_id: uuid.UUID
    side: str  # the viewer's side: "mentor" or "mentee"
    other_user_id: uuid.UUID
    other_name: str
    other_slack_id: str
    start_date: date
    expected_end_date: date | None
    cadence: str
    status: str
    sessions_held: int
    last_session: datetime | None
    next_check_in: date | None
    progress_flag: str | None
    kind: str = "standard"  # "reverse": a newer hire teaches a veteran


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


# -- reading -------------------------------------------------------------------------------
def next_check_in(cadence: str, start: date, last: date | None) -> date:
    """When the next check-in is due: a cadence period after the last session
    (or after the start when there was none yet)."""
    return (last or start) + timedelta(days=CADENCE_DAYS.get(cadence, CADENCE_DAYS["weekly"]))


# Columns, not whole rows: every App Home reads this, and no goal or feedback is
# shown; both sides' names come in the same statement. Built once (see
# roster._BY_SLACK_ID).
_MENTORSHIPS = (
    select(
        Assignment.id,
        Assignment.mentee_user_id,
        Mentor.user_id,
        Assignment.start_date,
        Assignment.expected_end_date,
        Assignment.check_in_cadence,
        Assignment.status,
        Assignment.sessions_logged,
        Assignment.last_session_at,
        Assignment.progress_flag,
        Assignment.kind,
        access.MENTEE_USER.name.label("mentee_name"),
        access.MENTEE_USER.slack_user_id.label("mentee_slack_user_id"),
        access.MENTOR_USER.name.label("mentor_name"),
        access.MENTOR_USER.slack_user_id.label("mentor_slack_user_id"),
    )
    .join(Mentor, Assignment.mentor_id == Mentor.id)
    .join(access.MENTEE_USER, access.MENTEE_USER.id == Assignment.mentee_user_id)
    .join(access.MENTOR_USER, access.MENTOR_USER.id == Mentor.user_id)
    .where(
        Assignment.status.in_(bindparam("statuses", expanding=True)),
        access.in_mentorship(bindparam("user_id")),
    )
    .order_by(Assignment.start_date, Assignment.created_at)
)


def mentorships_of(
    db: Session, user_id: uuid.UUID, *, statuses: tuple[str, ...] = ("active",)
) -> list[Mentorship]:
    """This person's mentorships (as mentor or mentee) in `statuses`, oldest first."""
    rows = db.execute(_MENTORSHIPS, {"user_id": user_id, "statuses": list(statuses)}).all()
    found = []
    for row in rows:
        mine = "mentee" if row.mentee_user_id == user_id else "mentor"
        other_id, other_name, other_slack_id = (
            (row.user_id, row.mentor_name, row.mentor_slack_user_id)
            if mine == "mentee"
            else (row.mentee_user_id, row.mentee_name, row.mentee_slack_user_id)
        )
        last_dt = _aware(row.last_session_at)
        found.append(
            Mentorship(
                row.id,
                mine,
                other_id,
                other_name,
                other_slack_id,
                row.start_date,
                row.expected_end_date,
                row.check_in_cadence,
                row.status,
                row.sessions_logged,
                last_dt,
                next_check_in(
                    row.check_in_cadence, row.start_date, last_dt.date() if last_dt else None
                ),
                row.progress_flag,
                row.kind,
            )
        )
    return found


def choose(
    db: Session,
    *,
    actor_id: uuid.UUID,
    other_slack_id: str | None,
    statuses: tuple[str, ...] = ("active",),
    as_third_party: bool = False,
) -> uuid.UUID:
    """The mentorship a command is about: the one the person is in with
    `other_slack_id`, or their only one in `statuses` (earlier statuses preferred).
    With `as_third_party`, `other_slack_id` may also be a mentee whose mentorship
    the person oversees (the caller's access rule decides whether they may act)."""
    mine = mentorships_of(db, actor_id, statuses=statuses)
    if other_slack_id:
        mine = [m for m in mine if m.other_slack_id == other_slack_id]
        if not mine and as_third_party:
            found = db.scalar(
                select(Assignment.id)
                .join(User, Assignment.mentee_user_id == User.id)
                .where(User.slack_user_id == other_slack_id, Assignment.status.in_(statuses))
                .order_by(Assignment.created_at.desc())
                .limit(1)
            )
            if found is not None:
                return found
        if not mine:
            raise NotFound(
                f"You have no {' or '.join(statuses)} mentorship with <@{other_slack_id}>."
            )
    for status in statuses:
        candidates = [m for m in mine if m.status == status]
        if len(candidates) == 1:
            return candidates[0].assignment_id
        if len(candidates) > 1:
            names = ", ".join(f"<@{m.other_slack_id}>" for m in candidates)
            raise InvalidInput(
                {
                    "mentorship": f"You have several mentorships ({names}); "
                    "name the person too, e.g. `@name`."
                }
            )
    raise NotFound(f"You have no {' or '.join(statuses)} mentorship.")


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
    session = _load_session(db, session_id)
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


# -- writing -------------------------------------------------------------------------------
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

    editing = _load_session(db, session_id) if session_id else None
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


def _load_session(db: Session, session_id: uuid.UUID | None) -> MentorshipSession:
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


def _aware(value: datetime | None) -> datetime | None:
    # Aggregates bypass the column type, so SQLite hands back a naive UTC datetime.
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
