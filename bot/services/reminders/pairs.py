"""Rows about a mentorship pair (a scheduled session, a question) and who of the pair a
reminder goes to, with working hours and the claim limit judged in the query when the
sweep asks for it (the scheduler: `count_held`), so that at a hundred thousand
mentorships only what can be sent now reaches Python."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Select, case, func, literal

from bot.services.reminders.base import DueContext, Recipient, row_limit, take
from bot.services.reminders.people import addressee, admin, mentee_user, mentor_user
from bot.services.reminders.zones import zone_table

#: Who a finder's rows may go to, by the prefix of their columns (`people.with_pair`,
#: `people.with_person`, `people.to_admins`).
SIDES = {"mentor": mentor_user, "mentee": mentee_user, "addressee": addressee, "admin": admin}


def recipient(row: Any, side: str) -> Recipient:
    """The person on `side` of a row with `with_pair`'s columns (attribute access: this
    runs for every row a finder reads)."""
    slack = getattr(row, f"{side}_slack")
    return Recipient(
        getattr(row, f"{side}_id"),
        slack,
        getattr(row, f"{side}_name") or slack,
        getattr(row, f"{side}_tz"),
        getattr(row, f"{side}_gone") is None and not getattr(row, f"{side}_bot"),
    )


def judged(
    ctx: DueContext, kind: str, statement: Select[Any], sides: tuple[str, ...], order: Any
) -> Iterator[tuple[Any, list[Recipient]]]:
    """Each row of `statement` (with `with_pair`'s columns) and its recipients among
    `sides`. In a sweep that counts held reminders, a side outside their working hours
    is left out and counted as held for `kind`, and only as many rows as are left of the
    claim limit come back, those with someone to send to first (the rest counted as
    deferred; the next sweeps find them again)."""
    # Core rows: thousands of them don't need the ORM's row processing.
    run = ctx.db.connection().execute
    if not ctx.count_held:
        for row in run(statement):
            yield row, [recipient(row, side) for side in sides]
        return
    working = [value for value, zone in zone_table(ctx).items() if zone.working]
    flags = {side: func.coalesce(SIDES[side].timezone, "").in_(working) for side in sides}
    held = sum((case((flag, 0), else_=1) for flag in flags.values()), literal(0))
    anyone = case(
        (sum((case((f, 1), else_=0) for f in flags.values()), literal(0)) > 0, 0), else_=1
    )
    limit = row_limit(ctx)
    if limit == 0:
        # The finders before this one took the whole claim limit: only the counts, with
        # no row read, sorted or numbered.
        counts = statement.with_only_columns(
            func.coalesce(func.sum(held), 0), func.coalesce(func.sum(len(sides) - held), 0)
        )
        held_count, sendable_count = run(counts).one()
        if held_count:
            ctx.held[kind] += int(held_count)
        take(ctx, kind, int(sendable_count))
        return
    statement = statement.add_columns(
        *(flag.label(f"{side}_working") for side, flag in flags.items()),
        func.sum(held).over().label("held_count"),
        func.sum(len(sides) - held).over().label("sendable_count"),
    ).order_by(anyone, order)
    if limit is not None:
        limit = -(-limit // len(sides))  # rows, each up to one reminder per side
        statement = statement.limit(max(limit, 1))  # one row at least, to read the counts
    first = True
    for index, row in enumerate(run(statement)):
        if first:
            if row.held_count:
                ctx.held[kind] += int(row.held_count)
            take(ctx, kind, int(row.sendable_count))
            first = False
        if limit is not None and index >= limit:
            return
        chosen = [recipient(row, side) for side in sides if getattr(row, f"{side}_working")]
        if chosen:
            yield row, chosen
