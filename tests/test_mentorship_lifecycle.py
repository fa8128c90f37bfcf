"""One mentorship from request to completion, across the capabilities: the mentor's
record counts the mentee once, and accepting gives the mentorship its milestones."""

from __future__ import annotations

import sqlalchemy as sa

from bot.blocks.plaintext import render_blocks
from models import Assignment, Mentor, RampMilestone
from tests.factories import make_mentor
from tests.flows import assign


def test_request_accept_complete_counts_the_mentee_once(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    mentor = make_mentor(db, world.veteran, max_mentees=2)
    db.commit()
    sent = assign(slack, world.manager, world.veteran, world.new_hire, Goals="Run a QBR solo")
    assert sent.ok, sent.errors
    slack.click(world.veteran, "Accept", message=slack.last_dm(world.veteran))

    db.expire_all()
    assignment = db.scalar(sa.select(Assignment).where(Assignment.mentor_id == mentor.id))
    assert assignment.status == "active"
    linked = db.scalars(
        sa.select(RampMilestone.milestone_name).where(RampMilestone.assignment_id == assignment.id)
    ).all()
    assert "Run a QBR solo" in linked  # the goal became a milestone of the mentorship
    assert "Fully ramped" in linked  # and the program ramp is reviewed by this mentor
    assert db.get(Mentor, mentor.id).total_mentees_to_date == 1

    slack.slash(world.new_hire, "/mentor", "complete")
    assert slack.submit(world.new_hire, {"Feedback": "Great.", "Rating": "5"}).ok
    slack.click(world.veteran, "Give feedback", message=slack.last_dm(world.veteran))
    assert slack.submit(world.veteran, {"Feedback": "A joy.", "Rating": "5"}).ok

    db.expire_all()
    record = db.get(Mentor, mentor.id)
    assert (record.total_mentees_to_date, record.current_mentee_count) == (1, 0)
    profile = slack.mentor(world.new_hire, f"profile {world.veteran.mention}").all_text
    assert "Mentees to date" in profile


def test_mentor_answers_a_request_from_app_home(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    make_mentor(db, world.veteran, max_mentees=2)
    db.commit()
    assert assign(slack, world.manager, world.veteran, world.new_hire).ok

    home = render_blocks(slack.open_home(world.veteran)["blocks"])
    assert "Requests waiting for your answer" in home and "Newt Newhire" in home
    slack.click(world.veteran, "Accept", home=True, near="Newt Newhire")

    db.expire_all()
    assert db.scalar(sa.select(Assignment.status)) == "active"
    assert "accepted" in slack.last_dm(world.manager).all_text.lower()
    refreshed = slack.fake.home(world.veteran.id)
    assert not any(
        b.get("type") == "actions" and "Accept" in str(b) for b in refreshed["blocks"]
    )  # the request left the home once answered
