"""Action items (FR-3.4): promises made in a session, each owned by the mentor or
the mentee, stored in the session's `action_items` JSON as
`[{id, item, owner, due, done, done_at}]` (a stable `id` so a button can tick one off)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from bot.services import access, audit, inputs
from bot.services.errors import InvalidInput, NotAllowed, NotFound
from models import Assignment, Mentor, MentorshipSession

OWNERS = ("mentor", "mentee")
#: "mentee: Draft the QBR deck by 2026-12-01" -> owner, text, due.
_OWNER = re.compile(r"^\s*(?:[-*•]\s*)?(?:(mentor|mentee)\s*[:\-]\s*)?(.*?)\s*$", re.IGNORECASE)
_DUE = re.compile(r"\s+(?:by|due)\s+(\S+)\s*$", re.IGNORECASE)
_DATE_LIKE = re.compile(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}$")
MAX_ITEM_LENGTH = 300


@dataclass(frozen=True)
class OpenItem:
    """One open action item as its owner sees it."""

    session_id: uuid.UUID
    item_id: str
    text: str
    due: date | None
    owner: str
    assignment_id: uuid.UUID
    other_name: str
    session_date: datetime

    @property
    def key(self) -> str:
        """The value a "Done" button carries."""
        return f"{self.session_id}:{self.item_id}"


@dataclass(frozen=True)
class DueItem:
    """An open item due on or before a day, for the reminder sweep."""

    session_id: uuid.UUID
    item_id: str
    assignment_id: uuid.UUID
    owner_user_id: uuid.UUID
    due: date


def parse(text: str | None, *, field: str = "action_items") -> list[dict[str, object]]:
    """Action items typed one per line, e.g. "mentee: Draft the QBR deck by 2026-12-01".
    The owner defaults to the mentee; the due date is optional. InvalidInput names
    every bad line."""
    items: list[dict[str, object]] = []
    problems: list[str] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        match = _OWNER.match(line)
        assert match is not None  # the pattern accepts any line
        owner = (match.group(1) or "mentee").lower()
        body = match.group(2)
        due: date | None = None
        due_match = _DUE.search(body)
        if due_match and _DATE_LIKE.match(due_match.group(1)):
            try:
                due = inputs.iso_date(due_match.group(1))
            except inputs.OutOfRange as exc:
                problems.append(f"Line {number}: {exc}")
                continue
            except ValueError:
                problems.append(
                    f"Line {number}: '{due_match.group(1)}' is not a date; "
                    "write it like 2026-12-01."
                )
                continue
            body = body[: due_match.start()].strip()
        if not body:
            problems.append(f"Line {number}: say what is to be done after '{owner}:'.")
            continue
        if len(body) > MAX_ITEM_LENGTH:
            problems.append(
                f"Line {number}: keep an action item under {MAX_ITEM_LENGTH} characters."
            )
            continue
        items.append({"item": body, "owner": owner, "due": due.isoformat() if due else None})
    if problems:
        raise InvalidInput({field: " ".join(problems)})
    return items


def as_text(items: list[dict[str, object]]) -> str:
    """The items as typed lines again (to edit a logged session)."""
    lines = []
    for item in items:
        due = f" by {item['due']}" if item.get("due") else ""
        lines.append(f"{item['owner']}: {item['item']}{due}")
    return "\n".join(lines)


def merge(
    previous: list[dict[str, object]], parsed: list[dict[str, object]]
) -> list[dict[str, object]]:
    """Give `parsed` items stable ids: an item typed again keeps its id and done state."""
    by_key = {(p["owner"], p["item"]): p for p in previous}
    merged = []
    for item in parsed:
        old = by_key.pop((item["owner"], item["item"]), None)
        merged.append(
            {
                "id": old["id"] if old else uuid.uuid4().hex[:12],
                "item": item["item"],
                "owner": item["owner"],
                "due": item["due"],
                "done": bool(old["done"]) if old else False,
                "done_at": old.get("done_at") if old else None,
            }
        )
    return merged


# Only the columns an item needs: a session's notes and topics stay unread; both
# sides' names come in the same statement. Built once (see roster._BY_SLACK_ID).
_OPEN_ITEMS = (
    select(
        MentorshipSession.id,
        MentorshipSession.session_date,
        MentorshipSession.action_items,
        Assignment.id,
        Assignment.mentee_user_id,
        access.MENTEE_USER.name,
        access.MENTOR_USER.name,
    )
    .join(Assignment, MentorshipSession.assignment_id == Assignment.id)
    .join(Mentor, Assignment.mentor_id == Mentor.id)
    .join(access.MENTEE_USER, access.MENTEE_USER.id == Assignment.mentee_user_id)
    .join(access.MENTOR_USER, access.MENTOR_USER.id == Mentor.user_id)
    .where(Assignment.status == "active", access.in_mentorship(bindparam("user_id")))
    .order_by(MentorshipSession.session_date)
)
_OPEN_ITEMS_OF_ONE = _OPEN_ITEMS.where(Assignment.id == bindparam("assignment_id"))


def open_for(
    db: Session, user_id: uuid.UUID, *, assignment_id: uuid.UUID | None = None
) -> list[OpenItem]:
    """Open items this person owns across their active mentorships (oldest due first)."""
    query, params = _OPEN_ITEMS, {"user_id": user_id}
    if assignment_id is not None:
        query, params = _OPEN_ITEMS_OF_ONE, {**params, "assignment_id": assignment_id}
    found: list[OpenItem] = []
    for (
        session_id,
        session_date,
        items,
        assignment,
        mentee_user,
        mentee_name,
        mentor_name,
    ) in db.execute(query, params).tuples():
        mine = "mentee" if mentee_user == user_id else "mentor"
        for item in items or []:
            if item.get("owner") == mine and not item.get("done"):
                found.append(
                    OpenItem(
                        session_id,
                        str(item["id"]),
                        str(item["item"]),
                        date.fromisoformat(str(item["due"])) if item.get("due") else None,
                        mine,
                        assignment,
                        mentor_name if mine == "mentee" else mentee_name,
                        session_date,
                    )
                )
    found.sort(key=lambda i: (i.due or date.max, i.session_date))
    return found


def mark_done(
    db: Session, *, actor_id: uuid.UUID, key: str, now: datetime, any_side: bool = False
) -> tuple[str, bool]:
    """Tick off the item `key` ("<session id>:<item id>"): its owner may, and with
    `any_side` (reviewing open items together while logging a session) either
    participant may. Returns (item text, changed); a repeat changes nothing twice."""
    session_part, _, item_id = key.partition(":")
    try:
        session_id = uuid.UUID(session_part)
    except ValueError:
        raise NotFound("I can't find that action item any more.") from None
    # Lock the row: two items of one session ticked at once must not overwrite each other.
    session = db.scalar(
        select(MentorshipSession).where(MentorshipSession.id == session_id).with_for_update()
    )
    if session is None or session.assignment_id is None:
        raise NotFound("I can't find that action item any more.")
    assignment = access.load_assignment(db, session.assignment_id)
    actor = access.load_user(db, actor_id)
    access.require(db, actor, access.READ_PRIVATE, assignment)
    mine = access.side(db, actor_id, assignment)
    items = [dict(i) for i in session.action_items or []]
    for item in items:
        if str(item.get("id")) != item_id:
            continue
        if item.get("owner") != mine and not any_side:
            raise NotAllowed(f"That item is the {item.get('owner')}'s to tick off, not yours.")
        if item.get("done"):
            return str(item["item"]), False
        item["done"] = True
        item["done_at"] = now.isoformat()
        session.action_items = items  # a new list, so the JSON column is saved
        audit.record(
            db,
            actor_id=actor_id,
            action="action_item.done",
            entity_type="mentorship_session",
            entity_id=session.id,
            now=now,
            item_id=item_id,
        )
        db.flush()
        return str(item["item"]), True
    raise NotFound("I can't find that action item any more.")


def due_on_or_before(db: Session, day: date) -> list[DueItem]:
    """Open items of active mentorships due on or before `day`, with their owner,
    for the reminder sweep (which decides whom to nudge and when)."""
    rows = db.execute(
        select(MentorshipSession, Assignment, Mentor.user_id)
        .join(Assignment, MentorshipSession.assignment_id == Assignment.id)
        .join(Mentor, Assignment.mentor_id == Mentor.id)
        .where(Assignment.status == "active")
    ).all()
    found = []
    for session, assignment, mentor_user in rows:
        for item in session.action_items or []:
            if item.get("done") or not item.get("due"):
                continue
            due = date.fromisoformat(str(item["due"]))
            if due <= day:
                owner = mentor_user if item.get("owner") == "mentor" else assignment.mentee_user_id
                found.append(DueItem(session.id, str(item["id"]), assignment.id, owner, due))
    return sorted(found, key=lambda d: d.due)
