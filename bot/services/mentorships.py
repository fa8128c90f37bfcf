"""Which mentorships is a person in, as they see them, and which one does a command
mean? Each with the other side, its cadence, the sessions held and when the next
check-in is due; read by every App Home and most `/mentor` commands."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from bot.services import access
from bot.services.errors import InvalidInput, NotFound
from models import CADENCE_DAYS, Assignment, Mentor, User


@dataclass(frozen=True)
class Mentorship:
    """One mentorship as one of its participants sees it (no private text)."""

    assignment_id: uuid.UUID
    side: str  # the viewer's side: "mentor" or "mentee"
    other_user_id: uuid.UUID
    other_name: str
    other_slack_id: str
    start_date: date
    expected_end_date: date | None
    cadence: str
    status: str
    sessions_held: int
    last_session: datetime | None
    progress_flag: str | None
    kind: str = "standard"  # "reverse": a newer hire teaches a veteran

    def next_check_in_for(self, tz: tzinfo) -> date:
        """The next check-in in the calendar of someone in `tz`: counted from the day
        the last session fell on there, as that person's check-in nudge counts it."""
        last = self.last_session.astimezone(tz).date() if self.last_session else None
        return next_check_in(self.cadence, self.start_date, last)


def next_check_in(cadence: str, start: date, last: date | None) -> date:
    """When the next check-in is due: a cadence period after the last session
    (or after the start when there was none yet)."""
    return (last or start) + timedelta(days=CADENCE_DAYS.get(cadence, CADENCE_DAYS["weekly"]))


# Columns, not whole rows: every App Home reads this, and no goal or feedback is
# shown; both sides' names come in the same statement. Built once (see
# roster._BY_SLACK_ID).
_MENTORSHIPS = (
    select(
        Assignment.id,
        Assignment.mentee_user_id,
        Mentor.user_id,
        Assignment.start_date,
        Assignment.expected_end_date,
        Assignment.check_in_cadence,
        Assignment.status,
        Assignment.sessions_logged,
        Assignment.last_session_at,
        Assignment.progress_flag,
        Assignment.kind,
        access.MENTEE_USER.name.label("mentee_name"),
        access.MENTEE_USER.slack_user_id.label("mentee_slack_user_id"),
        access.MENTOR_USER.name.label("mentor_name"),
        access.MENTOR_USER.slack_user_id.label("mentor_slack_user_id"),
    )
    .join(Mentor, Assignment.mentor_id == Mentor.id)
    .join(access.MENTEE_USER, access.MENTEE_USER.id == Assignment.mentee_user_id)
    .join(access.MENTOR_USER, access.MENTOR_USER.id == Mentor.user_id)
    .where(
        Assignment.status.in_(bindparam("statuses", expanding=True)),
        access.in_mentorship(bindparam("user_id")),
    )
    .order_by(Assignment.start_date, Assignment.created_at)
)


def mentorships_of(
    db: Session, user_id: uuid.UUID, *, statuses: tuple[str, ...] = ("active",)
) -> list[Mentorship]:
    """This person's mentorships (as mentor or mentee) in `statuses`, oldest first."""
    rows = db.execute(_MENTORSHIPS, {"user_id": user_id, "statuses": list(statuses)}).all()
    found = []
    for row in rows:
        mine = "mentee" if row.mentee_user_id == user_id else "mentor"
        other_id, other_name, other_slack_id = (
            (row.user_id, row.mentor_name, row.mentor_slack_user_id)
            if mine == "mentee"
            else (row.mentee_user_id, row.mentee_name, row.mentee_slack_user_id)
        )
        last_dt = _aware(row.last_session_at)
        found.append(
            Mentorship(
                row.id,
                mine,
                other_id,
                other_name,
                other_slack_id,
                row.start_date,
                row.expected_end_date,
                row.check_in_cadence,
                row.status,
                row.sessions_logged,
                last_dt,
                row.progress_flag,
                row.kind,
            )
        )
    return found


def choose(
    db: Session,
    *,
    actor_id: uuid.UUID,
    other_slack_id: str | None,
    statuses: tuple[str, ...] = ("active",),
    as_third_party: bool = False,
) -> uuid.UUID:
    """The mentorship a command is about: the one the person is in with
    `other_slack_id`, or their only one in `statuses` (earlier statuses preferred).
    With `as_third_party`, `other_slack_id` may also be a mentee whose mentorship
    the person oversees (the caller's access rule decides whether they may act)."""
    mine = mentorships_of(db, actor_id, statuses=statuses)
    if other_slack_id:
        mine = [m for m in mine if m.other_slack_id == other_slack_id]
        if not mine and as_third_party:
            found = db.scalar(
                select(Assignment.id)
                .join(User, Assignment.mentee_user_id == User.id)
                .where(User.slack_user_id == other_slack_id, Assignment.status.in_(statuses))
                .order_by(Assignment.created_at.desc())
                .limit(1)
            )
            if found is not None:
                return found
        if not mine:
            raise NotFound(
                f"You have no {' or '.join(statuses)} mentorship with <@{other_slack_id}>."
            )
    for status in statuses:
        candidates = [m for m in mine if m.status == status]
        if len(candidates) == 1:
            return candidates[0].assignment_id
        if len(candidates) > 1:
            names = ", ".join(f"<@{m.other_slack_id}>" for m in candidates)
            raise InvalidInput(
                {
                    "mentorship": f"You have several mentorships ({names}); "
                    "name the person too, e.g. `@name`."
                }
            )
    raise NotFound(f"You have no {' or '.join(statuses)} mentorship.")


def _aware(value: datetime | None) -> datetime | None:
    # Aggregates bypass the column type, so SQLite hands back a naive UTC datetime.
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
