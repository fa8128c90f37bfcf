"""Demo: a session logged, a milestone reviewed, what the manager sees, and a
mentorship completed with both sides' feedback."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from models import Assignment, Mentor, User

if TYPE_CHECKING:
    from bot.demo import Demo


def _pair(demo: Demo) -> tuple[str, str]:
    """(mentor, mentee) Slack ids of an active mentorship: the one the assignment
    steps made, or Vera and Newt set up directly when those steps are not here."""
    with demo.app.runtime.db() as db:
        found = db.execute(
            select(Mentor.user_id, Assignment.mentee_user_id)
            .join(Mentor, Assignment.mentor_id == Mentor.id)
            .where(Assignment.status == "active")
            .limit(1)
        ).first()
        if found is None:
            vera = db.scalar(select(User).where(User.slack_user_id == "UVERA"))
            newt = db.scalar(select(User).where(User.slack_user_id == "UNEWT"))
            assert vera is not None and newt is not None
            mentor = db.scalar(select(Mentor).where(Mentor.user_id == vera.id))
            if mentor is None:
                mentor = Mentor(user_id=vera.id, expertise_areas=["Renewals"])
                db.add(mentor)
                db.flush()
            start = demo.app.runtime.now().date() - timedelta(days=14)
            db.add(
                Assignment(
                    mentor_id=mentor.id,
                    mentee_user_id=newt.id,
                    assigned_by_user_id=newt.manager_id,
                    start_date=start,
                    expected_end_date=start + timedelta(weeks=12),
                    status="active",
                    mentor_accepted_at=demo.app.runtime.now(),
                    focus_skills=["Renewals", "QBRs & business reviews"],
                )
            )
            mentor.current_mentee_count += 1
            print("\n(Set up for this part: Vera Veteran mentors Newt Newhire.)")
            return "UVERA", "UNEWT"
        mentor_user, mentee_user = found
        ids = {
            u.id: u.slack_user_id
            for u in db.scalars(select(User).where(User.id.in_([mentor_user, mentee_user])))
        }
        return ids[mentor_user], ids[mentee_user]


def log_a_session(demo: Demo) -> None:
    mentor, mentee = _pair(demo)
    demo.step("The mentor logs a session in seconds")
    before = len(demo.slack.dms(mentee))
    demo.types(mentor, "log")
    demo.slack.submit(
        mentor,
        {
            "Duration (minutes)": "45",
            "Topics": ["Renewals", "QBRs & business reviews"],
            "Summary": "Walked through the Acme renewal and how to open a QBR.",
            "Action items": "mentee: Draft the Acme QBR deck\nmentor: Share the renewal playbook",
            "Resources": "Renewal playbook https://wiki.example.com/renewals",
            "Confidence before": "2",
            "Confidence after": "4",
            "Session quality": "5",
        },
    )
    view = demo.slack.modal(mentor)
    if view is not None:
        demo.shows_view(mentor, view)
        demo.slack.fake.clear_views(mentor)
    demo.new_dms(mentee, before)


def review_a_milestone(demo: Demo) -> None:
    mentor, mentee = _pair(demo)
    demo.step("The mentee submits a ramp milestone; the mentor reviews it")
    demo.types(mentee, "milestones")
    demo.slack.open_home(mentee)
    demo.slack.click(mentee, "Submit", home=True, near="Product certification passed")
    demo.shows_view(mentee, demo.slack.modal(mentee) or {})
    seen = len(demo.slack.dms(mentor))
    demo.slack.submit(mentee, {"Evidence": "https://learn.example.com/certificates/4711"})
    demo.slack.fake.clear_views(mentee)
    [request] = demo.new_dms(mentor, seen)
    seen = len(demo.slack.dms(mentee))
    print(f"\n{demo.person(mentor).name} clicks [Approve].")
    demo.slack.click(mentor, "Approve", message=request)
    demo.new_dms(mentee, seen)


def manager_status(demo: Demo) -> None:
    _, mentee = _pair(demo)
    manager = "UMAX"
    demo.step("The manager sees how it is going — never the notes")
    demo.types(manager, f"status <@{mentee}>")


def complete_the_mentorship(demo: Demo) -> None:
    mentor, mentee = _pair(demo)
    demo.step("The mentorship ends: both sides give feedback and a rating")
    seen = len(demo.slack.dms(mentor))
    demo.types(mentee, "complete")
    demo.slack.submit(mentee, {"Feedback": "Vera made QBRs click for me.", "Rating": "5"})
    demo.slack.fake.clear_views(mentee)
    [ask] = demo.new_dms(mentor, seen)
    print(f"\n{demo.person(mentor).name} clicks [Give feedback].")
    demo.slack.click(mentor, "Give feedback", message=ask)
    demo.shows_view(mentor, demo.slack.modal(mentor) or {})
    demo.slack.submit(
        mentor, {"Feedback": "Newt ramped fast and asked great questions.", "Rating": "4"}
    )
    demo.slack.fake.clear_views(mentor)
    demo.types("UMAX", f"status <@{mentee}>")


STEPS = [log_a_session, review_a_milestone, manager_status, complete_the_mentorship]
