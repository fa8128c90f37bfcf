"""People in the finders' queries: the aliases of `users` each role is read through, their
columns, and a `Recipient` built from a row."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Select, Text, and_, cast, exists, false, func, select
from sqlalchemy.orm import Session, aliased

from bot.services.reminders.base import DueContext, Recipient
from models import Assignment, Mentor, Notification, User

# -- people in queries ---------------------------------------------------------------------
# Built once: fresh aliases per sweep would cost more than the queries themselves and
# defeat SQLAlchemy's statement cache.
mentor_user = aliased(User, name="mentor_user")
mentee_user = aliased(User, name="mentee_user")
manager = aliased(User, name="manager_user")
admin = aliased(User, name="admin_user")
#: The side of a pair a reminder about one of their rows goes to (the person asked to
#: answer a proposal, the one told of a cancellation), when that varies from row to row.
addressee = aliased(User, name="addressee_user")


def with_pair(statement: Select[Any]) -> Select[Any]:
    """`statement` (which reaches Assignment) joined to the mentor and both people, with
    their columns (prefixes "mentor" and "mentee") and the mentor's pause."""
    return (
        statement.add_columns(
            Mentor.paused_until,
            *person_columns(mentor_user, "mentor"),
            *person_columns(mentee_user, "mentee"),
        )
        .join(Mentor, Mentor.id == Assignment.mentor_id)
        .join(mentor_user, mentor_user.id == Mentor.user_id)
        .join(mentee_user, mentee_user.id == Assignment.mentee_user_id)
    )


@cache
def person_columns(person: Any, prefix: str) -> tuple[ColumnElement[Any], ...]:
    return (
        person.id.label(f"{prefix}_id"),
        person.slack_user_id.label(f"{prefix}_slack"),
        person.name.label(f"{prefix}_name"),
        person.timezone.label(f"{prefix}_tz"),
        person.deactivated_at.label(f"{prefix}_gone"),
        person.is_bot.label(f"{prefix}_bot"),
    )


def person_of(row: Any, prefix: str) -> Recipient:
    mapping = row._mapping
    return Recipient(
        user_id=mapping[f"{prefix}_id"],
        slack_user_id=mapping[f"{prefix}_slack"],
        name=mapping[f"{prefix}_name"] or mapping[f"{prefix}_slack"],
        timezone=mapping[f"{prefix}_tz"],
        reachable=mapping[f"{prefix}_gone"] is None and not mapping[f"{prefix}_bot"],
    )


def with_person(statement: Select[Any], person: Any, prefix: str, on: Any) -> Select[Any]:
    """`statement` joined to `person` (an alias of users) `on` a condition, with their
    columns under `prefix`, for `pairs.judged` to judge their working hours."""
    return statement.add_columns(*person_columns(person, prefix)).join(person, on)


def to_admins(statement: Select[Any], *, but_mentor: bool = False) -> Select[Any]:
    """`statement` (with `with_pair`'s columns) once per program admin (but the mentor:
    they are told on their own), with the admin's columns (prefix "admin")."""
    chosen = admin.is_admin.is_(True)
    if but_mentor:
        chosen = and_(chosen, admin.id != mentor_user.id)
    return with_person(statement, admin, "admin", chosen)


def program_admins(db: Session) -> list[Recipient]:
    rows = db.execute(select(*person_columns(admin, "admin")).where(admin.is_admin.is_(True)))
    return [person_of(row, "admin") for row in rows]


def settled_for(
    ctx: DueContext,
    kind: str,
    period: str,
    subject: ColumnElement[Any],
    people: tuple[Any, ...] = (mentor_user, mentee_user),
) -> ColumnElement[bool]:
    """True (on PostgreSQL, in a sweep that skips what is settled) when the ledger has
    settled the DM of `kind`/`period` about `subject` to each of `people`: sent,
    dead, or claimed and not yet due for a retry (the check-in finder's test). A finder
    leaves such rows out rather than have the sweep try to claim them again every few
    minutes; it does not count them (the sweep would count them as already handled)."""
    if not ctx.skip_settled or ctx.db.get_bind().dialect.name != "postgresql":
        return false()

    def settled(person: Any) -> ColumnElement[bool]:
        return exists().where(
            Notification.kind == kind,
            Notification.target == func.concat(cast(subject, Text), "/", person.slack_user_id),
            Notification.period == period,
            ~(
                Notification.status.in_(("claimed", "failed"))
                & func.coalesce(Notification.next_attempt_at <= ctx.now, False)
            ),
        )

    return and_(*(settled(person) for person in people))
