"""What a person gets on first use (their program milestones and their mentorships'
goals, made by `milestone_instances.ensure_for`), made once and then checked in one statement:
App Home asks on every open.

`FirstUseMemo` remembers, per person, a fingerprint of everything `ensure_for` reads about
them, taken after it ran. The same fingerprint later means the same state, which
`ensure_for` would leave as it is; any change, from this process or another replica,
changes the fingerprint and `ensure_for` runs again. So the memory needs no
invalidation across replicas, and a forgotten person (the memory is bounded) only
costs one more `ensure_for`. Someone `ensure_for` has nothing to make for (no
mentorship, no recent hire date: most people on a busy morning) is told apart by the
same statement, on their first open too."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import date, datetime

from annotated_types import Le
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from bot.services import milestone_instances, program
from bot.services.program import ProgramConfig
from models import MENTORED_STATUSES, Assignment, RampMilestone, User

#: The longest new-hire window the settings accept: someone hired longer ago than
#: this is no new hire whatever the window is set to.
LONGEST_NEW_HIRE_WINDOW_DAYS = next(
    bound.le
    for bound in ProgramConfig.model_fields["new_hire_window_days"].metadata
    if isinstance(bound, Le)
)


# What `ensure_for` reads about a person, in one statement built once (see
# roster._BY_SLACK_ID): App Home asks on every open.
_MINE = RampMilestone.mentee_user_id == User.id
_STATE = (
    select(
        User.hire_date,
        select(func.count()).where(_MINE).scalar_subquery(),
        select(func.count(RampMilestone.template_key)).where(_MINE).scalar_subquery(),
        select(func.count()).where(_MINE, RampMilestone.assignment_id.is_(None)).scalar_subquery(),
        Assignment.id,
        Assignment.status,
        Assignment.goals,
        Assignment.milestones,
    )
    .outerjoin(
        Assignment,
        (Assignment.mentee_user_id == User.id) & Assignment.status.in_(MENTORED_STATUSES),
    )
    .where(User.id == bindparam("user_id"))
    .order_by(Assignment.id)
)


def fingerprint(db: Session, user_id: uuid.UUID, today: date) -> tuple[int | None, bool]:
    """What `ensure_for` reads about this person, as one number, in one statement: their
    hire date, their milestones (how many, from templates, linked to no mentorship),
    their mentorships' goals and milestone lists. None when its outcome also hangs on
    the program's settings and templates: a hire date within the longest new-hire
    window, or a mentorship, without any program milestone yet. Beside it, whether
    `ensure_for` has nothing to make for them whatever the settings: no mentorship and
    no hire date within the longest window (most mentors and veterans)."""
    rows = db.execute(_STATE, {"user_id": user_id}).all()
    if not rows:
        return None, False
    hire_date, _count, given, _unlinked, first_mentorship, *_ = rows[0]
    recent = hire_date is not None and (today - hire_date).days <= LONGEST_NEW_HIRE_WINDOW_DAYS
    if not given and (recent or first_mentorship is not None):
        return None, False
    nothing_to_make = not recent and first_mentorship is None
    return hash(
        json.dumps([list(row) for row in rows], default=str, sort_keys=True)
    ), nothing_to_make


class FirstUseMemo:
    """The people whose first use this process saw made, each with the fingerprint of
    what it left; at most `limit` people (the least recently made go first)."""

    def __init__(self, limit: int = 10_000) -> None:
        self._lock = threading.Lock()
        self._fingerprints: dict[uuid.UUID, int] = {}
        self._limit = limit

    def ensure(self, db: Session, user_id: uuid.UUID, now: datetime) -> None:
        """`milestone_instances.ensure_for` unless this person's state is the one it left last
        time, in the caller's transaction."""
        # The day `ensure_for` judges "new hire" by: the program's, not UTC's.
        today = program.todays_date(db, now)
        before, nothing_to_make = fingerprint(db, user_id, today)
        if nothing_to_make:  # the first open of most people of a busy morning
            return
        with self._lock:
            if before is not None and self._fingerprints.get(user_id) == before:
                return
        milestone_instances.ensure_for(db, user_id, now)
        # Kept before the commit: were it rolled back, the state read next time is the
        # one before, whose fingerprint differs unless ensure_for changed nothing.
        after, _ = fingerprint(db, user_id, today)
        with self._lock:
            self._fingerprints.pop(user_id, None)
            if after is not None:
                self._fingerprints[user_id] = after
                while len(self._fingerprints) > self._limit:
                    del self._fingerprints[next(iter(self._fingerprints))]

    def clear(self) -> None:
        with self._lock:
            self._fingerprints.clear()
