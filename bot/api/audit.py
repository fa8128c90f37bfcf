"""The audit log, readable: `GET /api/audit` (admins, service tokens with `audit:read`)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, BaseModel

from bot.api.auth import CallerDep
from bot.api.common import Limit, Offset, Page, page_of
from bot.services import records
from models import AuditEntry

router = APIRouter(tags=["audit"])


class AuditOut(BaseModel):
    id: uuid.UUID
    created_at: datetime
    actor_user_id: uuid.UUID | None
    api_client: str | None
    action: str
    entity_type: str
    entity_id: str | None
    details: dict[str, Any]


def render(entry: AuditEntry) -> AuditOut:
    return AuditOut(
        id=entry.id,
        created_at=entry.created_at,
        actor_user_id=entry.actor_user_id,
        api_client=entry.api_client,
        action=entry.action,
        entity_type=entry.entity_type,
        entity_id=entry.entity_id,
        details=dict(entry.details or {}),
    )


@router.get("/audit", response_model=Page[AuditOut])
def audit_log(
    caller: CallerDep,
    since: Annotated[AwareDatetime | None, Query(description="From this instant on")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[AuditOut]:
    """Who did what and when, oldest first (ids, statuses and counts: never private text)."""
    caller.require_scope("audit:read")
    with caller.db() as db:
        found = records.audit_page(
            db, viewer_id=caller.user_id, since=since, limit=limit, offset=offset
        )
        return page_of([render(e) for e in found.rows], found.total, limit, offset)
