"""The audit trail: one row per state change."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AuditEntry, User

#: The table each `entity_type` names (older rows spell some in the singular): what
#: an audit row's entity id is an id of. None: no table (a refusal changes nothing).
ENTITY_TABLES: dict[str, str | None] = {
    "admin_surface": None,
    "api_token": "api_tokens",
    "circle": "topic_circles",
    "circle_session": "circle_sessions",
    "curriculum": "curriculum_topics",
    "mentor_trainings": "mentor_trainings",
    "milestone_template": "milestone_templates",
    "assignment": "mentorship_assignments",
    "mentorship_assignment": "mentorship_assignments",
    "match_proposal": "match_proposals",
    "mentee_ramp_milestone": "mentee_ramp_milestones",
    "mentee_ramp_milestones": "mentee_ramp_milestones",
    "mentor": "mentors",
    "mentor_questions": "mentor_questions",
    "mentorship_session": "mentorship_sessions",
    "milestone_templates": "milestone_templates",
    "notifications": "notifications",
    "interaction_state": "interaction_state",
    "program_settings": "program_settings",
    "scheduled_sessions": "scheduled_sessions",
    "slack_token": "slack_token_state",
    "user": "users",
    "users": "users",
}

#: The kinds of data a change can be to, each with its own version of the data
#: (`data_version`): a cache follows the kinds it shows.
#: - "contact": the roster meeting people through Slack (a first contact, a move to
#:   another workspace, accounts confirmed active); changes no figure and no ranking.
#: - "profile": a Slack profile copied in (name, timezone, bot flag); changes how people
#:   are matched and named, not anyone's own figures.
#: - "program": every other change, and the kind of any action not named below.
CONTACT, PROFILE, PROGRAM = "contact", "profile", "program"
_KIND_OF_ACTION = {
    "user.first_contact": CONTACT,
    "user.workspace_changed": CONTACT,
    "users.profile_checked": CONTACT,
    "user.profile_updated": PROFILE,
}


def kind_of(action: str) -> str:
    """The kind of data an audited `action` changes (see CONTACT, PROFILE, PROGRAM)."""
    return _KIND_OF_ACTION.get(action, PROGRAM)


#: The API client a change comes through (set by the REST API around its transaction).
_api_client: ContextVar[str | None] = ContextVar("mentorbot_api_client", default=None)


@contextmanager
def through_api(client: str) -> Iterator[None]:
    """Audit rows written inside this block name `client` as the way the change came."""
    reset = _api_client.set(client)
    try:
        yield
    finally:
        _api_client.reset(reset)


def record(
    db: Session,
    *,
    actor_id: uuid.UUID | None,
    action: str,
    entity_type: str,
    entity_id: uuid.UUID | str | None,
    now: datetime,
    **details: Any,
) -> None:
    """Write who did what to which entity, in the caller's transaction.

    `details` must hold ids, statuses and counts only, never private text."""
    db.add(
        AuditEntry(
            actor_user_id=actor_id,
            api_client=_api_client.get(),
            action=action,
            entity_type=entity_type,
            entity_id=str(entity_id) if entity_id is not None else None,
            details={k: _jsonable(v) for k, v in details.items()},
            created_at=now,
            kind=kind_of(action),
        )
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, uuid.UUID | datetime):
        return str(value)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


#: The columns of an exported audit row, in order.
EXPORT_COLUMNS = (
    "created_at",
    "actor_user_id",
    "actor_slack_user_id",
    "api_client",
    "action",
    "entity_type",
    "entity_id",
    "details",
)


def export(db: Session, *, since: datetime | None = None) -> Iterator[dict[str, Any]]:
    """Every audit row from `since` on, oldest first, as plain values (who did what,
    when, through which API client), read in batches."""
    query = (
        select(AuditEntry, User.slack_user_id)
        .outerjoin(User, User.id == AuditEntry.actor_user_id)
        .order_by(AuditEntry.created_at, AuditEntry.id)
        .execution_options(yield_per=500)
    )
    if since is not None:
        query = query.where(AuditEntry.created_at >= since)
    for entry, slack_user_id in db.execute(query):
        yield {
            "created_at": entry.created_at.isoformat(),
            "actor_user_id": str(entry.actor_user_id) if entry.actor_user_id else None,
            "actor_slack_user_id": slack_user_id,
            "api_client": entry.api_client,
            "action": entry.action,
            "entity_type": entry.entity_type,
            "entity_id": entry.entity_id,
            "details": dict(entry.details or {}),
        }
