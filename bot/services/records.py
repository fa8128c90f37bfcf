"""What the REST API reads: mentorships, sessions, mentors and the audit log as the
reader may see them (access.py decides), a page at a time.

A reader is a person (`viewer_id`) or a trusted system (None: an API service token
whose scope the API checked), which sees status like an admin and never private text.
Private text handed to a person through the API is itself audited."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.services import access, audit, feedback_texts, roster
from bot.services.errors import NotFound
from models import Assignment, AuditEntry, Mentor, MentorshipSession, User
from models.views import session_status


@dataclass(frozen=True)
class Page:
    rows: list[Any]
    total: int


@dataclass(frozen=True)
class Readable:
    """A mentorship, whether this reader may read its private text, and that text: the
    end's notes and feedback by kind (empty when not `private`)."""

    assignment: Assignment
    mentor_user_id: uuid.UUID
    private: bool
    feedback: dict[str, str] = field(default_factory=dict)


def assignments_page(
    db: Session,
    *,
    viewer_id: uuid.UUID | None,
    status: str | None,
    mentor_id: uuid.UUID | None,
    mentee_user_id: uuid.UUID | None,
    limit: int,
    offset: int,
) -> Page:
    """The mentorships this reader may see the status of (their own, their reports',
    everyone's for an admin or a system), newest first, as `Readable`s: private text
    only for the mentorships the reader takes part in."""
    query = sa.select(Assignment, Mentor.user_id).join(Mentor, Mentor.id == Assignment.mentor_id)
    if viewer_id is not None:
        viewer = access.load_user(db, viewer_id)
        if not viewer.is_admin:
            reports = roster.report_ids(db, viewer.id)
            query = query.where(
                sa.or_(
                    Assignment.mentee_user_id == viewer.id,
                    Mentor.user_id == viewer.id,
                    Assignment.mentee_user_id.in_(reports),
                )
            )
    if status:
        query = query.where(Assignment.status == status)
    if mentor_id:
        query = query.where(Assignment.mentor_id == mentor_id)
    if mentee_user_id:
        query = query.where(Assignment.mentee_user_id == mentee_user_id)
    found = _page(
        db, query.order_by(Assignment.created_at.desc(), Assignment.id), limit, offset, rows=True
    )
    private = {
        a.id
        for a, mentor_user in found.rows
        if access.reads_private(
            viewer_id, mentee_user_id=a.mentee_user_id, mentor_user_id=mentor_user
        )
    }
    texts = feedback_texts.texts(db, private)
    readable = [
        Readable(a, mentor_user, a.id in private, texts.get(a.id, {}))
        for a, mentor_user in found.rows
    ]
    return Page(readable, found.total)


def assignment(
    db: Session, *, viewer_id: uuid.UUID | None, assignment_id: uuid.UUID, now: datetime
) -> Readable:
    """One mentorship if the reader may see its status; NotFound otherwise, so its
    existence isn't told. Reading its private text is audited."""
    found = db.get(Assignment, assignment_id)
    if found is None:
        raise NotFound("There is no mentorship with this id that you can see.")
    private = False
    if viewer_id is not None:
        viewer = access.load_user(db, viewer_id)
        if not access.allowed(db, viewer, access.VIEW_STATUS, found):
            raise NotFound("There is no mentorship with this id that you can see.")
        private = access.allowed(db, viewer, access.READ_PRIVATE, found)
    texts = feedback_texts.text_kinds(db, found.id) if private else {}
    return Readable(found, access.mentor_user_id(db, found), private, texts)


def sessions_page(
    db: Session,
    *,
    viewer_id: uuid.UUID | None,
    assignment_id: uuid.UUID,
    limit: int,
    offset: int,
    now: datetime,
) -> tuple[Readable, Page]:
    """A mentorship's sessions, newest first, for whoever may see its status: whole rows
    for its mentor and mentee (`Readable.private`), the status view's columns for the
    rest, which on PostgreSQL is all the database shows them anyway."""
    readable = assignment(db, viewer_id=viewer_id, assignment_id=assignment_id, now=now)
    source: Any = MentorshipSession if readable.private else session_status
    key = source.c if source is session_status else MentorshipSession
    query = (
        sa.select(source)
        .where(key.assignment_id == assignment_id)
        .order_by(key.session_date.desc(), key.id)
    )
    return readable, _page(db, query, limit, offset, rows=not readable.private)


def session(
    db: Session, *, viewer_id: uuid.UUID | None, session_id: uuid.UUID, now: datetime
) -> tuple[Readable, Any]:
    """One session with its mentorship, for whoever may see that mentorship's status:
    the whole row for its mentor and mentee, the status view's row for the rest."""
    status = db.execute(sa.select(session_status).where(session_status.c.id == session_id)).first()
    if status is None or status.assignment_id is None:
        raise NotFound("There is no session with this id that you can see.")
    try:
        readable = assignment(db, viewer_id=viewer_id, assignment_id=status.assignment_id, now=now)
    except NotFound:
        raise NotFound("There is no session with this id that you can see.") from None
    if not readable.private:
        return readable, status
    found = db.get(MentorshipSession, session_id)
    assert found is not None
    return readable, found


def private_read(
    db: Session,
    *,
    viewer_id: uuid.UUID | None,
    entity_type: str,
    ids: list[uuid.UUID],
    now: datetime,
) -> None:
    """Audit that private text of these rows was handed out ("all interactions logged")."""
    if viewer_id is None or not ids:
        return
    audit.record(
        db,
        actor_id=viewer_id,
        action="private.read",
        entity_type=entity_type,
        entity_id=ids[0] if len(ids) == 1 else None,
        now=now,
        ids=[str(i) for i in ids[:50]],
        count=len(ids),
    )


def mentors_page(db: Session, *, active: bool | None, limit: int, offset: int) -> Page:
    """Mentors with their people, by name (profiles are visible to everyone in Slack)."""
    query = sa.select(Mentor, User).join(User, User.id == Mentor.user_id)
    if active is not None:
        query = query.where(Mentor.is_active.is_(active))
    return _page(db, query.order_by(User.name, Mentor.id), limit, offset, rows=True)


def mentor(db: Session, mentor_id: uuid.UUID) -> tuple[Mentor, User]:
    """The mentor and their person, or NotFound."""
    found = db.get(Mentor, mentor_id)
    if found is None:
        raise NotFound("There is no mentor with this id.")
    return found, access.load_user(db, found.user_id)


def audit_page(
    db: Session, *, viewer_id: uuid.UUID | None, since: datetime | None, limit: int, offset: int
) -> Page:
    """The audit log, oldest first from `since`: admins and systems allowed to read it."""
    if viewer_id is not None:
        access.require_admin(access.load_user(db, viewer_id))
    query = sa.select(AuditEntry)
    if since is not None:
        query = query.where(AuditEntry.created_at >= since)
    return _page(db, query.order_by(AuditEntry.created_at, AuditEntry.id), limit, offset)


def _page(db: Session, query: sa.Select[Any], limit: int, offset: int, rows: bool = False) -> Page:
    total = db.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    paged = query.limit(limit).offset(offset)
    found = list(db.execute(paged).all()) if rows else list(db.scalars(paged))
    return Page(found, int(total or 0))
