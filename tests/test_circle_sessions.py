"""Topic circles, the host's side (issue 18, item 4): the host logs a circle session
with who attended (members may be other mentors' mentees), closes the circle (its
members told), and the circle shows in the host's workload and in the analytics, apart
from the 1:1 figures, never credited to the host's mentorships."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bench import naive_circles
from bot.blocks.plaintext import render_blocks
from bot.services.analytics import program_report
from models import (
    Assignment,
    AuditEntry,
    CircleAttendance,
    CircleMember,
    CircleSession,
    MentorshipSession,
    RampMilestone,
    TopicCircle,
    User,
)
from tests.api_support import person_token
from tests.factories import make_assignment, make_mentor

CIRCLE = {"Name": "Renewals clinic", "Topic": "Renewals & QBRs", "Seats": "3", "Cadence": "Weekly"}
HIRES = ("new_hire", "tokyo_hire", "junior")
NAMES = ["Newt Newhire", "Nova Fresh", "Jun Ior"]


def _circle_of_three(slack, world, db, clock):  # type: ignore[no-untyped-def]
    """Vera (who mentors Newt 1:1) opens a circle; Newt, Nova (Omar's mentee) and Jun
    join it. Opened a week before the clock's day, so sessions can be logged since."""
    vera = make_mentor(db, world.veteran, expertise=["Renewals"], max_mentees=2)
    omar = make_mentor(db, world.londoner, expertise=["Discovery"])
    ours = make_assignment(db, vera, world.new_hire, start=(clock[0] - timedelta(days=20)).date())
    theirs = make_assignment(
        db, omar, world.tokyo_hire, start=(clock[0] - timedelta(days=20)).date()
    )
    db.commit()
    now = clock[0]
    clock[0] = now - timedelta(days=7)
    slack.slash(world.veteran, "/mentor", "circles new")
    assert slack.submit(world.veteran, CIRCLE).ok
    for role in HIRES:
        person = getattr(world, role)
        slack.click(person, "Join", message=slack.mentor(person, "circles"))
    clock[0] = now
    return ours, theirs


def _open_log(slack, world, who=None):  # type: ignore[no-untyped-def]
    who = who or world.veteran
    slack.click(who, "Log a session", message=slack.mentor(who, "circles"), near="Renewals")


def test_a_circle_of_three_hires_meets_and_shows_in_the_analytics_and_workload(  # type: ignore[no-untyped-def]
    slack, world, db, clock, api
) -> None:
    ours, theirs = _circle_of_three(slack, world, db, clock)
    _open_log(slack, world)
    form = slack.modal_text(world.veteran)
    assert "Log a circle session" in form and all(name in form for name in NAMES)
    yesterday = (clock[0] - timedelta(days=1)).date()
    done = slack.submit(
        world.veteran,
        {
            "Date": yesterday.isoformat(),
            "Duration (minutes)": "45",
            "Attended": NAMES,
            "Notes": "Walked through a QBR deck together.",
        },
    )
    assert done.ok, done.errors
    assert "3 of 3 member(s) attended" in slack.modal_text(world.veteran)

    db.expire_all()
    session = db.scalar(select(CircleSession))
    assert (session.session_day, session.duration_minutes, session.topics) == (
        yesterday,
        45,
        "Renewals & QBRs",  # the circle's topic, pre-filled
    )
    attendance = db.scalars(select(CircleAttendance)).all()
    assert len(attendance) == 3 and all(a.attended for a in attendance)
    # Never a session of the host's mentorships, nor of the members' own.
    assert db.scalars(select(MentorshipSession)).all() == []
    for mentorship in (ours, theirs):
        row = db.get(Assignment, mentorship.id)
        assert (row.sessions_logged, row.last_session_at) == (0, None)
    # Members' milestones stay theirs: none reached, none moved to the host's mentorship.
    for milestone in db.scalars(select(RampMilestone)):
        assert milestone.achieved_date is None
        assert milestone.assignment_id in (None, ours.id, theirs.id)
        if milestone.mentee_user_id != world.new_hire.user_id:
            assert milestone.assignment_id != ours.id
    assert "circle_session.logged" in [a.action for a in db.scalars(select(AuditEntry))]

    # The admin's analytics: circle sessions and attendance, apart from the 1:1 figures.
    db.get(User, world.admin.user_id).is_admin = True
    db.commit()
    text = slack.mentor(world.admin, "analytics").all_text
    assert "Topic circles* (group sessions by topic, counted apart from 1:1 sessions)" in text
    assert "*Circle sessions*\n1" in text
    assert "*Circle attendance*\n100% (3 of 3 member places)" in text
    assert "Vera Veteran 1 circle(s), 3 members" in text  # beside the workload
    report = program_report(db, now=clock[0])
    assert report.sessions.logged == 0  # the 1:1 frequency is untouched
    assert (report.circles.sessions, report.circles.attendance_rate) == (1, 1.0)
    assert report.circles.by_month[-1].sessions == 1
    # The API's analytics carry the same figures, under the same names.
    figures = api.as_token(person_token(db, world.admin)).get("/api/mentorship/analytics")
    circles = figures.json()["report"]["circles"]
    assert (circles["sessions"], circles["attended"], circles["attendance_rate"]) == (1, 3, 1.0)
    assert figures.json()["report"]["workload"]["circle_hosts"] == [
        {"name": "Vera Veteran", "circles": 1, "members": 3}
    ]

    # The host's workload: their App Home and their own analytics.
    home = render_blocks(slack.open_home(world.veteran)["blocks"])
    assert "1 of 2 mentees · 1 place free · hosts 1 circle (3 members)" in home
    mine = slack.mentor(world.veteran, "analytics").all_text
    assert "Your topic circles" in mine and "*Circle sessions*\n1" in mine


def test_attendance_is_per_member(slack, world, db, clock) -> None:  # type: ignore[no-untyped-def]
    _circle_of_three(slack, world, db, clock)
    _open_log(slack, world)
    assert slack.submit(world.veteran, {"Attended": ["Newt Newhire", "Jun Ior"]}).ok
    db.expire_all()
    came = {a.user_id: a.attended for a in db.scalars(select(CircleAttendance))}
    assert came == {
        world.new_hire.user_id: True,
        world.tokyo_hire.user_id: False,
        world.junior.user_id: True,
    }
    report = program_report(db, now=clock[0])
    assert (report.circles.attended, report.circles.places) == (2, 3)
    # The SQL figures equal a plain count of every row (the benchmark's oracle).
    assert report.circles == naive_circles.circle_figures(db, report.as_of)
    assert report.workload.circle_hosts == naive_circles.circle_hosts(db)


def test_bad_session_input_is_named_and_nothing_is_written(slack, world, db, clock) -> None:  # type: ignore[no-untyped-def]
    _circle_of_three(slack, world, db, clock)
    _open_log(slack, world)
    tomorrow = (clock[0] + timedelta(days=1)).date().isoformat()
    refused = slack.submit(world.veteran, {"Date": tomorrow, "Topics": "   ", "Attended": []})
    assert "is in the future" in refused.errors["Date"]
    assert "can't be empty" in refused.errors["Topics"]
    assert "Tick who attended" in refused.errors["Attended"]
    # Nova leaves while the form is open: she is no member to mark any more.
    slack.click(world.tokyo_hire, "Leave", message=slack.mentor(world.tokyo_hire, "circles"))
    gone = slack.submit(world.veteran, {"Attended": NAMES})
    assert "Only members of the circle" in gone.errors["Attended"]
    db.expire_all()
    assert db.scalars(select(CircleSession)).all() == []
    assert db.scalars(select(CircleAttendance)).all() == []


def test_one_session_a_day_per_circle(slack, world, db, clock) -> None:  # type: ignore[no-untyped-def]
    _circle_of_three(slack, world, db, clock)
    _open_log(slack, world)
    assert slack.submit(world.veteran, {}).ok
    _open_log(slack, world)
    again = slack.submit(world.veteran, {"Duration (minutes)": "30"})
    assert "is logged on" in again.errors["Date"] and "one a day" in again.errors["Date"]
    db.expire_all()
    assert len(db.scalars(select(CircleSession)).all()) == 1


def test_the_host_closes_the_circle_and_members_are_told(slack, world, db, clock) -> None:  # type: ignore[no-untyped-def]
    _circle_of_three(slack, world, db, clock)
    _open_log(slack, world)
    assert slack.submit(world.veteran, {}).ok
    slack.click(world.veteran, "Close circle", message=slack.mentor(world.veteran, "circles"))
    assert "Its 3 member(s) are told by DM" in slack.modal_text(world.veteran)
    assert slack.submit(world.veteran, {"A word to the members": "See you at the QBR!"}).ok
    for role in HIRES:
        told = slack.last_dm(getattr(world, role)).text
        assert "Vera Veteran closed the topic circle “Renewals clinic”" in told
        assert "See you at the QBR!" in told
    # Not listed, not joinable; its history stays.
    assert "No topic circles are open" in slack.mentor(world.londoner, "circles").text
    circle = db.scalar(select(TopicCircle))
    slack.press(world.londoner, "circle.join", str(circle.id))
    assert "closed or gone" in slack.last_ephemeral(world.londoner).text
    db.expire_all()
    assert db.get(TopicCircle, circle.id).status == "closed"
    assert len(db.scalars(select(CircleMember)).all()) == 3
    assert len(db.scalars(select(CircleSession)).all()) == 1
    assert program_report(db, now=clock[0]).circles.sessions == 1
    # Logging for a closed circle: told, nothing written.
    slack.press(world.veteran, "circle.log_open", str(circle.id))
    assert "closed or gone" in slack.last_ephemeral(world.veteran).text


def test_only_the_host_or_an_admin_logs_or_closes(slack, world, db, clock) -> None:  # type: ignore[no-untyped-def]
    _circle_of_three(slack, world, db, clock)
    circle = db.scalar(select(TopicCircle))
    members_view = slack.mentor(world.new_hire, "circles")
    assert "Log a session" not in str(members_view.blocks)
    for action in ("circle.log_open", "circle.close_open"):
        slack.press(world.new_hire, action, str(circle.id))
        assert "Only the host of “Renewals clinic” or a program admin" in (
            slack.last_ephemeral(world.new_hire).text
        )
    db.expire_all()
    refused = db.scalars(select(AuditEntry).where(AuditEntry.action == "circle.refused")).all()
    assert len(refused) == 2 and {r.actor_user_id for r in refused} == {world.new_hire.user_id}
    assert db.get(TopicCircle, circle.id).status == "open"

    # An admin may: the buttons are theirs too.
    db.get(User, world.admin.user_id).is_admin = True
    db.commit()
    _open_log(slack, world, world.admin)
    assert slack.submit(world.admin, {}).ok
    db.expire_all()
    assert db.scalar(select(CircleSession)).logged_by_user_id == world.admin.user_id


def test_a_circle_closed_while_its_log_is_open_takes_no_session(slack, world, db, clock) -> None:  # type: ignore[no-untyped-def]
    _circle_of_three(slack, world, db, clock)
    circle = db.scalar(select(TopicCircle))
    db.get(User, world.admin.user_id).is_admin = True
    db.commit()
    _open_log(slack, world)
    slack.press(world.admin, "circle.close_open", str(circle.id))
    assert slack.submit(world.admin, {}).ok
    assert "Ada Lovelace closed the topic circle" in slack.last_dm(world.junior).text
    late = slack.submit(world.veteran, {})
    assert "closed or gone" in " ".join(late.errors.values())
    db.expire_all()
    assert db.scalars(select(CircleSession)).all() == []
    assert db.scalars(select(CircleAttendance)).all() == []
