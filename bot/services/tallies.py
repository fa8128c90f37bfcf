"""Per-mentorship session tallies: how many sessions were attended, the group seats,
and the latest session, kept on `mentorship_assignments`.

Every place that writes sessions recounts the mentorships it touched here, in the
same transaction, from the session rows themselves (a recount, never an increment,
so an edit or a retried request cannot make them drift). Readers that would
otherwise aggregate every session (the program analytics, the check-in nudges, the
mentorship lists) read one row per mentorship instead."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session

from models import Assignment, MentorshipSession


def refresh_tallies(db: Session, assignment_ids: Collection[uuid.UUID] | None = None) -> None:
    """Recount the tallies of these mentorships (None: every mentorship) from their
    sessions, in the caller's transaction."""
    if assignment_ids is not None and not assignment_ids:
        return
    if assignment_ids is not None:
        # Lock the mentorships first (in id order, so two recounts never deadlock): a
        # recount racing another transaction's new session then waits for it, and its
        # own statement, begun after the wait, counts that session too (PostgreSQL's
        # read committed gives each statement a fresh snapshot). Without the lock the
        # second recount re-reads the row but not the other session: a tally of 1 for 2.
        db.execute(
            select(Assignment.id)
            .where(Assignment.id.in_(sorted(assignment_ids)))
            .order_by(Assignment.id)
            .with_for_update(key_share=True)
        )
    statement = update(Assignment).values(
        sessions_logged=_count(MentorshipSession.attended.is_(True)),
        group_seats=_count(MentorshipSession.group_session_id.is_not(None)),
        group_seats_attended=_count(
            MentorshipSession.group_session_id.is_not(None), MentorshipSession.attended.is_(True)
        ),
        last_session_at=_of(
            func.max(MentorshipSession.session_date), MentorshipSession.attended.is_(True)
        ),
    )
    if assignment_ids is not None:
        statement = statement.where(Assignment.id.in_(list(assignment_ids)))
    # "fetch": the recount happens in SQL, so the mentorships this session holds get
    # the recounted columns expired and read again on next use.
    db.execute(statement, execution_options={"synchronize_session": "fetch"})


def _count(*where: Any) -> Any:
    return _of(func.count(), *where)


def _of(aggregate: Any, *where: Any) -> Any:
    return (
        select(aggregate)
        .where(and_(MentorshipSession.assignment_id == Assignment.id, *where))
        .scalar_subquery()
    )
