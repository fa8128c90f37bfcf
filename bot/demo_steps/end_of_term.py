"""Demo: the end of a mentorship. A week before its planned end the sweep asks both sides
and the manager to complete or extend it; the mentee extends it by four weeks and the
mentor is told; when nobody completes it after the new end, it completes by itself and
each side is offered the feedback survey."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.blocks import dates
from bot.services import feedback_texts, program, reminders
from bot.services.working_hours import WorkingDay, is_working_time
from bot.sweep import run_sweep
from models import Assignment, Mentor, User

if TYPE_CHECKING:
    from bot.demo import Demo

SEARCH_DAYS = 60
MENTOR, MENTEE, MANAGER = "UVERA", "UJUNIOR", "UMAX"


def the_end_of_term(demo: Demo) -> None:
    demo.step("A mentorship nears its planned end: complete it, or extend it")
    runtime = demo.app.runtime
    with runtime.db() as db:
        assignment_id, end = _ending_soon(db, runtime.now())
        prompt_at = _first_instant(db, runtime.now(), "end_of_term", assignment_id, 3)
    print(
        f"\n{demo.person(MENTEE).name} has been mentored by {demo.person(MENTOR).name} for "
        f"eleven weeks; the mentorship is planned to end on {dates.day(end)}."
    )
    real_clock = runtime.clock
    try:
        runtime.clock = lambda: prompt_at
        prompts = _sweep(demo, prompt_at, "planned to end")
        prompt = prompts[MENTEE]

        print(f"\n{demo.person(MENTEE).name} clicks [Extend].")
        demo.slack.click(MENTEE, "Extend", message=prompt)
        demo.shows_view(MENTEE, demo.slack.modal(MENTEE) or {})
        new_end = end + timedelta(weeks=4)
        seen = len(demo.slack.dms(MENTOR))
        demo.slack.submit(MENTEE, {"New end date": new_end.isoformat()})
        demo.shows_view(MENTEE, demo.slack.modal(MENTEE) or {})
        demo.slack.fake.clear_views(MENTEE)
        demo.new_dms(MENTOR, seen)

        demo.step("Nobody completes it: two weeks after the end it completes by itself")
        with runtime.db() as db:
            closes_at = _first_instant(
                db, datetime.combine(new_end, time(0), UTC), "term_closed", assignment_id, 2
            )
        runtime.clock = lambda: closes_at
        _sweep(demo, closes_at, "closed by itself")
        with runtime.db() as db:
            notes = feedback_texts.text(db, assignment_id, "completion_notes")
        print(f"\nThe mentorship's completion notes: {notes}")
    finally:
        runtime.clock = real_clock


def _sweep(demo: Demo, when: datetime, about: str) -> dict[str, object]:
    """One sweep at `when`; prints the DMs about the end of term, returns them by person."""
    before = {who: len(demo.slack.dms(who)) for who in (MENTOR, MENTEE, MANAGER)}
    print(f"\nThe scheduler's sweep runs, as `mentorbot reminders run --now {when:%FT%H:%MZ}`.")
    run_sweep(demo.app.runtime, demo.app.bolt.client, now=when)
    found: dict[str, object] = {}
    for who, seen in before.items():
        for message in demo.slack.dms(who)[seen:]:
            if about in message.all_text:
                demo.shows(who, "gets a DM", message)
                found[who] = message
    return found


def _ending_soon(db: Session, now: datetime) -> tuple[object, date]:
    """Vera and Jun's mentorship, started eleven weeks ago, planned to end in a week."""
    vera = db.scalar(select(User).where(User.slack_user_id == MENTOR))
    jun = db.scalar(select(User).where(User.slack_user_id == MENTEE))
    mentor = db.scalar(select(Mentor).where(Mentor.user_id == vera.id))
    if mentor is None:
        mentor = Mentor(user_id=vera.id, expertise_areas=["Renewals"], max_mentees=2)
        db.add(mentor)
        db.flush()
    start = now.date() - timedelta(weeks=11)
    assignment = Assignment(
        mentor_id=mentor.id,
        mentee_user_id=jun.id,
        start_date=start,
        expected_end_date=start + timedelta(weeks=12),
        check_in_cadence="biweekly",
        status="active",
        mentor_accepted_at=now - timedelta(weeks=11),
    )
    mentor.current_mentee_count += 1
    db.add(assignment)
    db.flush()
    return assignment.id, assignment.expected_end_date


def _first_instant(
    db: Session, after: datetime, kind: str, assignment_id: object, people: int
) -> datetime:
    """The first hour from `after` at which `people` reminders of `kind` about this
    mentorship are due, each to someone in their working hours."""
    day = WorkingDay.of(program.load(db))
    start = datetime.combine(after.date(), time(0), UTC)

    def due_here(when: datetime) -> list[reminders.Due]:
        return [
            d
            for d in reminders.find_due(db, now=when, kinds=[kind])
            if d.facts["assignment_id"] == str(assignment_id)
        ]

    for hour in range(24 * SEARCH_DAYS):
        when = start + timedelta(hours=hour)
        due = due_here(when)
        if len(due) == people and all(
            is_working_time(when, d.recipient.timezone, day) for d in due
        ):
            return when
    raise RuntimeError(f"no {kind} reminder falls due in the demo's window")


STEPS = [the_end_of_term]
