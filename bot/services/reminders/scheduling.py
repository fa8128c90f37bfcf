"""Reminder kinds of sessions scheduled ahead (issue 17, Mentor Role: "session
scheduling confirmed within 48 hours"):

- `schedule`: a new proposal to the person asked; a reminder after
  `schedule_reminder_hours`; after `schedule_escalation_hours` the mentor and the
  program admins, once; the confirmed time to both sides; a cancellation to the other.
- `session_reminder`: both sides `session_reminder_minutes` before the start, at
  that time whatever their working hours.
- `session_followup`: both sides after the end: "How did it go?".

Each proposed or confirmed time is shown in the recipient's own timezone, marked
when it falls outside their working hours."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, case, select

from bot.services.reminders.base import Due, DueContext, Recipient, due_kind, whole_hours
from bot.services.reminders.pairs import SIDES, judged, recipient
from bot.services.reminders.people import (
    addressee,
    mentee_user,
    mentor_user,
    settled_for,
    to_admins,
    with_pair,
    with_person,
)
from models import Assignment, ScheduledSession

#: A notice (confirmed, cancelled) not sent within this long (people away for a long
#: weekend and more) is no longer news; it also bounds what each sweep reads.
NOTICE_WINDOW = timedelta(days=4)
#: "How did it go?" is asked for sessions that ended within this long.
FOLLOWUP_WINDOW = timedelta(days=7)

_COLUMNS = (
    ScheduledSession.id,
    ScheduledSession.objectives,
    ScheduledSession.materials,
    ScheduledSession.proposed_by_user_id,
    ScheduledSession.answer_by_user_id,
    ScheduledSession.proposed_at,
    ScheduledSession.starts_at,
    ScheduledSession.duration_minutes,
    ScheduledSession.cancelled_by_user_id,
    ScheduledSession.replaces_id,
    ScheduledSession.assignment_id,
)


def _statement(*where: Any, columns: tuple[Any, ...] = ()) -> Select[Any]:
    return with_pair(
        select(*_COLUMNS, *columns).join(
            Assignment, Assignment.id == ScheduledSession.assignment_id
        )
    ).where(Assignment.status == "active", *where)


def _rows(ctx: DueContext, *where: Any, columns: tuple[Any, ...] = ()) -> list[Any]:
    return list(ctx.db.connection().execute(_statement(*where, columns=columns)))


def _both(ctx: DueContext, kind: str, *where: Any) -> Iterator[tuple[Any, Recipient, Recipient]]:
    """(row, recipient, the other side) for a notice to both sides, judged in the query."""
    for row, recipients in judged(
        ctx, kind, _statement(*where), ("mentor", "mentee"), ScheduledSession.starts_at
    ):
        mentor, mentee = _sides(row)
        for person in recipients:
            yield row, person, mentee if person.user_id == mentor.user_id else mentor


def _sides(row: Any) -> tuple[Recipient, Recipient]:
    return recipient(row, "mentor"), recipient(row, "mentee")


def _facts(row: Any, ctx: DueContext, recipient: Recipient, other: Recipient) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "work_day": _work_day(ctx),
        "scheduled_id": str(row.id),
        "assignment_id": str(row.assignment_id),
        "other_name": other.name,
        "objectives": row.objectives or "",
        "materials": row.materials or "",
    }
    if row.starts_at is not None:
        facts["when"] = {"starts_at": row.starts_at.isoformat(), "minutes": row.duration_minutes}
    return facts


def _work_day(ctx: DueContext) -> list[Any]:
    """The working-hours settings, for the message to mark times outside them (placed in
    the recipient's timezone when rendered, for the few reminders sent)."""
    day = ctx.day
    return [day.start_hour, day.end_hour, sorted(day.work_days), day.default_timezone]


@due_kind("schedule")
def schedule_notices(ctx: DueContext) -> Iterator[Due]:
    """Proposals to answer (new, reminded, escalated) and confirmed or cancelled sessions."""
    yield from _open_proposals(ctx)
    yield from _confirmed(ctx)
    yield from _cancelled(ctx)


def _open_proposals(ctx: DueContext) -> Iterator[Due]:
    """Open proposals: to the person asked (new, and a reminder once it has waited
    `schedule_reminder_hours`); after `schedule_escalation_hours`, to the mentor and the
    program admins, once. Working hours, the ledger and the claim limit are judged in
    the queries (`pairs.judged`), so a sweep reads only what it can send now."""
    config = ctx.config
    still_open = (
        ScheduledSession.status == "proposed",
        ScheduledSession.last_option_at > ctx.now,
    )
    asked = with_person(
        _statement(*still_open, columns=(ScheduledSession.options,)),
        addressee,
        "addressee",
        addressee.id == ScheduledSession.answer_by_user_id,
    )
    for period, waited in (("new", 0), ("reminder", config.schedule_reminder_hours)):
        statement = asked.where(
            ScheduledSession.proposed_at <= ctx.now - timedelta(hours=waited),
            ~settled_for(ctx, "schedule_proposal", period, ScheduledSession.id, (addressee,)),
        )
        for row, people in judged(
            ctx, "schedule_proposal", statement, ("addressee",), ScheduledSession.proposed_at
        ):
            facts = _asked(row, ctx)
            if period == "reminder":
                facts["late"] = True
            for person in people:
                yield Due("schedule_proposal", str(row.id), period, person, facts)
    late = _statement(
        *still_open,
        ScheduledSession.proposed_at <= ctx.now - timedelta(hours=config.schedule_escalation_hours),
    )
    for statement, side in ((late, "mentor"), (to_admins(late, but_mentor=True), "admin")):
        statement = statement.where(
            ~settled_for(
                ctx, "schedule_escalation", "escalation", ScheduledSession.id, (SIDES[side],)
            )
        )
        for row, people in judged(
            ctx, "schedule_escalation", statement, (side,), ScheduledSession.proposed_at
        ):
            mentor, mentee = _sides(row)
            asked_name = mentor.name if row.answer_by_user_id == mentor.user_id else mentee.name
            summary = {
                "mentor_name": mentor.name,
                "mentee_name": mentee.name,
                "asked_name": asked_name,
                "hours_waiting": whole_hours(ctx.now - row.proposed_at),
                "assignment_id": str(row.assignment_id),
            }
            for person in people:
                yield Due("schedule_escalation", str(row.id), "escalation", person, summary)


def _asked(row: Any, ctx: DueContext) -> dict[str, Any]:
    """What the person asked to answer a proposal is shown: the times still ahead."""
    mentor, mentee = _sides(row)
    asked = recipient(row, "addressee")
    proposer = mentee if asked.user_id == mentor.user_id else mentor
    facts = _facts(row, ctx, asked, proposer)
    facts["options"] = [
        {**option, "index": i}
        for i, option in enumerate(row.options)
        if datetime.fromisoformat(option["starts_at"]) > ctx.now
    ]
    facts["replaces"] = row.replaces_id is not None
    facts["hours_waiting"] = whole_hours(ctx.now - row.proposed_at)
    return facts


def _confirmed(ctx: DueContext) -> Iterator[Due]:
    for row, person, other in _both(
        ctx,
        "schedule_confirmed",
        ScheduledSession.status == "confirmed",
        ScheduledSession.starts_at > ctx.now,
        ScheduledSession.answered_at >= ctx.now - NOTICE_WINDOW,
        ~settled_for(ctx, "schedule_confirmed", "confirmed", ScheduledSession.id),
    ):
        yield Due(
            "schedule_confirmed", str(row.id), "confirmed", person, _facts(row, ctx, person, other)
        )


def _cancelled(ctx: DueContext) -> Iterator[Due]:
    """A cancelled session (still ahead when cancelled) to the side that did not cancel."""
    told = with_person(
        _statement(
            ScheduledSession.status == "cancelled",
            ScheduledSession.cancelled_at >= ctx.now - NOTICE_WINDOW,
            ScheduledSession.last_option_at > ctx.now,
        ),
        addressee,
        "addressee",
        addressee.id
        == case(
            (ScheduledSession.cancelled_by_user_id == mentor_user.id, mentee_user.id),
            else_=mentor_user.id,
        ),
    ).where(~settled_for(ctx, "schedule_cancelled", "cancelled", ScheduledSession.id, (addressee,)))
    for row, people in judged(
        ctx, "schedule_cancelled", told, ("addressee",), ScheduledSession.cancelled_at
    ):
        mentor, mentee = _sides(row)
        for person in people:
            other = mentee if person.user_id == mentor.user_id else mentor
            yield Due(
                "schedule_cancelled",
                str(row.id),
                "cancelled",
                person,
                _facts(row, ctx, person, other),
            )


@due_kind("session_reminder")
def session_reminders(ctx: DueContext) -> Iterator[Due]:
    """Both sides, once, `session_reminder_minutes` before a confirmed session: sent at
    that time whatever their working hours (they agreed to meet then)."""
    lead = timedelta(minutes=ctx.config.session_reminder_minutes)
    rows = _rows(
        ctx,
        ScheduledSession.status == "confirmed",
        ScheduledSession.starts_at > ctx.now,
        ScheduledSession.starts_at <= ctx.now + lead,
        ~settled_for(ctx, "session_reminder", "before", ScheduledSession.id),
    )
    for row in rows:
        mentor, mentee = _sides(row)
        for person, other in ((mentor, mentee), (mentee, mentor)):
            facts = _facts(row, ctx, person, other)
            facts["minutes_to_go"] = int((row.starts_at - ctx.now).total_seconds() // 60)
            yield Due("session_reminder", str(row.id), "before", person, facts, any_hour=True)


@due_kind("session_followup")
def session_followups(ctx: DueContext) -> Iterator[Due]:
    """Both sides, once, after a confirmed session's end: "How did it go?" with Log
    session and It didn't happen, until one of them answers."""
    for row, person, other in _both(
        ctx,
        "session_followup",
        ScheduledSession.status == "confirmed",
        ScheduledSession.starts_at <= ctx.now,
        ScheduledSession.starts_at >= ctx.now - FOLLOWUP_WINDOW,
        ~settled_for(ctx, "session_followup", "after", ScheduledSession.id),
    ):
        if row.starts_at + timedelta(minutes=row.duration_minutes) > ctx.now:
            continue  # still going on
        yield Due("session_followup", str(row.id), "after", person, _facts(row, ctx, person, other))
