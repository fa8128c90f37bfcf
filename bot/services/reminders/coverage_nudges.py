"""Kind "coverage": a new hire still without a mentor, to their manager once a week
(PRD: 100 % of new CSMs mentored)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select

from bot.services import coverage
from bot.services.reminders.base import Due, DueContext, due_kind, week_of
from bot.services.reminders.people import manager, person_columns, person_of, program_admins


# -- new hires still without a mentor (PRD: 100 % of new CSMs mentored) ----------------------
@due_kind("coverage")
def coverage_nudges(ctx: DueContext) -> Iterator[Due]:
    """Each uncovered new hire's manager, once per ISO week (theirs) while the hire has
    no mentor; a hire without a reachable manager goes to the first program admin, and
    the delivery (bot/sweep_delivery.py) tells every admin."""
    hires = coverage.uncovered_new_hires(ctx.db, ctx.now)
    if not hires:
        return
    manager_ids = {hire.manager_id for hire in hires if hire.manager_id is not None}
    managers = {
        person.user_id: person
        for person in (
            person_of(row, "manager")
            for row in ctx.db.execute(
                select(*person_columns(manager, "manager")).where(manager.id.in_(manager_ids))
            )
        )
    }
    admins = [a for a in program_admins(ctx.db) if a.reachable]
    fallback = min(admins, key=lambda a: a.name) if admins else None
    for hire in hires:
        recipient = managers.get(hire.manager_id) if hire.manager_id else None
        if recipient is None or not recipient.reachable:
            recipient = fallback
        if recipient is None:
            continue
        yield Due(
            "coverage",
            str(hire.user_id),
            week_of(ctx.today(recipient)),
            recipient,
            {
                "mentee_id": str(hire.user_id),
                "mentee_name": hire.name,
                "days_since_hire": hire.days_since_hire,
            },
        )
