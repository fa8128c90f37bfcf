"""The program-wide analytics figures as of their last refresh, which App Home reads
instead of recomputing them on every open (bot/services/analytics/summary.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.types import JSONB, UTCDateTime


class AnalyticsSummary(Base):
    """One stored figure by key: "program" (headlines, ramp, the program's averages)
    and "mentor:<mentor id>" (that mentor's place in the ranking). Every row of a
    refresh has the same `computed_at` and `data_version`, written in one transaction."""

    __tablename__ = "analytics_summary"

    key: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    payload: Mapped[Any] = mapped_column(JSONB)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: `analytics.data_version` when it was computed: a change since means it is stale.
    data_version: Mapped[str] = mapped_column(sa.String(60))
