"""Kind "checkin": the cadence nudge to mentor and mentee (PRD FR-3.1), once per cadence
period; worked out in one query on PostgreSQL, in Python elsewhere."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, exists, literal_column, select, text
from sqlalchemy.dialects import postgresql

from bot.services import curriculum
from bot.services.mentors import paused_clause, paused_on
from bot.services.reminders.base import Due, DueContext, Recipient, due_kind, judged_rows, row_limit
from bot.services.reminders.people import person_of, with_pair
from bot.services.reminders.zones import Zone, recipient_zones
from models import CADENCE_DAYS, Assignment, ScheduledSession


# -- cadence check-ins (PRD FR-3.1) --------------------------------------------------------
def cadence_step(cadence: str) -> int:
    """Days between check-ins (models.CADENCE_DAYS; an unknown cadence counts as weekly,
    as the next check-in people are shown does)."""
    return CADENCE_DAYS.get(cadence, CADENCE_DAYS["weekly"])


def latest_cycle_date(cadence: str, anchor: date, today: date) -> date | None:
    """The most recent check-in date on or before `today` of a cadence counted from
    `anchor` (anchor + 1, 2, ... periods); None while the first period runs."""
    step = cadence_step(cadence)
    periods = (today - anchor).days // step
    return anchor + timedelta(days=periods * step) if periods >= 1 else None


def term_over(expected_end: date | None, today: date) -> bool:
    """From a mentorship's expected end date on, check-in nudges stop: the end-of-term
    prompt asks to complete or extend it instead."""
    return expected_end is not None and today >= expected_end


def checkin_due_date(
    cadence: str, anchor: date, today: date, snoozed_until: date | None
) -> date | None:
    """The check-in this person is due for today, identified by its date, or None.

    The anchor is the last logged session (else the start). The latest of the cadence
    dates and the end of a snooze (if nothing was logged since) wins, so a snoozed pair
    gets one nudge when the snooze ends, and a pair that logs nothing is nudged once
    per cadence period rather than every sweep."""
    candidates = [latest_cycle_date(cadence, anchor, today)]
    if snoozed_until is not None and anchor < snoozed_until <= today:
        candidates.append(snoozed_until)
    chosen = [c for c in candidates if c is not None]
    return max(chosen) if chosen else None


@due_kind("checkin")
def checkin_nudges(ctx: DueContext) -> Iterable[Due]:
    """Mentor and mentee of each active mentorship, once per cadence period."""
    weeks = curriculum.plan(ctx.db)
    if ctx.db.get_bind().dialect.name == "postgresql":
        zones = recipient_zones(ctx)
        if zones is not None:
            return _checkins_in_sql(ctx, zones, weeks)
    return _checkins_in_python(ctx, weeks)


def _checkin(
    row: Any,
    recipient: Recipient,
    role: str,
    other_name: str,
    last_day: date | None,
    due_on: date,
    weeks: dict[int, list[curriculum.Topic]],
) -> Due:
    week = curriculum.week_of(row.start_date, due_on)
    return Due(
        "checkin",
        str(row.id),
        due_on.isoformat(),
        recipient,
        {
            "assignment_id": str(row.id),
            "role": role,
            "other_name": other_name,
            "cadence": row.check_in_cadence,
            "last_session": last_day.isoformat() if last_day else None,
            "start_date": row.start_date.isoformat(),
            # The curriculum's topics for the week the check-in falls in.
            "week": week,
            "topics": [[t.title, t.url] for t in weeks.get(week, [])],
        },
    )


def _session_ahead(ctx: DueContext) -> ColumnElement[bool]:
    """The mentorship has a confirmed session still to come (it gets no nudge)."""
    return exists().where(
        ScheduledSession.assignment_id == Assignment.id,
        ScheduledSession.status == "confirmed",
        ScheduledSession.starts_at > ctx.now,
    )


def _checkins_in_python(ctx: DueContext, weeks: dict[int, list[curriculum.Topic]]) -> Iterator[Due]:
    """The portable way: every active mentorship read, each date worked out here."""
    rows = ctx.db.execute(
        with_pair(
            select(
                Assignment.id,
                Assignment.check_in_cadence,
                Assignment.start_date,
                Assignment.snoozed_until,
                Assignment.expected_end_date,
                Assignment.last_session_at.label("last_at"),
            )
        ).where(Assignment.status == "active", ~_session_ahead(ctx))
    )
    for row in rows:
        if row.snoozed_until is not None and ctx.now < row.snoozed_until:
            continue
        mentor, mentee = person_of(row, "mentor"), person_of(row, "mentee")
        for recipient, role, other in ((mentor, "mentor", mentee), (mentee, "mentee", mentor)):
            today = ctx.today(recipient)
            if paused_on(row.paused_until, today) or term_over(row.expected_end_date, today):
                continue
            last_day = ctx.local_day_of(row.last_at, recipient) if row.last_at else None
            anchor = max(row.start_date, last_day) if last_day else row.start_date
            snooze_day = (
                ctx.local_day_of(row.snoozed_until, recipient) if row.snoozed_until else None
            )
            due_on = checkin_due_date(row.check_in_cadence, anchor, today, snooze_day)
            if due_on is None:
                continue
            yield _checkin(row, recipient, role, other.name, last_day, due_on, weeks)


#: PostgreSQL: each active mentorship's check-in worked out per recipient in one query,
#: the same rules as `_checkins_in_python` (anchor = the later of the start and the last
#: attended session in the recipient's calendar; the latest cadence date or the end of a
#: snooze; the mentor's pause through the recipient's today; nothing from the expected
#: end on), so only what is due (and,
#: for a sweep, not yet settled in the ledger nor held for working hours) reaches Python.
#: The first columns count what was left out as settled and as held; a row of NULLs
#: follows them when nothing else is due.
_CHECKINS_DUE = text(
    """
    WITH zone AS (
        SELECT * FROM unnest(CAST(:tz_values AS text[]), CAST(:zone_names AS text[]),
                             CAST(:todays AS date[]), CAST(:working AS boolean[]))
            AS zone(tz_value, name, today, working)
    ),
    recipient AS (
        SELECT a.id, a.check_in_cadence, a.start_date, a.snoozed_until, m.paused_until,
               a.expected_end_date, a.last_session_at AS last_at, side.*
        FROM mentorship_assignments AS a
        JOIN mentors AS m ON m.id = a.mentor_id
        JOIN users AS mu ON mu.id = m.user_id
        JOIN users AS eu ON eu.id = a.mentee_user_id
        CROSS JOIN LATERAL (VALUES
            ('mentor', mu.id, mu.slack_user_id, coalesce(nullif(mu.name, ''), mu.slack_user_id),
             mu.timezone, mu.deactivated_at IS NULL AND NOT mu.is_bot,
             coalesce(nullif(eu.name, ''), eu.slack_user_id)),
            ('mentee', eu.id, eu.slack_user_id, coalesce(nullif(eu.name, ''), eu.slack_user_id),
             eu.timezone, eu.deactivated_at IS NULL AND NOT eu.is_bot,
             coalesce(nullif(mu.name, ''), mu.slack_user_id))
        ) AS side(role, user_id, slack, name, timezone, reachable, other_name)
        WHERE a.status = 'active'
          AND (a.snoozed_until IS NULL OR a.snoozed_until <= :now)
          -- A confirmed session ahead is the check-in: no nudge until it has passed.
          AND NOT EXISTS (SELECT 1 FROM scheduled_sessions AS s
                          WHERE s.assignment_id = a.id AND s.status = 'confirmed'
                            AND s.starts_at > :now)
          AND side.reachable
          -- Cheap and safe: no recipient's today is later than :latest_today, nor their
          -- calendar day of the last session earlier than its UTC day minus one, so a
          -- mentorship that fails this (and is not snoozed) has nothing due for anyone.
          AND (a.snoozed_until IS NOT NULL OR (
              :latest_today - a.start_date >= CASE a.check_in_cadence {steps}
                                                   ELSE {default_step} END
              AND (a.last_session_at IS NULL
                   OR :latest_today - ((a.last_session_at AT TIME ZONE 'UTC')::date - 1)
                      >= CASE a.check_in_cadence {steps} ELSE {default_step} END)))
    ),
    anchored AS MATERIALIZED (
        SELECT r.*, zone.today, zone.working, last_day, snooze_day,
               greatest(r.start_date, last_day) AS anchor,
               CASE r.check_in_cadence {steps} ELSE {default_step} END AS step
        FROM recipient AS r
        JOIN zone ON zone.tz_value = coalesce(r.timezone, '')
        CROSS JOIN LATERAL (
            SELECT (r.last_at AT TIME ZONE zone.name)::date AS last_day,
                   (r.snoozed_until AT TIME ZONE zone.name)::date AS snooze_day
        ) AS local_days
        WHERE {not_paused}
          AND (r.expected_end_date IS NULL OR zone.today < r.expected_end_date)
    ),
    due AS (
        SELECT d.*, to_char(d.due_on, 'YYYY-MM-DD') AS period
        FROM (
            SELECT anchored.*, greatest(
                CASE WHEN today - anchor >= step
                     THEN anchor + ((today - anchor) / step) * step END,
                CASE WHEN snooze_day > anchor AND snooze_day <= today THEN snooze_day END
            ) AS due_on
            FROM anchored
        ) AS d
        WHERE d.due_on IS NOT NULL
    ),
    keyed AS (
        SELECT due.*, :skip_settled AND due.working AND EXISTS (
            SELECT 1 FROM notifications AS n
            WHERE n.kind = 'checkin' AND n.target = due.id::text || '/' || due.slack
              AND n.period = due.period
              AND NOT (n.status IN ('claimed', 'failed')
                       AND coalesce(n.next_attempt_at <= :now, false))
        ) AS settled
        FROM due
    )
    SELECT total.settled_count, total.held_count, total.sendable_count, k.*
    FROM (
        SELECT count(*) FILTER (WHERE settled) AS settled_count,
               count(*) FILTER (WHERE :count_held AND NOT working) AS held_count,
               count(*) FILTER (WHERE NOT settled AND working) AS sendable_count
        FROM keyed
    ) AS total
    LEFT JOIN LATERAL (
        SELECT * FROM keyed WHERE NOT settled AND (working OR NOT :count_held)
        ORDER BY due_on, id
        LIMIT :row_limit
    ) AS k ON true
    """.format(
        steps=" ".join(f"WHEN '{name}' THEN {days}" for name, days in CADENCE_DAYS.items()),
        default_step=CADENCE_DAYS["weekly"],
        # The one pause rule (mentors.paused_clause), on the recipient's day.
        not_paused=(
            ~paused_clause(literal_column("zone.today"), literal_column("r.paused_until"))
        ).compile(dialect=postgresql.dialect()),
    )
)


def _checkins_in_sql(
    ctx: DueContext, zones: dict[str, Zone], weeks: dict[int, list[curriculum.Topic]]
) -> Iterator[Due]:
    values = list(zones)
    rows = ctx.db.execute(
        _CHECKINS_DUE,
        {
            "now": ctx.now,
            "tz_values": values,
            "zone_names": [zones[v].name for v in values],
            "todays": [zones[v].today for v in values],
            "working": [zones[v].working for v in values],
            "skip_settled": ctx.skip_settled,
            "count_held": ctx.count_held,
            "latest_today": max((z.today for z in zones.values()), default=ctx.now.date()),
            "row_limit": row_limit(ctx),
        },
    )
    for row in judged_rows(ctx, "checkin", rows):
        recipient = Recipient(row.user_id, row.slack, row.name, row.timezone, True)
        yield _checkin(row, recipient, row.role, row.other_name, row.last_day, row.due_on, weeks)
