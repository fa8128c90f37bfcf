"""The roster: people, their managers, hire dates and timezones."""

from __future__ import annotations

import csv
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Protocol

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import Session

from bot.services import audit, csv_text, inputs
from bot.services.errors import ImportProblems
from bot.services.timezones import is_valid_timezone
from models import User

WHAT = "Roster"
ROSTER_COLUMNS = (
    "slack_user_id",
    "email",
    "name",
    "title",
    "hire_date",
    "manager_slack_user_id",
    "timezone",
    "location",
)
#: Optional columns we also read; anything else is ignored.
OPTIONAL_COLUMNS = ("performance_rating",)
#: Example rows (a manager, then a new hire reporting to them) for the help and the
#: template: each one imports as it is.
SAMPLE_ROWS = (
    "U01LEAD,lee@example.com,Lee Park,CS Manager,2021-03-01,,America/New_York,New York",
    "U02NEWT,newt@example.com,Newt Diaz,CSM,2026-11-02,U01LEAD,America/Chicago,Chicago",
)


def template_csv() -> str:
    """A roster CSV to fill in: the header and the sample rows."""
    return "\n".join([",".join(ROSTER_COLUMNS), *SAMPLE_ROWS]) + "\n"


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    ignored_columns: list[str] = field(default_factory=list)


@dataclass
class _Row:
    line: int
    slack_user_id: str
    values: dict[str, object]
    manager_slack_user_id: str | None


def import_csv(db: Session, text: str, *, now: datetime) -> ImportResult:
    """Upsert users from roster CSV text, keyed by Slack user id.

    Every row is checked first; if any is bad, ImportProblems lists each problem
    with its line number and nothing is written (all-or-nothing)."""
    reader = csv_text.reader(text)
    header = list(reader.fieldnames or [])
    if "slack_user_id" not in header:
        raise ImportProblems(WHAT, ["line 1: the header has no slack_user_id column"])
    result = ImportResult(
        ignored_columns=[h for h in header if h not in ROSTER_COLUMNS + OPTIONAL_COLUMNS]
    )

    rows, problems = _parse_rows(reader)
    known_ids = set(db.scalars(select(User.slack_user_id)))
    in_file = {row.slack_user_id for row in rows}
    for row in rows:
        manager = row.manager_slack_user_id
        if manager and manager not in in_file and manager not in known_ids:
            problems.append(f"line {row.line}: manager {manager} is not in this file or the roster")
        if manager == row.slack_user_id:
            problems.append(f"line {row.line}: {manager} can't be their own manager")
    if problems:
        raise ImportProblems(WHAT, problems)

    existing = {
        u.slack_user_id: u for u in db.scalars(select(User).where(User.slack_user_id.in_(in_file)))
    }
    for row in rows:
        user = existing.get(row.slack_user_id)
        if user is None:
            user = User(slack_user_id=row.slack_user_id)
            db.add(user)
            existing[row.slack_user_id] = user
            result.created += 1
        else:
            result.updated += 1
        for key, value in row.values.items():
            setattr(user, key, value)
    db.flush()
    managers = {**{u.slack_user_id: u.id for u in existing.values()}}
    missing = {r.manager_slack_user_id for r in rows} - set(managers) - {None}
    if missing:
        managers.update(
            {
                u.slack_user_id: u.id
                for u in db.scalars(select(User).where(User.slack_user_id.in_(missing)))
            }
        )
    for row in rows:
        existing[row.slack_user_id].manager_id = (
            managers[row.manager_slack_user_id] if row.manager_slack_user_id else None
        )
    audit.record(
        db,
        actor_id=None,
        action="roster.imported",
        entity_type="users",
        entity_id=None,
        now=now,
        created=result.created,
        updated=result.updated,
    )
    db.flush()
    return result


def _parse_rows(reader: csv.DictReader[str]) -> tuple[list[_Row], list[str]]:
    rows: list[_Row] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for record in reader:
        line = reader.line_num

        def get(key: str, record: dict[str, str | None] = record) -> str:
            return (record.get(key) or "").strip()

        slack_id = get("slack_user_id")
        if not slack_id:
            problems.append(f"line {line}: slack_user_id is empty")
            continue
        if slack_id in seen:
            problems.append(
                f"line {line}: {slack_id} appears again (first on line {seen[slack_id]})"
            )
            continue
        seen[slack_id] = line
        values: dict[str, object] = {}
        for column in ("email", "name", "title", "location"):
            if column in record:
                values[column] = get(column) or None
        if values.get("name") is None and "name" in record:
            values["name"] = slack_id
        if "hire_date" in record:
            raw = get("hire_date")
            try:
                values["hire_date"] = inputs.iso_date(raw) if raw else None
            except ValueError:
                problems.append(f"line {line}: hire_date '{raw}' is not a date like 2026-03-31")
        if "timezone" in record:
            tz = get("timezone")
            if tz and not is_valid_timezone(tz):
                problems.append(
                    f"line {line}: timezone '{tz}' is unknown; use a name like America/New_York"
                )
            values["timezone"] = tz or None
        if "performance_rating" in record:
            raw = get("performance_rating")
            try:
                values["performance_rating"] = Decimal(raw) if raw else None
            except InvalidOperation:
                problems.append(f"line {line}: performance_rating '{raw}' is not a number")
        rows.append(_Row(line, slack_id, values, get("manager_slack_user_id") or None))
    return rows, problems


#: Built once, as the statements every request or App Home runs are: making a
#: statement and its cache key costs more CPU than running it.
_BY_SLACK_ID = select(User).where(User.slack_user_id == bindparam("slack_user_id"))


def by_slack_id(db: Session, slack_user_id: str) -> User | None:
    """The user with this Slack id, or None."""
    return db.scalar(_BY_SLACK_ID, {"slack_user_id": slack_user_id})


def needs_profile(user: User) -> bool:
    """True while the roster lacks what only Slack's profile tells (name, timezone)."""
    return user.timezone is None or user.name == user.slack_user_id


def refresh_from_slack(
    db: Session, slack_user_id: str, profile: dict[str, object], *, now: datetime
) -> User | None:
    """Copy an active account's Slack profile into this person's roster row; None when
    they are not in the roster (a profile alone never adds anyone). Someone marked as
    gone whose account Slack shows active again (reactivated) is active again; what
    ended when they left stays ended."""
    user = by_slack_id(db, slack_user_id)
    if user is None:
        return None
    changed = _profile_changes(user, profile)
    apply_profile(user, profile)
    if changed:
        # A name, timezone or bot flag changes how this person is matched and shown:
        # a state change like any other, so the data's version moves with it.
        audit.record(
            db,
            actor_id=None,
            action="user.profile_updated",
            entity_type="user",
            entity_id=user.id,
            now=now,
            changed=changed,
        )
    if _reactivated(user, profile):
        user.deactivated_at = None
        audit.record(
            db,
            actor_id=None,
            action="user.reactivated",
            entity_type="user",
            entity_id=user.id,
            now=now,
        )
    db.flush()
    return user


def due_for_check(
    db: Session, user_ids: Iterable[uuid.UUID], *, checked_before: datetime, limit: int
) -> list[str]:
    """Slack ids of these people (still active) whose account `users.info` has not
    confirmed since `checked_before`, least recently checked first, at most `limit`."""
    ids = list(set(user_ids))
    found: list[tuple[datetime | None, str]] = []
    for start in range(0, len(ids), 1000):  # keep the IN list a size every database takes
        found.extend(
            (checked, slack_user_id)
            for slack_user_id, checked in db.execute(
                select(User.slack_user_id, User.profile_checked_at).where(
                    User.id.in_(ids[start : start + 1000]),
                    User.deactivated_at.is_(None),
                    or_(
                        User.profile_checked_at.is_(None),
                        User.profile_checked_at < checked_before,
                    ),
                )
            )
        )
    found.sort(key=lambda row: (row[0] is not None, row[0] or checked_before, row[1]))
    return [slack_user_id for _, slack_user_id in found[:limit]]


def mark_checked(db: Session, slack_user_ids: Iterable[str], *, now: datetime) -> None:
    """`users.info` confirmed these accounts are active, at `now`."""
    ids = list(slack_user_ids)
    if ids:
        db.execute(
            update(User)
            .where(User.slack_user_id.in_(ids))
            .values(profile_checked_at=now)
            .execution_options(synchronize_session=False)
        )
        audit.record(
            db,
            actor_id=None,
            action="users.profile_checked",
            entity_type="users",
            entity_id=None,
            now=now,
            checked=len(ids),
        )


def apply_profile(user: User, profile: dict[str, object]) -> None:
    """Copy what Slack knows (name, email, tz, bot flag) into the user row."""
    for name, value in _profile_values(user, profile).items():
        setattr(user, name, value)


def profile_is_news(user: User, profile: dict[str, object]) -> bool:
    """Whether `refresh_from_slack` would change this person's roster row: almost
    every profile Slack sends is what the roster holds already, and knowing it takes
    a read, not a transaction."""
    return _reactivated(user, profile) or bool(_profile_changes(user, profile))


def _profile_changes(user: User, profile: dict[str, object]) -> list[str]:
    """The user row's columns Slack's profile has another value for, sorted."""
    values = _profile_values(user, profile)
    return sorted(name for name, value in values.items() if getattr(user, name) != value)


def _profile_values(user: User, profile: dict[str, object]) -> dict[str, object]:
    """The user row's columns as Slack's profile has them (those it says anything of)."""
    inner = profile.get("profile") if isinstance(profile.get("profile"), dict) else {}
    assert isinstance(inner, dict)
    values: dict[str, object] = {}
    name = inner.get("real_name") or profile.get("real_name") or profile.get("name")
    if name and (not user.name or user.name == user.slack_user_id):
        values["name"] = str(name)
    email = inner.get("email")
    if email and not user.email:
        values["email"] = str(email)
    tz = profile.get("tz")
    if isinstance(tz, str) and is_valid_timezone(tz):
        values["timezone"] = tz
    values["is_bot"] = bool(profile.get("is_bot")) or profile.get("id") == "USLACKBOT"
    return values


def _reactivated(user: User, profile: dict[str, object]) -> bool:
    """Someone marked as gone whose account Slack shows active again."""
    return user.deactivated_at is not None and not profile.get("deleted")


def reports_of(db: Session, manager_id: uuid.UUID) -> list[User]:
    """Everyone below this manager in the roster, at any depth."""
    ids = report_ids(db, manager_id)
    users = {u.id: u for u in db.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    return [users[i] for i in ids]  # nearest first, as the roster goes down


# Built once (see _BY_SLACK_ID): a manager's App Home asks after every change.
_REPORTS_OF_ANY = select(User.id).where(User.manager_id.in_(bindparam("managers", expanding=True)))


def report_ids(db: Session, manager_id: uuid.UUID) -> list[uuid.UUID]:
    """The ids of everyone below this manager, at any depth: a level at a time
    through the manager index, reading ids only (a team's App Home and records need
    no more)."""
    found: list[uuid.UUID] = []
    frontier = [manager_id]
    seen = {manager_id}
    while frontier:
        level = list(db.scalars(_REPORTS_OF_ANY, {"managers": frontier}))
        level = [i for i in level if i not in seen]
        seen.update(level)
        found.extend(level)
        frontier = level
    return found


class Reporting(Protocol):
    """Someone in the roster, as far as whom they report to goes: a User row, or a
    mentee as matching reads them (`match_mentees.Mentee`)."""

    @property
    def name(self) -> str: ...

    @property
    def manager_id(self) -> uuid.UUID | None: ...


def is_above(db: Session, manager_id: uuid.UUID, user: Reporting) -> bool:
    """True when `manager_id` is the user's manager or anyone above them."""
    seen: set[uuid.UUID] = set()
    current = user.manager_id
    while current is not None and current not in seen:
        if current == manager_id:
            return True
        seen.add(current)
        current = db.scalar(select(User.manager_id).where(User.id == current))
    return False
