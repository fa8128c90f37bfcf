"""App Home for mentors: profile, capacity, requests waiting for an answer, active
mentees, open trainings; a way in for eligible people; settings for admins."""

from __future__ import annotations

import sqlalchemy as sa

from bot.blocks.plaintext import render_blocks
from bot.services import program
from models import Mentor
from tests.factories import make_assignment, make_mentor


def _home_text(slack, who) -> str:  # type: ignore[no-untyped-def]
    return render_blocks(slack.open_home(who)["blocks"])


def test_mentor_home_shows_capacity_requests_mentees_and_trainings(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    mentor = make_mentor(db, world.veteran, expertise=["Renewals"], max_mentees=3)
    make_assignment(db, mentor, world.junior, cadence="biweekly")
    make_assignment(db, mentor, world.new_hire, status="pending", assigned_by=world.manager)
    make_assignment(db, mentor, world.tokyo_hire, status="completed")  # history, not shown
    db.commit()

    home = _home_text(slack, world.veteran)
    assert "YOUR MENTORING" in home
    assert "1 of 3 mentees · 2 places free" in home
    assert "Available for new mentees" in home
    assert "Requests waiting for your answer*\n• *Newt Newhire*, asked by Max Manager" in home
    assert "[Accept] [Decline]" in home  # answered right here
    assert "Active mentees*\n• *Jun Ior* since Mon 2 Nov 2026, biweekly check-ins" in home
    assert "Nova Fresh" not in home
    assert "Open trainings" in home and "Mentoring 101" in home
    assert "[Edit profile]" in home


def test_marking_a_training_done_from_home_refreshes_it(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    make_mentor(db, world.veteran)
    db.commit()
    slack.open_home(world.veteran)
    slack.click(world.veteran, "Mark done", home=True, near="Mentoring 101")
    home = render_blocks(slack.fake.home(world.veteran.id)["blocks"])
    assert "Mentoring 101" not in home
    assert "Confidentiality" in home
    db.expire_all()
    mentor = db.scalar(sa.select(Mentor).where(Mentor.user_id == world.veteran.user_id))
    assert [t.training_key for t in mentor.trainings] == ["mentoring-101"]


def test_edit_profile_from_home_opens_the_prefilled_modal(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    make_mentor(db, world.veteran, expertise=["Negotiation"], max_mentees=4)
    db.commit()
    slack.open_home(world.veteran)
    slack.click(world.veteran, "Edit profile", home=True)
    modal = slack.modal_text(world.veteran)
    assert "Expertise: Negotiation" in modal and "Capacity: 4" in modal
    assert slack.submit(world.veteran, {"Capacity": "5"}).ok
    home = render_blocks(slack.fake.home(world.veteran.id)["blocks"])
    assert "0 of 5 mentees · 5 places free" in home


def test_eligible_people_are_invited_and_new_hires_are_not(slack, world) -> None:  # type: ignore[no-untyped-def]
    assert "[Become a mentor]" in _home_text(slack, world.londoner)
    assert "Become a mentor" not in _home_text(slack, world.new_hire)
    assert "YOUR MENTORING" not in _home_text(slack, world.new_hire)
    slack.click(world.londoner, "Become a mentor", home=True)
    assert "Become a mentor" in slack.modal_text(world.londoner)
    assert slack.submit(world.londoner, {"Expertise": ["Renewals"]}).ok
    assert "YOUR MENTORING" in render_blocks(slack.fake.home(world.londoner.id)["blocks"])


def test_a_refusal_from_a_home_button_is_shown_in_a_modal(slack, world, db, clock) -> None:  # type: ignore[no-untyped-def]
    slack.open_home(world.londoner)  # the button was there when the home was drawn...
    program.update(db, changes={"min_tenure_days": 5000}, actor_id=None, now=clock[0])
    db.commit()
    slack.click(world.londoner, "Become a mentor", home=True)  # ...but the rules changed
    notice = slack.modal_text(world.londoner)
    assert "You can't opt in as a mentor yet" in notice
    assert "Tenure: at least 5000 days" in notice


def test_admins_get_the_program_settings_button(slack, world) -> None:  # type: ignore[no-untyped-def]
    assert "[Program settings]" in _home_text(slack, world.admin)
    assert "Program settings" not in _home_text(slack, world.manager)
    slack.click(world.admin, "Program settings", home=True)
    slack.click(world.admin, "Eligibility", in_view=True)
    assert "Minimum tenure (days): 180" in slack.modal_text(world.admin)
