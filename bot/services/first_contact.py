"""The roster meets people through Slack: the first request of someone (created from
the request alone, or their roster row noted as reached), and the admins named by
`MENTORBOT_ADMINS`. Each change is made once however many requests race for it
(conditional writes) and is audited once: a first contact as the person's own, an
admin grant as the start-up configuration's."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, load_only
from sqlalchemy.orm.attributes import set_committed_value

from bot.services import audit
from bot.services.roster import by_slack_id, needs_profile
from models import User


def ensure_user(
    db: Session, *, slack_user_id: str, team_id: str, admin_ids: list[str], now: datetime
) -> User:
    """The user behind a Slack request, created on first contact from the request
    alone: nothing here waits for Slack, because the request must be acknowledged
    within 3 seconds. `needs_profile` says whether to fetch the Slack profile (after
    the ack); `MENTORBOT_ADMINS` members are made admins. Each change is audited: a
    first contact as the person's own, an admin grant as the configuration's."""
    user = by_slack_id(db, slack_user_id)
    created = False
    if user is None:
        # Two first requests from one person arrive together (a double click, a slash
        # command and the App Home opening): the insert that loses the race does
        # nothing, waits for the winner, and both read the same row.
        created = insert_if_absent(
            db,
            User,
            {
                "id": uuid.uuid4(),
                "slack_user_id": slack_user_id,
                "team_id": team_id,
                "name": slack_user_id,
            },
        )
        user = by_slack_id(db, slack_user_id)
        assert user is not None  # inserted by us or by the request that won the race
    first_request = created or not user.team_id
    # Conditional updates: of two first requests at once only one changes the row (the
    # other finds it changed once the first commits), so the change is audited once. A
    # row read as already so is not written: almost every request is such, and needs
    # no UPDATE on its way to the ack.
    team_changed = (
        not created
        and _moves_workspace(user, team_id)
        and _changed(db, user, User.team_id.is_distinct_from(team_id), team_id=team_id)
    )
    granted = _made_admin(user, admin_ids) and _changed(
        db, user, User.is_admin.is_(False), is_admin=True
    )
    if created or team_changed:
        audit.record(
            db,
            actor_id=user.id,
            action="user.first_contact" if first_request else "user.workspace_changed",
            entity_type="user",
            entity_id=user.id,
            now=now,
            team_id=team_id or None,
        )
    if granted:
        _admin_granted(db, user, now=now)
    return user


def known_unchanged(
    db: Session, *, slack_user_id: str, team_id: str, admin_ids: list[str]
) -> User | None:
    """The user behind a Slack request when the request changes nothing of theirs
    (almost every request: someone known, from the same workspace, made admin
    already if MENTORBOT_ADMINS names them); None when `ensure_user` has work to do.
    It only reads, so it can run outside any transaction (`Runtime.reading`)."""
    user = by_slack_id(db, slack_user_id)
    return user if user is not None and unchanged(user, team_id, admin_ids) else None


def unchanged(user: User, team_id: str, admin_ids: list[str]) -> bool:
    """Whether a request from `team_id` leaves this roster row as it is (`ensure_user`
    has nothing to do for it)."""
    return not _moves_workspace(user, team_id) and not _made_admin(user, admin_ids)


def settled(user: User, team_id: str, admin_ids: list[str]) -> bool:
    """Whether a request from `team_id` by this person has nothing to do for the roster:
    no first contact or change to write, no Slack profile to fetch. The one test of
    who may be answered without reading the roster (bot/listeners/regulars.py)."""
    return unchanged(user, team_id, admin_ids) and not needs_profile(user)


def settled_people(db: Session, team_id: str, admin_ids: list[str], limit: int) -> list[str]:
    """The Slack ids of up to `limit` people of workspace `team_id` who are `settled`:
    everyone who used MentorBot before, with their profile in."""
    # Only the workspace narrows the read; `settled` itself decides, row by row. Read
    # in batches of only what it looks at, so a big roster never sits in memory whole.
    found = db.scalars(
        select(User)
        .options(
            load_only(User.slack_user_id, User.team_id, User.is_admin, User.name, User.timezone)
        )
        .where(User.team_id == team_id)
        .limit(limit)
        .execution_options(yield_per=1000)
    )
    return [u.slack_user_id for u in found if settled(u, team_id, admin_ids)]


def _moves_workspace(user: User, team_id: str) -> bool:
    """A request from a workspace other than the roster's for this person (or the
    first with one)."""
    return bool(team_id) and user.team_id != team_id


def _made_admin(user: User, admin_ids: list[str]) -> bool:
    return user.slack_user_id in admin_ids and not user.is_admin


def insert_if_absent(db: Session, model: type[Any], values: dict[str, Any]) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING, on SQLite and PostgreSQL alike: a row whose
    unique key is already taken (or being taken by a concurrent transaction, which it
    waits for) is left as it is, with no error to roll the transaction back. Whether
    this insert made the row."""
    dialect = db.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    result = db.execute(insert(model).values(**values).on_conflict_do_nothing())
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _changed(db: Session, user: User, unless_already: Any, **values: object) -> bool:
    """Set `values` on the user's row where `unless_already` holds; whether it did."""
    result = db.execute(
        update(User)
        .where(User.id == user.id, unless_already)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return False
    # The row holds `values` now, and a new updated_at (read again only if asked for):
    # no reload of the whole row on the way to the ack.
    for key, value in values.items():
        set_committed_value(user, key, value)
    db.expire(user, ["updated_at"])
    return True


def grant_configured_admins(db: Session, admin_ids: list[str], *, now: datetime) -> int:
    """Make the roster's `MENTORBOT_ADMINS` people admins now, not at their first Slack
    request, so escalations and admin digests reach them from the start. Each grant is
    audited as the start-up configuration's (no person). Returns how many were newly
    made admins."""
    if not admin_ids:
        return 0
    candidates = db.scalars(
        select(User).where(User.slack_user_id.in_(admin_ids), User.is_admin.is_(False))
    ).all()
    # Conditional, as at first contact: two replicas starting at once grant (and audit) once.
    granted = [u for u in candidates if _changed(db, u, User.is_admin.is_(False), is_admin=True)]
    for user in granted:
        _admin_granted(db, user, now=now)
    return len(granted)


#: An audit row's `source` when MENTORBOT_ADMINS made the change (no person did).
CONFIGURED = "MENTORBOT_ADMINS"


def _admin_granted(db: Session, user: User, *, now: datetime) -> None:
    audit.record(
        db,
        actor_id=None,
        action="user.admin_granted",
        entity_type="user",
        entity_id=user.id,
        now=now,
        source=CONFIGURED,
    )
