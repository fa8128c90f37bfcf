"""Topic circles (issue 18, item 4): a mentor opens a circle on a topic, people in the
program join and leave it from `/mentor circles`, and a full circle refuses a join."""

from __future__ import annotations

from sqlalchemy import select

from models import AuditEntry, CircleMember, TopicCircle
from tests.factories import make_mentor

CIRCLE = {"Name": "Renewals clinic", "Topic": "Renewals & QBRs", "Seats": "2", "Cadence": "Weekly"}


def _open(slack, world, db, **values):  # type: ignore[no-untyped-def]
    make_mentor(db, world.veteran, expertise=["Renewals"])
    db.commit()
    slack.slash(world.veteran, "/mentor", "circles new")
    return slack.submit(world.veteran, {**CIRCLE, **values})


def test_hires_join_and_leave_a_circle_until_it_is_full(slack, world, db, clock) -> None:  # type: ignore[no-untyped-def]
    opened = _open(slack, world, db)
    assert opened.ok, opened.errors
    assert "Renewals clinic* is open: 2 seat(s), weekly" in slack.modal_text(world.veteran)
    db.expire_all()
    circle = db.scalar(select(TopicCircle))
    assert (circle.name, circle.topic, circle.seats, circle.cadence) == (
        "Renewals clinic",
        "Renewals & QBRs",
        2,
        "weekly",
    )

    listed = slack.mentor(world.new_hire, "circles").all_text
    assert "Renewals clinic" in listed and "Host: Vera Veteran" in listed
    assert "seats taken: 0/2" in listed
    slack.click(world.new_hire, "Join", near="Renewals clinic")
    assert (
        "You joined “Renewals clinic” (1/2 seats taken)"
        in slack.last_ephemeral(world.new_hire).text
    )
    slack.mentor(world.tokyo_hire, "circles")
    slack.click(world.tokyo_hire, "Join", near="Renewals clinic")

    # The third person meets a full circle: told so, and no seat is taken.
    listed = slack.mentor(world.londoner, "circles").all_text
    assert "seats taken: 2/2 (full)" in listed
    assert "Members: Newt Newhire, Nova Fresh" in listed
    slack.click(world.londoner, "Join", near="Renewals clinic")
    assert (
        "“Renewals clinic” is full: all 2 seat(s) are taken"
        in slack.last_ephemeral(world.londoner).text
    )
    db.expire_all()
    assert len(db.scalars(select(CircleMember)).all()) == 2

    # Newt leaves (the list shows him Leave, not Join); Omar takes the seat.
    slack.mentor(world.new_hire, "circles")
    slack.click(world.new_hire, "Leave", near="Renewals clinic")
    assert (
        "You left “Renewals clinic” (1/2 seats taken)" in slack.last_ephemeral(world.new_hire).text
    )
    slack.mentor(world.londoner, "circles")
    slack.click(world.londoner, "Join", near="Renewals clinic")
    db.expire_all()
    members = {m.user_id for m in db.scalars(select(CircleMember))}
    assert members == {world.tokyo_hire.user_id, world.londoner.user_id}
    actions = [a.action for a in db.scalars(select(AuditEntry).order_by(AuditEntry.created_at))]
    assert actions.count("circle.joined") == 3 and actions.count("circle.left") == 1
    assert "circle.opened" in actions


def test_the_host_sees_their_circle_without_a_join_button(slack, world, db, clock) -> None:  # type: ignore[no-untyped-def]
    assert _open(slack, world, db).ok
    reply = slack.mentor(world.veteran, "circles")
    assert "You host this circle" in reply.all_text
    assert "Join" not in str(reply.blocks)


def test_bad_circles_are_refused_on_the_field(slack, world, db, clock) -> None:  # type: ignore[no-untyped-def]
    refused = _open(slack, world, db, Seats="0", Name="   ")
    assert not refused.ok
    assert "from 1 to 50" in refused.errors["Seats"]
    assert "can't be empty" in refused.errors["Name"]
    db.expire_all()
    assert db.scalar(select(TopicCircle)) is None


def test_only_mentors_open_circles(slack, world, db, clock) -> None:  # type: ignore[no-untyped-def]
    reply = slack.mentor(world.new_hire, "circles new")
    assert "Only active mentors host topic circles" in reply.text
    assert slack.modal(world.new_hire) is None


def test_no_open_circle_says_how_to_open_one(slack, world, db, clock) -> None:  # type: ignore[no-untyped-def]
    text = slack.mentor(world.new_hire, "circles").all_text
    assert "No topic circles are open" in text and "/mentor circles new" in text
