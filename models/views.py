"""Views the migrations create, read with Core (they are not tables: no model, no drift
check, nothing to clean)."""

from __future__ import annotations

import sqlalchemy as sa

from models.types import UTCDateTime

_views = sa.MetaData()

#: The non-private columns of the sessions the acting person may see the status of
#: (on PostgreSQL filtered by the database itself; see migration 0008).
session_status = sa.Table(
    "mentorship_session_status",
    _views,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("assignment_id", sa.Uuid),
    sa.Column("session_date", UTCDateTime()),
    sa.Column("duration_minutes", sa.Integer),
    sa.Column("logged_by", sa.String(20)),
    sa.Column("attended", sa.Boolean),
    sa.Column("mentee_confidence_before", sa.Integer),
    sa.Column("mentee_confidence_after", sa.Integer),
    sa.Column("session_quality", sa.Integer),
    sa.Column("created_at", UTCDateTime()),
)
