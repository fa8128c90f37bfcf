"""Demo: when a check-in falls due, the sweep nudges mentor and mentee by DM;
the mentor opens "Log session" from the nudge, the mentee snoozes it."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from bot.services import program, reminders
from bot.services.working_hours import WorkingDay, is_working_time
from bot.sweep import run_sweep
from models import Assignment, Mentor, User

if TYPE_CHECKING:
    from bot.demo import Demo

SEARCH_DAYS = 45


def nudge_arrives(demo: Demo) -> None:
    demo.step("When a check-in falls due, MentorBot nudges both sides in their working hours")
    runtime = demo.app.runtime
    with runtime.db() as db:
        assignment_id, mentor_id, mentee_id = _a_mentorship(db, runtime.now())
        when = _first_nudge(db, assignment_id, runtime.now())
    mentor, mentee = demo.person(mentor_id), demo.person(mentee_id)
    watched = (mentor_id, mentee_id, "UMAX")  # and the manager's Monday digest
    before = {who: len(demo.slack.dms(who)) for who in watched}
    real_clock = runtime.clock
    runtime.clock = lambda: when
    try:
        print(f"\nThe scheduler's sweep runs, as `mentorbot reminders run --now {when:%FT%H:%MZ}`:")
        report = run_sweep(runtime, demo.app.bolt.client, now=when)
        print(f"    {report.summary()}")
        demo.new_dms(mentor_id, before[mentor_id])
        nudge = demo.new_dms(mentee_id, before[mentee_id])
        demo.new_dms("UMAX", before["UMAX"])

        print(f"\n{mentor.name} clicks [Log session] on the nudge.")
        demo.slack.click(mentor_id, "Log session")
        view = demo.slack.modal(mentor_id)
        assert view is not None, "Log session on a nudge opens the session log"
        demo.shows_view(mentor_id, view)

        print(f"\n{mentee.name} clicks [Snooze a week].")
        check_in = next(m for m in nudge if "Snooze a week" in m.all_text)
        demo.slack.click(mentee_id, "Snooze a week", message=check_in)
        snoozed = demo.slack.fake.find_message(check_in.channel, check_in.ts) or check_in
        demo.shows(mentee_id, "now sees the nudge as", snoozed)
    finally:
        runtime.clock = real_clock


def _a_mentorship(db, now: datetime) -> tuple[object, str, str]:  # type: ignore[no-untyped-def]
    """The first active mentorship the earlier steps made, or one started a week ago."""
    mentor_user, mentee_user = reminders.mentor_user, reminders.mentee_user
    row = db.execute(
        select(Assignment.id, mentor_user.slack_user_id, mentee_user.slack_user_id)
        .join(Mentor, Mentor.id == Assignment.mentor_id)
        .join(mentor_user, mentor_user.id == Mentor.user_id)
        .join(mentee_user, mentee_user.id == Assignment.mentee_user_id)
        .where(Assignment.status == "active")
        .order_by(Assignment.created_at)
    ).first()
    if row is not None:
        return row[0], row[1], row[2]
    vera = db.scalar(select(User).where(User.slack_user_id == "UVERA"))
    newt = db.scalar(select(User).where(User.slack_user_id == "UNEWT"))
    mentor = db.scalar(select(Mentor).where(Mentor.user_id == vera.id))
    if mentor is None:
        mentor = Mentor(user_id=vera.id, expertise_areas=["Renewals"], max_mentees=2)
        db.add(mentor)
        db.flush()
    assignment = Assignment(
        mentor_id=mentor.id,
        mentee_user_id=newt.id,
        start_date=now.date(),
        check_in_cadence="weekly",
        status="active",
        mentor_accepted_at=now,
    )
    mentor.current_mentee_count += 1
    db.add(assignment)
    db.flush()
    return assignment.id, "UVERA", "UNEWT"


def _first_nudge(db, assignment_id: object, now: datetime) -> datetime:  # type: ignore[no-untyped-def]
    """The first hour (UTC, on the hour) at which both people are due a check-in and
    both are in their working hours."""
    day = WorkingDay.of(program.load(db))
    start = datetime.combine(now.date(), time(0), UTC)
    for hour in range(24 * SEARCH_DAYS):
        when = start + timedelta(hours=hour)
        due = [
            d
            for d in reminders.find_due(db, now=when, kinds=["checkin"])
            if d.facts["assignment_id"] == str(assignment_id)
        ]
        if len(due) == 2 and all(is_working_time(when, d.recipient.timezone, day) for d in due):
            return when
    raise RuntimeError("no check-in nudge falls due in the demo's window")


STEPS = [nudge_arrives]
