"""Rows made directly, for tests of one capability that need another's state
(a mentor, a mentorship, a session) without clicking through its whole flow."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.services import feedback_texts, tallies
from bot.testing.fake_slack import FakeSlack
from bot.testing.people import Person, seed
from models import FEEDBACK_KINDS, Assignment, Mentor, MentorshipSession

#: When a factory-made certified mentor was certified: a fixed day before the `clock`
#: fixture's, never the machine's date (the profile shows "Certified on <day>").
CERTIFIED_AT = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)


def make_mentor(
    db: Session,
    person: Person,
    *,
    expertise: list[str] | None = None,
    max_mentees: int = 2,
    certified: bool = False,
    **extra: Any,
) -> Mentor:
    mentor = Mentor(
        user_id=person.user_id,
        expertise_areas=expertise or ["Product knowledge"],
        max_mentees=max_mentees,
        is_certified=certified,
        certified_at=CERTIFIED_AT if certified else None,
        **extra,
    )
    db.add(mentor)
    db.flush()
    return mentor


def make_assignment(
    db: Session,
    mentor: Mentor,
    mentee: Person,
    *,
    status: str = "active",
    start: date | None = None,
    cadence: str = "weekly",
    assigned_by: Person | None = None,
    goals: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> Assignment:
    """A mentorship; an active one takes a slot and an accepted one counts toward the
    mentor's mentees to date, as the real accept does."""
    start = start or date(2026, 11, 2)
    texts = {kind: extra.pop(kind) for kind in FEEDBACK_KINDS if kind in extra}
    assignment = Assignment(
        mentor_id=mentor.id,
        mentee_user_id=mentee.user_id,
        assigned_by_user_id=assigned_by.user_id if assigned_by else None,
        start_date=start,
        expected_end_date=start + timedelta(weeks=12),
        check_in_cadence=cadence,
        status=status,
        goals=goals or [],
        mentor_accepted_at=datetime.combine(start, datetime.min.time(), UTC)
        if status in ("active", "completed")
        else None,
        **extra,
    )
    db.add(assignment)
    if status == "active":
        mentor.current_mentee_count += 1
    if status in ("active", "completed"):
        mentor.total_mentees_to_date += 1  # counted when the mentor accepts
    db.flush()
    for kind, text in texts.items():
        author = {"mentor_feedback": mentor.user_id, "mentee_feedback": mentee.user_id}
        feedback_texts.write(
            db, assignment_id=assignment.id, kind=kind, text=text, author_id=author.get(kind)
        )
    return assignment


def make_session(
    db: Session,
    assignment: Assignment,
    *,
    when: datetime,
    topics: list[str] | None = None,
    summary: str = "Walked through the renewal playbook.",
    logged_by: str = "mentor",
    **extra: Any,
) -> MentorshipSession:
    session = MentorshipSession(
        assignment_id=assignment.id,
        session_date=when,
        duration_minutes=extra.pop("duration_minutes", 45),
        topics_covered=topics or ["Renewals"],
        summary=summary,
        logged_by=logged_by,
        **extra,
    )
    db.add(session)
    db.flush()
    tallies.refresh_tallies(db, {assignment.id})
    return session


def new_id() -> uuid.UUID:
    return uuid.uuid4()


def make_people(
    db: Session, fake: FakeSlack, count: int, *, now: datetime, hired_days_ago: int = 20
) -> list[Person]:
    """`count` more new hires reporting to Max Manager, in the roster and in Slack."""
    people = {
        f"UHIRE{n:03d}": Person(
            f"UHIRE{n:03d}",
            f"Hire {n:03d}",
            "Associate CSM",
            "America/New_York",
            hired_days_ago,
            manager="UMAX",
        )
        for n in range(1, count + 1)
    }
    seed(db, fake, people, now)
    return list(people.values())
