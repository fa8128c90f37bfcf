"""Issue 17's rows for the sweep benchmark's program: sessions scheduled ahead (confirmed
upcoming, some within the reminder hour; just ended, awaiting "How did it go?"; held;
proposals waiting for an answer, some past 24 and 48 hours) and mentees' questions
(open, some past 20 and 24 hours; recently answered)."""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta
from typing import Any

#: Share of mentorships with each kind of row.
UPCOMING = 0.30
ENDED = 0.08
HELD = 0.20
PROPOSED = 0.05
OPEN_QUESTION = 0.05
ANSWERED_QUESTION = 0.10


def rows_for(
    assignments: list[dict[str, Any]],
    mentor_user_of: dict[uuid.UUID, uuid.UUID],
    now: datetime,
    rng: random.Random,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(scheduled_sessions rows, mentor_questions rows) for these mentorship rows."""
    scheduled: list[dict[str, Any]] = []
    questions: list[dict[str, Any]] = []
    for a in assignments:
        mentor_user = mentor_user_of[a["mentor_id"]]
        mentee = a["mentee_user_id"]
        roll = rng.random()
        if roll < UPCOMING:
            starts = now + timedelta(minutes=rng.randint(10, 14 * 24 * 60))
            scheduled.append(_row(a, mentee, mentor_user, now, "confirmed", starts, rng))
        elif roll < UPCOMING + ENDED:
            starts = now - timedelta(minutes=rng.randint(60, 6 * 24 * 60))
            scheduled.append(_row(a, mentee, mentor_user, now, "confirmed", starts, rng))
        elif roll < UPCOMING + ENDED + HELD:
            starts = now - timedelta(days=rng.randint(8, 60))
            scheduled.append(_row(a, mentee, mentor_user, now, "held", starts, rng))
        elif roll < UPCOMING + ENDED + HELD + PROPOSED:
            scheduled.append(
                _row(a, mentee, mentor_user, now, "proposed", now + timedelta(days=5), rng)
            )
        roll = rng.random()
        if roll < OPEN_QUESTION + ANSWERED_QUESTION:
            asked = now - timedelta(minutes=rng.randint(5, 72 * 60))
            answered = roll >= OPEN_QUESTION
            questions.append(
                {
                    "id": uuid.uuid4(),
                    "assignment_id": a["id"],
                    "asked_by_user_id": mentee,
                    "mentor_user_id": mentor_user,
                    "question": "How do I run a QBR?",
                    "status": "answered" if answered else "open",
                    "asked_at": asked,
                    "answered_at": min(now, asked + timedelta(hours=3)) if answered else None,
                    "answer": "Start from the numbers." if answered else None,
                }
            )
    return scheduled, questions


def _row(
    assignment: dict[str, Any],
    mentee: uuid.UUID,
    mentor_user: uuid.UUID,
    now: datetime,
    status: str,
    starts: datetime,
    rng: random.Random,
) -> dict[str, Any]:
    # Proposed up to ten days before (and before now); answered within two hours.
    proposed_at = min(now, starts) - timedelta(hours=rng.randint(1, 240))
    proposer, asked = (mentee, mentor_user) if rng.random() < 0.5 else (mentor_user, mentee)
    confirmed = status != "proposed"
    return {
        "id": uuid.uuid4(),
        "assignment_id": assignment["id"],
        "proposed_by_user_id": proposer,
        "answer_by_user_id": asked,
        "options": [{"starts_at": starts.isoformat(), "minutes": 45}],
        "objectives": "Renewal practice",
        "status": status,
        "proposed_at": proposed_at,
        "last_option_at": starts,
        "answered_at": min(now, proposed_at + timedelta(hours=2)) if confirmed else None,
        "starts_at": starts if confirmed else None,
        "duration_minutes": 45 if confirmed else None,
    }
