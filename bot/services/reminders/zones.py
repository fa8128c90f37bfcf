"""Each timezone people have, resolved once per sweep: its today and whether it is in
working hours, for finders that judge working hours in SQL."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from bot.services.reminders.base import DueContext
from bot.services.working_hours import is_working_time, local_date, zone_of
from models import User

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Zone:
    """What a `users.timezone` value means at `now`, worked out once per value."""

    name: str  # the IANA zone it resolves to (unknown and missing: the program default)
    today: date
    working: bool


#: Zone name -> whether this PostgreSQL server knows it (its tz database may be older).
_POSTGRES_ZONES: dict[str, bool] = {}


def zone_table(ctx: DueContext) -> dict[str, Zone]:
    """Each distinct timezone people have, resolved as `working_hours` does, keyed by
    the column's value ("" for none); read once per context (a sweep's finders share it)."""
    if ctx.zones is not None:
        return ctx.zones
    zones: dict[str, Zone] = {}
    for value in ctx.db.scalars(select(func.coalesce(User.timezone, "")).distinct()):
        timezone = value or None
        zones[value] = Zone(
            zone_of(timezone, ctx.day).key,
            local_date(ctx.now, timezone, ctx.day),
            is_working_time(ctx.now, timezone, ctx.day),
        )
    ctx.zones = zones
    return zones


def recipient_zones(ctx: DueContext) -> dict[str, Zone] | None:
    """`zone_table`, or None if PostgreSQL lacks one of the zones, so the portable
    path (Python's tz database) is used instead of a failing query."""
    zones = zone_table(ctx)
    for name in {zone.name for zone in zones.values()} - _POSTGRES_ZONES.keys():
        try:
            with ctx.db.begin_nested():
                ctx.db.execute(text("SELECT now() AT TIME ZONE :zone"), {"zone": name})
            _POSTGRES_ZONES[name] = True
        except DBAPIError:
            log.warning("PostgreSQL does not know the timezone %s; check-ins found in Python", name)
            _POSTGRES_ZONES[name] = False
    if not all(_POSTGRES_ZONES[zone.name] for zone in zones.values()):
        return None
    return zones
