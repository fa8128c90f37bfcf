"""Demo: the mentee proposes times for the next session, the mentor confirms one (each
sees them in their own timezone), both are reminded before it and asked how it went
after it; then the mentee asks a question and the mentor answers it."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from bot.demo_steps.reminders import _a_mentorship
from bot.services import program
from bot.services.working_hours import WorkingDay, is_working_time
from bot.sweep import run_sweep
from models import ScheduledSession, User

if TYPE_CHECKING:
    from bot.demo import Demo


def schedule_a_session(demo: Demo) -> None:
    demo.step("Either side schedules the next session; the other confirms it in their timezone")
    runtime = demo.app.runtime
    with runtime.db() as db:
        _, mentor_id, mentee_id = _a_mentorship(db, runtime.now())
        zones = [
            db.scalar(select(User.timezone).where(User.slack_user_id == who))
            for who in (mentor_id, mentee_id)
        ]
        start = _both_working(WorkingDay.of(program.load(db)), zones, runtime.now())
    mentor, mentee = demo.person(mentor_id), demo.person(mentee_id)
    real_clock = runtime.clock
    clock = [start]
    runtime.clock = lambda: clock[0]
    seen = {who: len(demo.slack.dms(who)) for who in (mentor_id, mentee_id)}

    def news(who: str) -> None:
        demo.new_dms(who, seen[who])
        seen[who] = len(demo.slack.dms(who))

    def sweep(when: str) -> None:
        print(f"\n{when}, the sweep runs (`mentorbot reminders run --now {clock[0]:%FT%H:%MZ}`):")
        print(f"    {run_sweep(runtime, demo.app.bolt.client, now=clock[0]).summary()}")

    try:
        day = (start + timedelta(days=2)).astimezone(UTC).date().isoformat()
        demo.types(mentee_id, "schedule")
        print(f"\n{mentee.name} proposes 10:00 and 19:00 on {day} (their time) and an agenda.")
        demo.slack.submit(
            mentee_id,
            {
                "Date 1": day,
                "Time 1": "10:00",
                "Date 2": day,
                "Time 2": "19:00",
                "Objectives": "Practise the renewal call with Acme",
                "Materials to prepare": "Acme's usage report",
            },
        )
        demo.slack.close_modal(mentee_id)
        news(mentor_id)
        print(f"\n{mentor.name} clicks [Confirm] on the first time.")
        offer = demo.slack.dms(mentor_id)[-1]
        demo.slack.click(mentor_id, "Confirm", message=offer)
        news(mentor_id)
        news(mentee_id)

        with runtime.db() as db:
            starts_at = db.scalar(
                select(ScheduledSession.starts_at)
                .where(ScheduledSession.status == "confirmed")
                .order_by(ScheduledSession.answered_at.desc())
            )
        assert starts_at is not None, "Confirm schedules the session"
        clock[0] = starts_at - timedelta(minutes=60)
        sweep("An hour before")
        news(mentor_id)
        news(mentee_id)

        clock[0] = _both_working(
            WorkingDay.of(_config(runtime)), zones, starts_at + timedelta(hours=1)
        )
        sweep("After the session")
        news(mentor_id)
        news(mentee_id)
        print(f"\n{mentor.name} clicks [Log session]: the form comes filled in.")
        how = [m for m in demo.slack.dms(mentor_id) if "How did" in m.all_text][-1]
        demo.slack.click(mentor_id, "Log session", message=how)
        view = demo.slack.modal(mentor_id)
        assert view is not None, "Log session after a scheduled session opens the log"
        demo.shows_view(mentor_id, view)
        demo.slack.submit(mentor_id, {"Topics": ["Renewals"]})
        seen[mentee_id] = len(demo.slack.dms(mentee_id))

        demo.step("The mentee asks a question; the mentor answers within 24 hours")
        demo.types(mentee_id, "ask How do I handle a discount request at renewal?")
        news(mentor_id)
        print(f"\n{mentor.name} clicks [Answer].")
        demo.slack.click(mentor_id, "Answer", message=demo.slack.dms(mentor_id)[-1])
        demo.slack.submit(
            mentor_id, {"Answer": "Trade it for a longer term; never discount without a give."}
        )
        news(mentee_id)
    finally:
        runtime.clock = real_clock


def _config(runtime: object) -> program.ProgramConfig:
    with runtime.db() as db:  # type: ignore[attr-defined]
        return program.load(db)


def _both_working(day: WorkingDay, zones: list[str | None], after: datetime) -> datetime:
    """The first whole hour from `after` in everyone's working hours."""
    start = datetime.combine(after.date(), time(after.hour), UTC) + timedelta(hours=1)
    for hour in range(24 * 14):
        when = start + timedelta(hours=hour)
        if all(is_working_time(when, zone, day) for zone in zones):
            return when
    raise RuntimeError("no common working hour in the demo's window")


STEPS = [schedule_a_session]
