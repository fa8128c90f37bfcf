"""How does a mentorship request or mentorship look to the people in it? Who is who,
its terms, and why the pair was matched; no private text beyond the goals."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from bot.services.errors import NotFound
from models import KIND_LABELS, Assignment, User

CADENCE_LABELS = {"weekly": "Weekly", "biweekly": "Biweekly", "monthly": "Monthly"}


@dataclass(frozen=True)
class PersonRef:
    user_id: uuid.UUID
    slack_user_id: str
    name: str
    timezone: str | None = None

    @classmethod
    def of(cls, user: User) -> PersonRef:
        return cls(user.id, user.slack_user_id, user.name, user.timezone)


@dataclass(frozen=True)
class AssignmentView:
    """An assignment as the people involved see it (no private text beyond goals)."""

    id: uuid.UUID
    status: str
    mentor_id: uuid.UUID
    mentor: PersonRef
    mentee: PersonRef
    asked_by: PersonRef | None  # who made the request (None: the command line)
    manager: PersonRef | None  # the mentee's manager
    start_date: date
    expected_end_date: date | None
    cadence: str
    goals: list[dict[str, Any]]
    expectations: str | None
    why: list[str]
    score: float | None
    decline_reason: str | None
    cancel_reason: str | None
    kind: str = "standard"

    @property
    def kind_label(self) -> str:
        """ "Mentorship" or "Reverse mentorship": how the pairing is named wherever shown."""
        return KIND_LABELS[self.kind]

    @property
    def to_tell(self) -> list[PersonRef]:
        """Who hears how the request went: the mentee's manager, and whoever asked."""
        told: list[PersonRef] = []
        for person in (self.manager, self.asked_by):
            if person is not None and person.user_id not in {p.user_id for p in told}:
                told.append(person)
        return told

    @property
    def cadence_label(self) -> str:
        return CADENCE_LABELS.get(self.cadence, self.cadence)


def view(db: Session, assignment_id: uuid.UUID) -> AssignmentView:
    """The assignment as the people involved see it."""
    assignment = db.get(Assignment, assignment_id)
    if assignment is None:
        raise NotFound("I can't find that mentorship any more.")
    return view_of(assignment)


def view_of(assignment: Assignment) -> AssignmentView:
    """The loaded assignment as the people involved see it."""
    mentee = assignment.mentee
    asked_by = assignment.assigned_by
    factors = assignment.match_factors or {}
    return AssignmentView(
        id=assignment.id,
        status=assignment.status,
        mentor_id=assignment.mentor_id,
        mentor=PersonRef.of(assignment.mentor.user),
        mentee=PersonRef.of(mentee),
        asked_by=PersonRef.of(asked_by) if asked_by else None,
        manager=PersonRef.of(mentee.manager) if mentee.manager else None,
        start_date=assignment.start_date,
        expected_end_date=assignment.expected_end_date,
        cadence=assignment.check_in_cadence,
        goals=list(assignment.goals or []),
        expectations=assignment.expectations,
        why=list(factors.get("factors") or []),
        score=factors.get("score"),
        decline_reason=assignment.decline_reason,
        cancel_reason=assignment.cancel_reason,
        kind=assignment.kind,
    )
