"""What is due: every reminder a sweep should send at `now`, as plain values.

Each kind of reminder is one module here whose finder is registered with
`@due_kind("name")`: it reads the models with set-based queries (one or two per kind,
however many mentorships there are) and yields `Due` items. A `Due` names its recipient
and its ledger key (kind, target, period); the period is what makes it "once": one
check-in nudge per cadence period, one reminder per pending request, one digest per ISO
week...

Whether the recipient is in their working hours, and whether the reminder was already
sent, is decided by the sweep (`bot/sweep.py`) with `working_hours` and the `ledger`;
finders only say what is due. The shared machinery is in `base` (what is due, the
registry, running the finders), `people` (recipients in queries) and `zones` (each
timezone's day); a new kind is one new module and one line in `KINDS` below."""

import importlib

from bot.services.reminders.base import (
    DUE_KINDS,
    OVERDUE_LOOKBACK_DAYS,
    PRIORITY,
    Due,
    DueContext,
    Finder,
    Recipient,
    collect_due,
    due_kind,
    find_due,
    week_of,
)
from bot.services.reminders.checkins import cadence_step, checkin_due_date, latest_cycle_date
from bot.services.reminders.digests import program_figures
from bot.services.reminders.people import mentee_user, mentor_user
from bot.services.reminders.snooze import SNOOZE, Snoozed, snooze_week

#: The kind modules, by name: importing each registers its finders in DUE_KINDS.
KINDS = (
    "action_items",
    "checkins",
    "coverage_nudges",
    "digests",
    "end_of_term",
    "milestones",
    "requests",
    "reviews",
)
for _kind in KINDS:
    importlib.import_module(f"{__name__}.{_kind}")

__all__ = [
    "DUE_KINDS",
    "KINDS",
    "OVERDUE_LOOKBACK_DAYS",
    "PRIORITY",
    "SNOOZE",
    "Due",
    "DueContext",
    "Finder",
    "Recipient",
    "Snoozed",
    "cadence_step",
    "checkin_due_date",
    "collect_due",
    "due_kind",
    "find_due",
    "latest_cycle_date",
    "mentee_user",
    "mentor_user",
    "program_figures",
    "snooze_week",
    "week_of",
]
