"""The audit is complete: through a whole mentorship (a first contact, admins granted at
start-up, opt-in, match, assign, accept, a session, a reminder, a milestone, feedback
and completion), every row any step inserts, updates or deletes in any table is
covered by an audit row written in that step, naming who acted (a person, or None for
the system and the start-up configuration).

A changed row is covered by an audit row of the same step that names it (its table
and id), names a row it belongs to (a key of the changed row points at the audited
row: the milestones an accept creates belong to the mentorship), names a row that
points at it (the mentor whose slot count an accept takes), carries its id among the
details, or names its table with no id (a bulk change, counted in the details)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa

import models
from bot.services import audit, first_contact
from models import ramp_facts
from tests.reliability import observe
from tests.reliability.whole_flow import STEPS, Story
from tests.reminders_support import sweeper

# Calendar dates throughout (the story's own clock): `.ci/clock-proof` runs them shifted too.
pytestmark = [pytest.mark.reliability, pytest.mark.clock]

#: Not state: the audit itself, and the keys of deliveries already handled.
NOT_AUDITED = {"audit_log", *observe.DELIVERY_BOOKKEEPING}


def someone_new_writes(s: Story) -> None:
    """Someone the roster has never seen writes to the bot."""
    s.slack.fake.add_user("UFIRST", "Fay First", tz="Europe/Paris")
    s.slack.slash("UFIRST", "/mentor", "help")


def admins_at_start_up(s: Story, served: Any) -> None:
    """The app starts with MENTORBOT_ADMINS naming Max: he is made an admin then."""
    with served.runtime.db() as db:
        first_contact.grant_configured_admins(db, ["UMAX"], now=s.clock[0])


def _rows_by_table(engine: sa.Engine) -> dict[str, dict[str, dict[str, Any]]]:
    """Every row of every table as {column: value}, by table and primary key."""
    found: dict[str, dict[str, dict[str, Any]]] = {}
    with engine.connect() as conn:
        for table in models.Base.metadata.sorted_tables:
            keys = list(table.primary_key.columns)
            found[table.name] = {
                ":".join(str(row._mapping[c.name]) for c in keys): {
                    k: _text(v) for k, v in row._mapping.items()
                }
                for row in conn.execute(sa.select(table))
            }
    return found


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, default=str)
    return str(value)


#: Columns recounted from other rows in the same transaction (models/ramp_facts.py,
#: bot/services/tallies.py): a change to them alone is traced through the change they
#: were recounted for, to any audited row of the same parent.
DERIVED = {
    "mentee_ramp_milestones": set(ramp_facts.FACTS),
    "mentorship_assignments": {
        "sessions_logged",
        "group_seats",
        "group_seats_attended",
        "last_session_at",
    },
}


def _changed(
    before: dict[str, dict[str, dict[str, Any]]], after: dict[str, dict[str, dict[str, Any]]]
) -> list[tuple[str, str, dict[str, Any], bool]]:
    """(table, id, the row as it is now or was last, whether only derived columns
    changed) of each row inserted, updated or deleted between the two readings."""
    changed = []
    for table, rows in after.items():
        if table in NOT_AUDITED:
            continue
        old = before.get(table, {})
        for key in set(rows) | set(old):
            new_row, old_row = rows.get(key), old.get(key)
            if new_row == old_row:
                continue
            columns = (
                {c for c in new_row if new_row[c] != old_row[c]}
                if new_row is not None and old_row is not None
                else None
            )
            # `updated_at` alone: a recount touched the row and changed nothing else.
            derived = columns is not None and columns <= DERIVED.get(table, set()) | {"updated_at"}
            changed.append((table, key, new_row or old_row, derived))  # type: ignore[arg-type]
    return changed


_LINKS = {
    table.name: [
        (fk.parent.name, fk.column.table.name)
        for fk in table.foreign_keys
        if fk.column.name == "id"
    ]
    for table in models.Base.metadata.sorted_tables
}


def _covered(
    table: str,
    key: str,
    row: dict[str, Any],
    derived: bool,
    entries: list[dict[str, Any]],
    rows: dict[str, dict[str, dict[str, Any]]],
) -> bool:
    for entry in entries:
        known = entry["entity_type"] in audit.ENTITY_TABLES
        assert known, f"audit entity type {entry['entity_type']!r} is not in ENTITY_TABLES"
        named = audit.ENTITY_TABLES[entry["entity_type"]]
        if named is None:
            continue
        named_id = entry["entity_id"]
        if named == table and named_id in (key, None):
            return True
        if any(str(v) == key for v in _flat(entry["details"])):
            return True
        # The changed row belongs to the audited one ...
        if any(row.get(col) == named_id and ref == named for col, ref in _LINKS[table]):
            return True
        # ... or the audited row points at the changed one.
        audited = rows.get(named, {}).get(str(named_id))
        if audited and any(audited.get(col) == key and ref == table for col, ref in _LINKS[named]):
            return True
        # A recount: the audited row and this one belong to the same parent.
        if derived and audited and _parents(table, row) & _parents(named, audited):
            return True
    return False


def _parents(table: str, row: dict[str, Any]) -> set[tuple[str, Any]]:
    return {(ref, row.get(col)) for col, ref in _LINKS[table] if row.get(col) is not None}


def _flat(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [v for item in value.values() for v in _flat(item)]
    if isinstance(value, list):
        return [v for item in value for v in _flat(item)]
    return [value]


def test_every_changed_row_of_a_whole_mentorship_is_audited(  # type: ignore[no-untyped-def]
    served, slack, world, engine, clock, settings
) -> None:
    story = Story(slack, world, sweeper(served, settings), clock, served.runtime)
    steps = [
        ("first contact", someone_new_writes),
        ("admins granted at start-up", lambda s: admins_at_start_up(s, served)),
        *STEPS,
    ]
    people = {str(p.user_id) for p in world.people.values()}
    changed_rows = 0
    untraced: list[str] = []
    silent_steps: list[str] = []
    for name, step in steps:
        before = _rows_by_table(engine)
        story.a_minute_later()
        step(story)
        served.executor.wait_idle()
        after = _rows_by_table(engine)
        new_audit = [
            {
                **row,
                "details": _details(row["details"]),
            }
            for key, row in after["audit_log"].items()
            if key not in before["audit_log"]
        ]
        changed = _changed(before, after)
        changed_rows += len(changed)
        if changed and not new_audit:
            silent_steps.append(name)
        for table, key, row, derived in changed:
            if not _covered(table, key, row, derived, new_audit, after):
                untraced.append(f"{name}: {table} {key}")
        for entry in new_audit:
            actor = entry["actor_user_id"]
            # A person of the story (or one met on first contact), or the system.
            assert actor is None or actor in people or actor in after["users"], entry
    print(
        f"\nsteps: {len(steps)}, without an audit row: {len(silent_steps)}; changed rows: "
        f"{changed_rows}, untraceable: {len(untraced)}"
    )
    assert changed_rows >= 40  # the story really changed things
    assert silent_steps == [], silent_steps
    assert untraced == [], "\n".join(untraced)


def _details(raw: Any) -> Any:
    return json.loads(raw) if isinstance(raw, str) else raw
