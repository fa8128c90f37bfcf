"""What the reliability tests compare: every table's rows, and what each person sees
in Slack (messages, ephemeral replies, open modals, home tabs)."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

import models
from bot.testing.fake_slack import FakeSlack

#: Bookkeeping of deliveries themselves, not state a person or a report sees: the keys
#: of Slack's deliveries handled, and the outbox of messages to post (what reaches
#: Slack is compared as what people see).
DELIVERY_BOOKKEEPING = {"handled_interactions", "outbox"}


def table_rows(engine: sa.Engine) -> dict[str, dict[str, tuple[Any, ...]]]:
    """Every table's rows by primary key (as text), each row as a tuple of its values."""
    found: dict[str, dict[str, tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for table in models.Base.metadata.sorted_tables:
            key_columns = list(table.primary_key.columns)
            rows = {}
            for row in conn.execute(sa.select(table)):
                key = ":".join(str(row._mapping[c.name]) for c in key_columns)
                rows[key] = tuple(str(v) for v in row)
            found[table.name] = rows
    return found


def _view(view: dict[str, Any]) -> str:
    # A view's id, hash and typed state change with each update; its content is what shows.
    shown = {k: v for k, v in view.items() if k not in ("id", "hash", "state")}
    return json.dumps(shown, sort_keys=True)


def slack_seen(fake: FakeSlack) -> dict[str, str]:
    """What each surface of the fake Slack shows now, as comparable text."""
    with fake._lock:
        return {
            "messages": json.dumps(
                {c: [(m.ts, m.text, m.blocks) for m in ms] for c, ms in fake.messages.items()},
                sort_keys=True,
            ),
            "ephemeral": json.dumps(
                {u: [(m.text, m.blocks) for m in ms] for u, ms in fake.ephemerals.items()},
                sort_keys=True,
            ),
            "modals": json.dumps(
                {u: [_view(v) for v in stack] for u, stack in fake.views.items()}, sort_keys=True
            ),
            "modal updates held": json.dumps(fake.held_updates, sort_keys=True, default=str),
            "homes": json.dumps({u: _view(v) for u, v in fake.homes.items()}, sort_keys=True),
        }


def everything(engine: sa.Engine, fake: FakeSlack) -> dict[str, Any]:
    """Each table (but the delivery bookkeeping) and each Slack surface, by name."""
    tables = {
        f"table {name}": rows
        for name, rows in table_rows(engine).items()
        if name not in DELIVERY_BOOKKEEPING
    }
    return {**tables, **{f"slack {k}": v for k, v in slack_seen(fake).items()}}
