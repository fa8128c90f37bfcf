"""Logging sessions (FR-3.2-3.5): either side, in seconds, from a command, App Home or a
reminder's button; group sessions with attendance; action items with Done."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from bot.blocks import kit
from bot.blocks.actions import ACTION_ITEM_DONE, LOG_SESSION
from bot.blocks.plaintext import render_view
from models import AuditEntry, MentorshipSession
from tests.factories import make_assignment, make_mentor, make_session

PLAYBOOK = "Renewal playbook https://wiki.example.com/renewals"


@pytest.fixture
def pair(db, world):  # type: ignore[no-untyped-def]
    """Vera mentors Newt (active since 2 Nov)."""
    mentor = make_mentor(db, world.veteran)
    assignment = make_assignment(db, mentor, world.new_hire, assigned_by=world.manager)
    db.commit()
    return assignment


def _sessions(db) -> list[MentorshipSession]:  # type: ignore[no-untyped-def]
    db.expire_all()
    return list(db.scalars(sa.select(MentorshipSession).order_by(MentorshipSession.created_at)))


def test_mentor_logs_a_session_with_topics_and_action_items(slack, world, db, pair) -> None:  # type: ignore[no-untyped-def]
    slack.slash(world.veteran, "/mentor", "log")
    form = slack.modal_text(world.veteran)
    assert "Newt Newhire" in form and "Mentorship" not in form  # one mentorship: not asked
    sent = slack.submit(
        world.veteran,
        {
            "Duration (minutes)": "45",
            "Topics": ["Renewals", "QBRs & business reviews"],
            "Other topics": "Salesforce reports",
            "Summary": "Walked through the Acme renewal and the QBR template.",
            "Action items": "mentee: Draft the QBR deck by 2026-12-01\n"
            "mentor: Share the renewal playbook",
            "Resources": PLAYBOOK,
            "Confidence before": "2",
            "Confidence after": "4",
            "Session quality": "5",
        },
    )
    assert sent.ok, sent.errors
    assert "saved" in slack.modal_text(world.veteran)

    [session] = _sessions(db)
    assert session.assignment_id == pair.id
    assert session.logged_by == "mentor" and session.logged_by_user_id == world.veteran.user_id
    assert session.duration_minutes == 45
    assert session.topics_covered == ["Renewals", "QBRs & business reviews", "Salesforce reports"]
    assert session.session_date == datetime(2026, 11, 17, 15, 0, tzinfo=UTC)  # 10:00 in NY
    items = {i["item"]: i for i in session.action_items}
    assert items["Draft the QBR deck"]["owner"] == "mentee"
    assert items["Draft the QBR deck"]["due"] == "2026-12-01"
    assert items["Share the renewal playbook"]["owner"] == "mentor"
    assert all(i["id"] and i["done"] is False for i in session.action_items)
    assert session.resources_shared == [
        {"title": "Renewal playbook", "url": "https://wiki.example.com/renewals"}
    ]
    assert (session.mentee_confidence_before, session.mentee_confidence_after) == (2, 4)
    assert session.session_quality == 5

    told = slack.last_dm(world.new_hire)
    assert "Vera Veteran logged your session" in told.all_text
    assert "Draft the QBR deck" in told.all_text
    assert "Share the renewal playbook" not in told.all_text.split("Your action items")[-1]
    audit = db.scalars(sa.select(AuditEntry).where(AuditEntry.action == "session.logged")).one()
    assert audit.actor_user_id == world.veteran.user_id
    assert "Acme" not in str(audit.details)  # ids and counts only


def test_mentee_logs_from_app_home_and_is_offered_the_self_assessment(
    slack, world, db, pair
) -> None:  # type: ignore[no-untyped-def]
    slack.open_home(world.new_hire)
    slack.click(world.new_hire, "Log session", home=True)
    sent = slack.submit(
        world.new_hire, {"Topics": ["Renewals"], "Summary": "Asked about renewals."}
    )
    assert sent.ok, sent.errors
    [session] = _sessions(db)
    assert session.logged_by == "mentee"
    assert "Newt Newhire logged your session" in slack.last_dm(world.veteran).all_text
    offer = slack.last_dm(world.new_hire)
    assert "Rate my skills" in offer.all_text
    assert "Sessions held: 1" in render_view(slack.fake.home(world.new_hire.id))


def test_log_session_button_on_a_reminder_dm_opens_the_modal(slack, world, db, pair) -> None:  # type: ignore[no-untyped-def]
    # The reminders capability puts this button on its check-in nudges.
    slack.fake.api_chat_postMessage(
        {
            "channel": world.veteran.id,
            "text": "Time to check in with Newt",
            "blocks": [kit.actions(kit.button("Log session", LOG_SESSION, str(pair.id)))],
        }
    )
    slack.click(world.veteran, "Log session", message=slack.last_dm(world.veteran))
    assert "Summary" in slack.modal_text(world.veteran)
    assert slack.submit(world.veteran, {"Topics": ["Renewals"], "Summary": "Quick sync."}).ok
    assert len(_sessions(db)) == 1


def test_someone_with_several_mentorships_chooses_one(slack, world, db, pair) -> None:  # type: ignore[no-untyped-def]
    vera = db.get(type(pair.mentor), pair.mentor_id)
    make_assignment(db, vera, world.tokyo_hire)
    db.commit()
    slack.slash(world.veteran, "/mentor", "log")
    assert "Mentorship" in slack.modal_text(world.veteran)
    missing = slack.submit(world.veteran, {"Topics": ["Renewals"], "Summary": "Sync."})
    assert "Choose the mentorship" in missing.errors["Mentorship"]
    assert _sessions(db) == []
    sent = slack.submit(
        world.veteran,
        {
            "Mentorship": "Nova Fresh (you are the mentor)",
            "Topics": ["Renewals"],
            "Summary": "Sync.",
        },
    )
    assert sent.ok, sent.errors
    assert "logged your session" in slack.last_dm(world.tokyo_hire).all_text
    assert slack.dms(world.new_hire) == []


@pytest.mark.parametrize(
    ("values", "label", "says"),
    [
        ({"Session quality": "7"}, "Session quality", "from 1 to 5"),
        ({"Confidence before": "0"}, "Confidence before", "from 1 to 5"),
        ({"Date": "2026-11-20"}, "Date", "in the future"),
        ({"Time": "23:00"}, "Time", "still to come"),
        ({"Date": "2026-10-01"}, "Date", "started on 2026-11-02"),
        ({"Summary": "   "}, "Summary", "can't be empty"),
        ({"Topics": [], "Other topics": ""}, "Topics", "at least one topic"),
        ({"Resources": "Playbook wiki/renewals"}, "Resources", "Line 1: add a full link"),
        ({"Resources": "Playbook https://"}, "Resources", "https://"),
        ({"Action items": "mentee: Deck by 2026-13-01"}, "Action items", "Line 1"),
        ({"Duration (minutes)": "0"}, "Duration (minutes)", "1 to 600"),
    ],
)
def test_bad_input_is_named_on_its_field_and_nothing_is_saved(
    slack, world, db, pair, values, label, says
) -> None:  # type: ignore[no-untyped-def]
    slack.slash(world.veteran, "/mentor", "log")
    good = {"Topics": ["Renewals"], "Summary": "Covered renewals."}
    sent = slack.submit(world.veteran, {**good, **values})
    assert not sent.ok
    assert says in sent.errors[label], sent.errors
    assert slack.modal(world.veteran) is not None  # the modal stays open
    assert _sessions(db) == []
    assert slack.dms(world.new_hire) == []


def test_the_same_day_logged_by_both_sides_is_offered_for_editing(slack, world, db, pair) -> None:  # type: ignore[no-untyped-def]
    slack.slash(world.veteran, "/mentor", "log")
    assert slack.submit(
        world.veteran, {"Topics": ["Renewals"], "Summary": "Vera's account of it."}
    ).ok
    slack.slash(world.new_hire, "/mentor", "log")
    offered = slack.submit(
        world.new_hire, {"Topics": ["Renewals"], "Summary": "Newt's account of it."}
    )
    assert offered.ok  # the modal turns into the existing session, to edit
    form = slack.modal_text(world.new_hire)
    assert "Vera Veteran already logged" in form and "Vera's account of it." in form
    assert len(_sessions(db)) == 1
    assert slack.submit(world.new_hire, {"Summary": "Both accounts merged."}).ok
    [session] = _sessions(db)
    assert session.summary == "Both accounts merged."
    assert session.logged_by == "mentor"  # who logged it first stays on record
    assert db.scalar(sa.select(sa.func.count()).where(AuditEntry.action == "session.edited")) == 1
    assert "updated the log" in slack.last_dm(world.veteran).all_text


def test_a_slack_failure_after_saving_keeps_the_log_and_says_so(slack, world, db, pair) -> None:  # type: ignore[no-untyped-def]
    slack.fake.fail("chat.postMessage", status=500, times=3)
    slack.slash(world.veteran, "/mentor", "log")
    sent = slack.submit(world.veteran, {"Topics": ["Renewals"], "Summary": "Slack was down."})
    assert sent.ok
    shown = slack.modal_text(world.veteran)
    assert "saved" in shown
    assert f"I'll tell <@{world.new_hire.id}> as soon as Slack answers" in shown
    assert len(_sessions(db)) == 1
    assert slack.dms(world.new_hire) == []


def test_a_retried_submission_is_offered_for_editing_not_stored_twice(
    slack, world, db, pair
) -> None:  # type: ignore[no-untyped-def]
    slack.slash(world.veteran, "/mentor", "log")
    view = slack.modal(world.veteran)
    assert slack.submit(world.veteran, {"Topics": ["Renewals"], "Summary": "Once."}).ok
    slack.fake.views[world.veteran.id] = [view]  # Slack retries the same submission
    slack.submit(world.veteran, {"Topics": ["Renewals"], "Summary": "Once."}, retry_num=1)
    assert len(_sessions(db)) == 1


def test_nobody_else_can_log_or_open_the_form(slack, world, db, pair) -> None:  # type: ignore[no-untyped-def]
    reply = slack.mentor(world.junior, "log")
    assert "no active mentorship" in reply.all_text
    assert slack.modal(world.junior) is None


def test_open_action_items_carry_into_the_next_log_and_can_be_ticked(
    slack, world, db, pair
) -> None:  # type: ignore[no-untyped-def]
    make_session(
        db,
        pair,
        when=datetime(2026, 11, 10, 15, tzinfo=UTC),
        action_items=[
            {
                "id": "a1",
                "item": "Draft the QBR deck",
                "owner": "mentee",
                "due": "2026-11-16",
                "done": False,
                "done_at": None,
            },
            {
                "id": "a2",
                "item": "Book the Acme call",
                "owner": "mentee",
                "due": None,
                "done": False,
                "done_at": None,
            },
        ],
    )
    db.commit()
    slack.slash(world.veteran, "/mentor", "log")
    form = slack.modal_text(world.veteran)
    assert "open action items" in form.lower() and "Draft the QBR deck" in form
    sent = slack.submit(
        world.veteran,
        {
            "Topics": ["Renewals"],
            "Summary": "Reviewed the deck.",
            "Done since last session": ["mentee: Draft the QBR deck"],
        },
    )
    assert sent.ok, sent.errors
    first = _sessions(db)[0]
    done = {i["id"]: i["done"] for i in first.action_items}
    assert done == {"a1": True, "a2": False}


def test_done_button_on_app_home_ticks_off_only_ones_own_item(slack, world, db, pair) -> None:  # type: ignore[no-untyped-def]
    session = make_session(
        db,
        pair,
        when=datetime(2026, 11, 10, 15, tzinfo=UTC),
        action_items=[
            {
                "id": "m1",
                "item": "Share the playbook",
                "owner": "mentor",
                "due": None,
                "done": False,
                "done_at": None,
            },
            {
                "id": "n1",
                "item": "Draft the QBR deck",
                "owner": "mentee",
                "due": "2026-12-01",
                "done": False,
                "done_at": None,
            },
        ],
    )
    db.commit()
    home = str(slack.open_home(world.new_hire))
    assert "Draft the QBR deck" in home and "Share the playbook" not in home
    slack.click(world.new_hire, "Done", home=True, near="Draft the QBR deck")
    slack.press(world.new_hire, ACTION_ITEM_DONE, f"{session.id}:n1")  # a stale second click
    assert "another person's item" not in slack.describe(world.new_hire)
    slack.press(world.new_hire, ACTION_ITEM_DONE, f"{session.id}:m1")  # not Newt's to tick
    assert "the mentor's to tick off" in slack.last_ephemeral(world.new_hire).all_text
    db.expire_all()
    items = {i["id"]: i for i in db.get(MentorshipSession, session.id).action_items}
    assert items["n1"]["done"] is True and items["n1"]["done_at"]
    assert items["m1"]["done"] is False
    assert "Draft the QBR deck" not in str(slack.fake.home(world.new_hire.id))
    assert db.scalar(sa.select(sa.func.count()).where(AuditEntry.action == "action_item.done")) == 1
    # The mentor's own items are on the mentor's home.
    assert "Share the playbook" in str(slack.open_home(world.veteran))


def test_due_items_are_available_to_the_reminder_sweep(db, world, pair) -> None:  # type: ignore[no-untyped-def]
    from bot.services import action_items

    make_session(
        db,
        pair,
        when=datetime(2026, 11, 10, 15, tzinfo=UTC),
        action_items=[
            {
                "id": "x",
                "item": "Due soon",
                "owner": "mentee",
                "due": "2026-11-18",
                "done": False,
                "done_at": None,
            },
            {
                "id": "y",
                "item": "Later",
                "owner": "mentor",
                "due": "2026-12-30",
                "done": False,
                "done_at": None,
            },
        ],
    )
    due = action_items.due_on_or_before(db, date(2026, 11, 20))
    assert [(d.item_id, d.owner_user_id) for d in due] == [("x", world.new_hire.user_id)]


def test_group_session_records_attendance_per_mentee(slack, world, db, pair) -> None:  # type: ignore[no-untyped-def]
    vera = db.get(type(pair.mentor), pair.mentor_id)
    vera.max_mentees = 3
    make_assignment(db, vera, world.tokyo_hire)
    make_assignment(db, vera, world.junior)
    db.commit()
    slack.slash(world.veteran, "/mentor", "log group")
    assert "Attended" in slack.modal_text(world.veteran)
    sent = slack.submit(
        world.veteran,
        {
            "Invited": ["Newt Newhire", "Nova Fresh", "Jun Ior"],
            "Attended": ["Newt Newhire", "Nova Fresh"],
            "Topics": ["Discovery calls"],
            "Summary": "Discovery call workshop.",
            "Action items": "mentee: Run one discovery call\nmentor: Send the call checklist",
        },
    )
    assert sent.ok, sent.errors
    rows = _sessions(db)
    assert len(rows) == 3 and len({r.group_session_id for r in rows}) == 1
    attended = {r.assignment_id: r.attended for r in rows}
    assert sorted(attended.values()) == [False, True, True]
    mentee_items = [i for r in rows for i in r.action_items if i["owner"] == "mentee"]
    assert len(mentee_items) == 2  # one per mentee present
    assert sum(1 for r in rows for i in r.action_items if i["owner"] == "mentor") == 1
    assert "logged your session" in slack.last_dm(world.tokyo_hire).all_text
    assert slack.dms(world.junior) == []  # absent: not told about content


def test_group_attendance_must_be_among_the_invited(slack, world, db, pair) -> None:  # type: ignore[no-untyped-def]
    vera = db.get(type(pair.mentor), pair.mentor_id)
    make_assignment(db, vera, world.tokyo_hire)
    db.commit()
    slack.slash(world.veteran, "/mentor", "log group")
    sent = slack.submit(
        world.veteran,
        {
            "Invited": ["Newt Newhire"],
            "Attended": ["Nova Fresh"],
            "Topics": ["Renewals"],
            "Summary": "x",
        },
    )
    assert "invited" in sent.errors["Attended"]
    assert _sessions(db) == []


def test_a_mentee_cannot_log_a_group_session(slack, world, db, pair) -> None:  # type: ignore[no-untyped-def]
    reply = slack.mentor(world.new_hire, "log group")
    assert "Group sessions are logged by a mentor" in reply.all_text


def test_what_each_mentorship_keeps_of_its_sessions_follows_every_log_and_edit(
    slack, world, db, pair
) -> None:  # type: ignore[no-untyped-def]
    """The per-mentorship tallies the analytics, the nudges and App Home read are
    recounted on every write: a 1:1, an edit that moves its day, and a group session
    with an absentee all leave them equal to counting the session rows."""
    vera = db.get(type(pair.mentor), pair.mentor_id)
    vera.max_mentees = 3
    nova = make_assignment(db, vera, world.tokyo_hire)
    jun = make_assignment(db, vera, world.junior)
    db.commit()

    def kept(assignment) -> tuple:  # type: ignore[no-untyped-def]
        db.expire_all()
        row = db.get(type(assignment), assignment.id)
        return (row.sessions_logged, row.group_seats, row.group_seats_attended, row.last_session_at)

    def counted(assignment) -> tuple:  # type: ignore[no-untyped-def]
        s = MentorshipSession
        mine = s.assignment_id == assignment.id
        count = lambda *where: db.scalar(sa.select(sa.func.count()).where(mine, *where))  # noqa: E731
        grouped = s.group_session_id.is_not(None)
        last = db.scalar(sa.select(sa.func.max(s.session_date)).where(mine, s.attended))
        return (count(s.attended), count(grouped), count(grouped, s.attended), last)

    slack.slash(world.new_hire, "/mentor", "log")
    assert slack.submit(
        world.new_hire, {"Date": "2026-11-10", "Topics": ["Renewals"], "Summary": "First."}
    ).ok
    assert kept(pair)[:3] == (1, 0, 0) and kept(pair) == counted(pair)
    first_day = kept(pair)[3]
    assert first_day.date() == date(2026, 11, 10)

    # Vera logs the same day: she is offered Newt's log to edit, and moves it two days on.
    slack.slash(world.veteran, "/mentor", "log")
    slack.submit(
        world.veteran,
        {
            "Mentorship": "Newt Newhire (you are the mentor)",
            "Date": "2026-11-10",
            "Topics": ["Renewals"],
            "Summary": "x",
        },
    )
    assert "already logged" in slack.modal_text(world.veteran)
    assert slack.submit(world.veteran, {"Date": "2026-11-12", "Summary": "Moved."}).ok
    assert kept(pair)[:3] == (1, 0, 0) and kept(pair) == counted(pair)
    assert kept(pair)[3].date() == date(2026, 11, 12)

    slack.slash(world.veteran, "/mentor", "log group")
    assert slack.submit(
        world.veteran,
        {
            "Invited": ["Newt Newhire", "Nova Fresh", "Jun Ior"],
            "Attended": ["Newt Newhire", "Nova Fresh"],
            "Topics": ["Discovery calls"],
            "Summary": "Discovery call workshop.",
        },
    ).ok
    today = datetime(2026, 11, 17, 15, 0, tzinfo=UTC)
    assert kept(pair) == counted(pair) == (2, 1, 1, today)
    assert kept(nova) == counted(nova) == (1, 1, 1, today)
    assert kept(jun) == counted(jun) == (0, 1, 0, None)  # a missed seat is not a session
    slack.open_home(world.new_hire)
    assert "Sessions held: 2" in render_view(slack.fake.home(world.new_hire.id))
