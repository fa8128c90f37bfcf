"""A mentor's slots. `current_mentee_count` changes only here, with single
conditional UPDATEs, so two transactions racing for the last slot cannot both win
(on PostgreSQL the row lock serialises them; on SQLite the write lock does)."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.services.errors import CapacityFull, InvalidInput
from models import Assignment, Mentor


def take_slot(db: Session, mentor_id: uuid.UUID) -> None:
    """Use one of the mentor's free slots, or raise CapacityFull (nothing changed)."""
    result = db.execute(
        update(Mentor)
        .where(Mentor.id == mentor_id, Mentor.current_mentee_count < Mentor.max_mentees)
        .values(current_mentee_count=Mentor.current_mentee_count + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise CapacityFull("That mentor has no free slot any more: every place is taken.")
    _expire(db, mentor_id)


def free_slot(db: Session, mentor_id: uuid.UUID) -> None:
    """Give a slot back (a mentorship ended); never below zero."""
    db.execute(
        update(Mentor)
        .where(Mentor.id == mentor_id, Mentor.current_mentee_count > 0)
        .values(current_mentee_count=Mentor.current_mentee_count - 1)
        .execution_options(synchronize_session=False)
    )
    _expire(db, mentor_id)


def resize(db: Session, mentor_id: uuid.UUID, max_mentees: int) -> None:
    """Set the mentor's limit, refusing (InvalidInput on "capacity") to go below the
    mentees they hold: conditional, so an accept racing the change can't overfill."""
    result = db.execute(
        update(Mentor)
        .where(Mentor.id == mentor_id, Mentor.current_mentee_count <= max_mentees)
        .values(max_mentees=max_mentees)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise InvalidInput(
            {"capacity": "You have more mentees right now than that; enter a larger capacity."}
        )
    _expire(db, mentor_id, "max_mentees")


def active_count(db: Session, mentor_id: uuid.UUID) -> int:
    """Active mentorships of this mentor, counted from the assignments themselves."""
    return (
        db.scalar(
            select(func.count())
            .select_from(Assignment)
            .where(Assignment.mentor_id == mentor_id, Assignment.status == "active")
        )
        or 0
    )


def _expire(db: Session, mentor_id: uuid.UUID, column: str = "current_mentee_count") -> None:
    # The UPDATE bypassed the ORM, so the loaded row must re-read what it changed.
    mentor = db.get(Mentor, mentor_id)
    if mentor is not None:
        db.expire(mentor, [column])
