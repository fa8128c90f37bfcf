"""Kind "action_item": a session's open action item due tomorrow or overdue (PRD FR-3.4);
on PostgreSQL the items are unpacked and judged in one query."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, literal_column, or_, select
from sqlalchemy import cast as sa_cast
from sqlalchemy.types import Boolean, Date, Text

from bot.services.mentors import paused_clause, paused_on
from bot.services.reminders.base import (
    OVERDUE_LOOKBACK_DAYS,
    Due,
    DueContext,
    Recipient,
    due_kind,
    judged_rows,
    row_limit,
)
from bot.services.reminders.people import (
    mentee_user,
    mentor_user,
    person_of,
    with_pair,
)
from bot.services.reminders.zones import Zone, by_zone, zone_table
from models import Assignment, MentorshipSession, Notification
from models.sessions import item_due_date


# -- action items from sessions (PRD FR-3.4) -----------------------------------------------
@due_kind("action_item")
def action_items(ctx: DueContext) -> Iterator[Due]:
    """The owner of an open action item the day before it is due, and once when overdue."""
    if _items_in_postgresql(ctx):
        for row in judged_rows(ctx, "action_item", ctx.db.execute(_items_in_sql(ctx))):
            people = {"mentor": person_of(row, "mentor"), "mentee": person_of(row, "mentee")}
            due = _item_due(ctx, row, people, row.position, row.item)
            if due is not None:
                yield due
        return
    rows = ctx.db.execute(
        with_pair(
            select(
                MentorshipSession.id,
                MentorshipSession.assignment_id,
                MentorshipSession.action_items,
            ).join(Assignment, Assignment.id == MentorshipSession.assignment_id)
        ).where(Assignment.status == "active", _may_have_items_due(ctx))
    )
    for row in rows:
        people = {"mentor": person_of(row, "mentor"), "mentee": person_of(row, "mentee")}
        for index, item in enumerate(row.action_items or []):
            due = _item_due(ctx, row, people, index, item)
            if due is not None:
                yield due


def _item_due(
    ctx: DueContext, row: Any, people: dict[str, Recipient], index: int, item: Any
) -> Due | None:
    """The reminder action item number `index` of session `row` calls for now, if any."""
    if not isinstance(item, dict) or item.get("done"):
        return None
    owner = item.get("owner")
    due_on = item_due_date(item)
    if owner not in people or due_on is None:
        return None
    recipient = people[owner]
    today = ctx.today(recipient)
    if owner == "mentor" and paused_on(row.paused_until, today):
        return None
    days_left = (due_on - today).days
    if days_left == 1:
        kind = "item_tomorrow"
    elif -OVERDUE_LOOKBACK_DAYS <= days_left < 0:
        kind = "item_overdue"
    else:
        return None
    item_id = str(item.get("id") or index)
    other = people["mentee" if owner == "mentor" else "mentor"]
    return Due(
        kind,
        f"{row.id}:{item_id}",
        due_on.isoformat(),
        recipient,
        {
            "session_id": str(row.id),
            "item_id": item_id,
            "assignment_id": str(row.assignment_id),
            "item": str(item.get("item") or ""),
            "due": due_on.isoformat(),
            "other_name": other.name,
        },
    )


#: A date written as YYYY-MM-DD: the only form the SQL filters compare as text.
_ISO_DATE = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def _item_window(ctx: DueContext) -> dict[str, str]:
    # One day either side of UTC covers every timezone's "today".
    utc_today = ctx.now.date()
    return {
        "earliest": (utc_today - timedelta(days=OVERDUE_LOOKBACK_DAYS + 1)).isoformat(),
        "latest": (utc_today + timedelta(days=2)).isoformat(),
    }


def _items_in_sql(ctx: DueContext) -> Select[Any]:
    """PostgreSQL: the active mentorships' action items one per row, only those that may
    be due around now (an object, not ticked off, owned by the mentor or the mentee, and
    a due date that is not plainly a date outside the window), so Python reads only
    those; `_item_due` still applies the exact rules per recipient.

    An item with a YYYY-MM-DD due date (all the app writes) is judged here in full, in
    its owner's calendar: left out when it is not due or its mentor owner is paused, and
    (for a sweep) counted and left out when it is settled in the ledger or held for its
    owner's working hours. The first two columns are those counts; a row of NULLs
    follows them when nothing else is due."""
    window = _item_window(ctx)
    zones = zone_table(ctx)
    element = (
        func.jsonb_array_elements(
            case(
                (
                    func.jsonb_typeof(MentorshipSession.action_items) == "array",
                    MentorshipSession.action_items,
                ),
                else_=literal_column("'[]'::jsonb"),
            )
        )
        .table_valued("value", with_ordinality="position")
        .render_derived(name="element", with_types=False)
        .lateral()
    )
    value = element.c.value
    due = value.op("->>")("due")
    is_iso = and_(func.jsonb_typeof(value.op("->")("due")) == "string", due.op("~")(_ISO_DATE))
    plainly_outside = and_(is_iso, or_(due < window["earliest"], due > window["latest"]))
    owner = value.op("->>")("owner")
    # Python reads any falsy "done" as open; SQL judges only the plain cases.
    plainly_open = or_(
        value.op("->")("done").is_(None),
        func.jsonb_typeof(value.op("->")("done")).in_(("null", "boolean")),
    )
    by_owner = _owner_columns(owner, zones)
    item_id = value.op("->")("id")
    # str(item.get("id") or index): a non-empty string as it is, nothing (or "") the index;
    # any other id is left to Python.
    key_id = case(
        (
            and_(func.jsonb_typeof(item_id) == "string", value.op("->>")("id") != ""),
            value.op("->>")("id"),
        ),
        (
            or_(
                item_id.is_(None),
                func.jsonb_typeof(item_id) == "null",
                value.op("->>")("id") == "",
            ),
            sa_cast(element.c.position - 1, Text),
        ),
    )
    candidates = (
        with_pair(
            select(
                MentorshipSession.id,
                MentorshipSession.assignment_id,
                value.label("item"),
                (element.c.position - 1).label("position"),
                and_(is_iso, by_owner["known"], plainly_open).label("judged"),
                case(
                    (due == by_owner["tomorrow"], "item_tomorrow"),
                    (and_(due >= by_owner["earliest"], due < by_owner["today"]), "item_overdue"),
                ).label("due_kind"),
                and_(owner == "mentor", paused_clause(by_owner["today_date"])).label("paused"),
                by_owner["working"].label("working"),
                by_owner["reachable"].label("reachable"),
                (
                    sa_cast(MentorshipSession.id, Text) + ":" + key_id + "/" + by_owner["slack"]
                ).label("ledger_target"),
                due.label("due_text"),
            )
            .select_from(MentorshipSession)
            .join(element, literal(True))
            .join(Assignment, Assignment.id == MentorshipSession.assignment_id)
        )
        .where(
            Assignment.status == "active",
            _may_have_items_due(ctx),
            func.jsonb_typeof(value) == "object",
            func.coalesce(value.op("->")("done"), literal_column("'false'::jsonb"))
            != literal_column("'true'::jsonb"),
            owner.in_(("mentor", "mentee")),
            ~plainly_outside,
        )
        .cte("item_candidates")
    )
    c = candidates.c
    # What Python would drop anyway: not due in the owner's calendar, paused, unreachable.
    dropped = and_(c.judged, or_(c.due_kind.is_(None), c.paused, ~c.reachable))
    wanted = and_(~dropped)
    settled = and_(
        literal(ctx.skip_settled),
        c.judged,
        c.working,
        c.ledger_target.is_not(None),
        select(Notification.id)
        .where(
            Notification.kind == c.due_kind,
            Notification.target == c.ledger_target,
            Notification.period == c.due_text,
            ~and_(
                Notification.status.in_(("claimed", "failed")),
                func.coalesce(Notification.next_attempt_at <= ctx.now, False),
            ),
        )
        .exists(),
    )
    held = and_(literal(ctx.count_held), c.judged, ~c.working)
    flagged = (
        select(candidates, settled.label("settled"), held.label("held"))
        .where(wanted)
        .cte("item_flagged")
    )
    f = flagged.c
    totals = select(
        func.count().filter(f.settled).label("settled_count"),
        func.count().filter(f.held).label("held_count"),
        func.count().filter(~f.settled, ~f.held).label("sendable_count"),
    ).subquery("totals")
    rest = (
        select(*[f[column.key] for column in candidates.c])
        .where(~f.settled, ~f.held)
        .order_by(f.due_text, f.id)
        .limit(row_limit(ctx))
        .lateral("rest")
    )
    return select(totals, rest).select_from(totals.outerjoin(rest, literal(True)))


def _owner_columns(owner: ColumnElement[Any], zones: dict[str, Zone]) -> dict[str, Any]:
    """The item owner's Slack id, reachability, and (by their timezone value, through
    `zones`) their today, tomorrow, lookback start and working hours, as SQL."""

    def side(column: str) -> Any:
        return case(
            (owner == "mentor", getattr(mentor_user, column)), else_=getattr(mentee_user, column)
        )

    timezone = func.coalesce(side("timezone"), "")

    def per_zone(values: dict[str, Any], type_: Any) -> Any:
        return by_zone(values, timezone, type_)

    return {
        "slack": side("slack_user_id"),
        "reachable": and_(side("deactivated_at").is_(None), side("is_bot").is_(False)),
        "known": timezone.in_(list(zones)),
        "today_date": per_zone({k: z.today for k, z in zones.items()}, Date()),
        "today": per_zone({k: z.today.isoformat() for k, z in zones.items()}, Text()),
        "tomorrow": per_zone(
            {k: (z.today + timedelta(days=1)).isoformat() for k, z in zones.items()}, Text()
        ),
        "earliest": per_zone(
            {
                k: (z.today - timedelta(days=OVERDUE_LOOKBACK_DAYS)).isoformat()
                for k, z in zones.items()
            },
            Text(),
        ),
        "working": per_zone({k: z.working for k, z in zones.items()}, Boolean()),
    }


def _items_in_postgresql(ctx: DueContext) -> bool:
    return ctx.db.get_bind().dialect.name == "postgresql"


def _may_have_items_due(ctx: DueContext) -> ColumnElement[bool]:
    """Sessions with an open item due no earlier than any owner's overdue lookback can
    reach (`MentorshipSession.items_due_until`, kept on every save): the rest have
    nothing to remind anyone of, so neither path reads their items."""
    return MentorshipSession.items_due_until >= date.fromisoformat(_item_window(ctx)["earliest"])
