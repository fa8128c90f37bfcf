"""The same-day rule of session logs: a mentorship has at most one 1:1 session a day
(the day as the person logging it typed it). A read offers the session already there
to edit; a unique key on (mentorship, day) makes it hold for two logs at once."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.services import inputs
from bot.services.errors import Conflict
from models import Assignment, MentorshipSession, User


class AlreadyLogged(Conflict):
    """This mentorship already has a session that day; offer to edit it."""

    def __init__(self, session_id: uuid.UUID, by_name: str, day: date) -> None:
        self.session_id = session_id
        self.by_name = by_name
        self.day = day
        super().__init__(
            f"{by_name} already logged a session of this mentorship on {day.isoformat()}."
        )


def refuse_second_log(db: Session, assignment: Assignment, day: date, tz: object) -> None:
    """AlreadyLogged when this mentorship has a session on `day` (in `tz`)."""
    start, end = inputs.day_bounds(day, tz)  # type: ignore[arg-type]
    existing = db.scalar(
        select(MentorshipSession)
        .where(
            MentorshipSession.assignment_id == assignment.id,
            MentorshipSession.session_date >= start,
            MentorshipSession.session_date < end,
        )
        .order_by(MentorshipSession.created_at)
        .limit(1)
    )
    if existing is not None:
        raise _already_logged(db, existing, day)


def _already_logged(db: Session, existing: MentorshipSession, day: date) -> AlreadyLogged:
    by = db.get(User, existing.logged_by_user_id) if existing.logged_by_user_id else None
    return AlreadyLogged(existing.id, by.name if by else "Someone", day)


@contextmanager
def saving_one_a_day(db: Session, assignment: Assignment, day: date) -> Iterator[None]:
    """Add the sessions inside this block; they are flushed at its end, where the unique
    key on (mentorship, day) refuses a second 1:1 session of a day that the read in
    `refuse_second_log` could not see yet (two logs at once): the person then gets the
    same offer to edit the first. A savepoint keeps the transaction usable to say so."""
    try:
        with db.begin_nested():
            yield
            db.flush()
    except IntegrityError:
        existing = db.scalar(
            select(MentorshipSession).where(
                MentorshipSession.assignment_id == assignment.id,
                MentorshipSession.session_day == day,
                MentorshipSession.group_session_id.is_(None),
            )
        )
        if existing is None:
            raise
        raise _already_logged(db, existing, day) from None
