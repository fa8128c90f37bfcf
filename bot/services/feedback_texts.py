"""The texts a mentorship's end leaves: how it ended (`completion_notes`) and each
side's words (`mentor_feedback`, `mentee_feedback`). They live in `mentorship_feedback`,
one row per mentorship and kind, private to the pair: on PostgreSQL a person's
transaction sees only their own mentorships' rows (migration 0012)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import FEEDBACK_KINDS, Assignment, MentorshipFeedback


def write(
    db: Session,
    *,
    assignment_id: uuid.UUID,
    kind: str,
    text: str,
    author_id: uuid.UUID | None,
) -> None:
    """Save one of a mentorship's end texts (`kind` one of FEEDBACK_KINDS), replacing
    the one there; `author_id` None for the system (an automatic close)."""
    assert kind in FEEDBACK_KINDS, kind
    found = db.scalar(
        sa.select(MentorshipFeedback).where(
            MentorshipFeedback.assignment_id == assignment_id, MentorshipFeedback.kind == kind
        )
    )
    if found is None:
        db.add(
            MentorshipFeedback(
                assignment_id=assignment_id, kind=kind, author_user_id=author_id, body=text
            )
        )
    else:
        found.body, found.author_user_id = text, author_id
    db.flush()


def texts(db: Session, assignment_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, dict[str, str]]:
    """Each mentorship's end texts by kind (absent kinds left out), in one query. The
    caller decides who may read them (access.READ_PRIVATE)."""
    ids = list(assignment_ids)
    found: dict[uuid.UUID, dict[str, str]] = {i: {} for i in ids}
    if not ids:
        return found
    rows = db.execute(
        sa.select(
            MentorshipFeedback.assignment_id, MentorshipFeedback.kind, MentorshipFeedback.body
        ).where(MentorshipFeedback.assignment_id.in_(ids))
    )
    for assignment_id, kind, body in rows:
        found[assignment_id][kind] = body
    return found


def text_kinds(db: Session, assignment_id: uuid.UUID) -> dict[str, str]:
    """One mentorship's end texts by kind."""
    return texts(db, [assignment_id])[assignment_id]


def text(db: Session, assignment_id: uuid.UUID, kind: str) -> str | None:
    """One end text of one mentorship, or None when it was never written."""
    return text_kinds(db, assignment_id).get(kind)


def notes_begin_with(prefix: str) -> sa.ColumnElement[bool]:
    """A condition on `Assignment` rows: their completion notes begin with `prefix`."""
    return sa.exists().where(
        MentorshipFeedback.assignment_id == Assignment.id,
        MentorshipFeedback.kind == "completion_notes",
        MentorshipFeedback.body.startswith(prefix, autoescape=True),
    )
