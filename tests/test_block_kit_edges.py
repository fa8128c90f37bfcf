"""Block Kit edges a real workspace hits: what the app sends stays within Slack's
limits however many mentees, requests or skills a person has, and nothing is cut
silently."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from bot.blocks import kit
from bot.blocks import milestones as milestone_blocks
from bot.blocks.plaintext import render_blocks
from bot.services import program
from bot.services.milestone_views import ReviewRequest
from bot.testing.surface_inputs import buttons_in
from models import Assignment, InteractionState, Mentor, MentorshipSession, User
from tests.factories import make_assignment, make_mentor, make_people, make_session
from tests.flows import CONFIRM


def test_home_buttons_that_open_a_form_send_no_empty_value(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    """Slack refuses `value: ""`, so a home with such a button was never published."""
    make_mentor(db, world.veteran)
    db.commit()
    for person, label in (
        (world.veteran, "Edit profile"),
        (world.londoner, "Become a mentor"),
        (world.admin, "Program settings"),
    ):
        home = slack.open_home(person)  # published: Slack took every button on it
        assert label in [b.label for b in buttons_in(home["blocks"])]
        slack.click(person, label, home=True)
        assert slack.modal(person) is not None, f"{label} opened no modal"


def test_a_group_session_with_twelve_mentees_offers_and_records_them_all(  # type: ignore[no-untyped-def]
    slack, world, db, clock
) -> None:
    """Capacity goes up to 20, checkboxes hold 10: Slack refused the pre-ticked 12."""
    hires = make_people(db, slack.fake, 12, now=clock[0])
    vera = make_mentor(db, world.veteran, max_mentees=20)
    for hire in hires:
        make_assignment(db, vera, hire)
    db.commit()
    slack.slash(world.veteran, "/mentor", "log group")
    form = slack.modal_text(world.veteran)
    assert "Invited" in form and "Attended" in form
    sent = slack.submit(
        world.veteran,
        {
            "Attended": [h.name for h in hires[:11]],  # everyone was invited, one missed it
            "Topics": ["Discovery calls"],
            "Summary": "Discovery call workshop.",
        },
    )
    assert sent.ok, sent.errors
    db.expire_all()
    rows = list(db.scalars(sa.select(MentorshipSession)))
    assert len(rows) == 12 and len({r.group_session_id for r in rows}) == 1
    assert sorted(r.attended for r in rows) == [False] + [True] * 11


def test_a_mentor_with_60_waiting_requests_keeps_every_home_section(  # type: ignore[no-untyped-def]
    slack, world, db, clock
) -> None:
    """Two blocks a request took the Home past Slack's 100 and it was cut (or refused):
    Edit profile and everything below the requests went missing."""
    hires = make_people(db, slack.fake, 60, now=clock[0])
    vera = make_mentor(db, world.veteran, max_mentees=20)
    make_assignment(db, vera, world.junior)
    for hire in hires:
        make_assignment(db, vera, hire, status="pending", assigned_by=world.manager)
    db.commit()

    home = render_blocks(slack.open_home(world.veteran)["blocks"])
    assert "Requests waiting for your answer" in home
    shown = [h for h in hires if h.name in home]
    assert len(shown) == 8 and shown == hires[:8]  # the oldest first
    assert "…and 52 more waiting" in home
    assert "Active mentees*\n• *Jun Ior*" in home
    assert "Open trainings" in home and "[Edit profile]" in home

    slack.click(world.veteran, "Accept", home=True, near=hires[0].name)
    assert "…and 51 more waiting" in render_blocks(slack.fake.home(world.veteran.id)["blocks"])

    slack.click(world.veteran, "See all 59 requests", home=True)
    full_list = slack.modal_text(world.veteran)
    assert all(h.name in full_list for h in hires[1:]) and hires[0].name not in full_list
    assert len(slack.modal(world.veteran)["blocks"]) <= 100


def test_long_lists_are_packed_into_sections_and_the_rest_counted() -> None:
    lines = [f"• request {n:03d} " + "x" * 80 for n in range(1000)]
    blocks = kit.line_sections(lines, most=10)
    assert len(blocks) == 10
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks[:9])
    kept = sum(b["text"]["text"].count("• request") for b in blocks[:9])
    assert blocks[9]["elements"][0]["text"] == f"…and {1000 - kept} more."
    assert kit.line_sections(lines[:3], most=10) == [kit.section("\n".join(lines[:3]))]


def test_a_forty_skill_focus_survives_the_assign_button_and_the_modal(  # type: ignore[no-untyped-def]
    slack, world, db, clock
) -> None:
    """The focus rode in the Assign button's value and the modal's private metadata;
    forty long skill names passed 2,000 characters and the cut JSON broke."""
    skills = [
        f"Enterprise renewal negotiation for strategic account tier {n:02d}" for n in range(40)
    ]
    program.update(db, changes={"skills": skills}, actor_id=None, now=clock[0])
    make_mentor(db, world.veteran, expertise=skills[:30])
    db.commit()
    reply = slack.mentor(
        world.manager, f"match {world.new_hire.mention} focus: {', '.join(skills)}"
    )
    assert "1. Vera Veteran" in reply.all_text and "covers 30 of 40 skill gaps" in reply.all_text
    [assign] = [b for b in buttons_in(reply.blocks) if b.label == "Assign"]
    assert len(assign.value) < 200  # a short key, the focus stays on the server

    slack.click(world.manager, "Assign", message=reply, near="Vera Veteran")
    assert len(slack.modal(world.manager)["private_metadata"]) < 300
    sent = slack.submit(world.manager, CONFIRM)
    assert sent.ok, sent.errors
    db.expire_all()
    request = db.scalar(sa.select(Assignment).where(Assignment.status == "pending"))
    assert request is not None and request.focus_skills == skills
    assert "Vera Veteran" in render_blocks(slack.last_dm(world.manager).blocks)


def test_an_assign_button_whose_kept_focus_is_gone_says_to_match_again(  # type: ignore[no-untyped-def]
    slack, world, db
) -> None:
    make_mentor(db, world.veteran, expertise=["Renewals"])
    db.commit()
    reply = slack.mentor(world.manager, f"match {world.new_hire.mention} focus: Renewals")
    db.execute(sa.delete(InteractionState))  # swept, or another replica's database
    db.commit()
    slack.click(world.manager, "Assign", message=reply)
    assert "too old to use now. Run the command again" in slack.describe(world.manager)
    assert slack.modal(world.manager) is None or "Assign a mentor" not in slack.modal_text(
        world.manager
    )


def test_edit_profile_after_the_maximum_capacity_was_lowered_opens_within_it(  # type: ignore[no-untyped-def]
    slack, world, db, clock
) -> None:
    """Vera took 12 when the maximum was 20; an admin lowered it to 8. The capacity
    input opened at 12 with a maximum of 8, and Slack refused the modal."""
    make_mentor(db, world.veteran, max_mentees=12)
    db.commit()
    program.update(db, changes={"max_capacity": 8}, actor_id=None, now=clock[0])
    db.commit()

    slack.open_home(world.veteran)
    slack.click(world.veteran, "Edit profile", home=True)
    form = slack.modal_text(world.veteran)
    assert "Capacity: 8" in form
    assert "Your capacity of 12 is above the program's maximum of 8 now" in form
    assert slack.submit(world.veteran).ok
    db.expire_all()
    assert db.scalar(sa.select(Mentor.max_mentees)) == 8


def test_the_most_skills_the_settings_allow_fit_the_expertise_and_topics_menus(  # type: ignore[no-untyped-def]
    slack, world, db, clock
) -> None:
    """The settings form allows 100 skills of 75 characters: both menus built from
    them (Expertise to opt in, Topics to log a session) are still taken by Slack."""
    skills = [f"Skill {n:03d} " + "x" * 65 for n in range(100)]
    assert {len(s) for s in skills} == {75}
    program.update(db, changes={"skills": skills}, actor_id=None, now=clock[0])
    make_assignment(db, make_mentor(db, world.londoner), world.new_hire)
    db.commit()
    slack.slash(world.veteran, "/mentor", "optin")
    assert slack.submit(world.veteran, {"Expertise": [skills[99]]}).ok
    slack.slash(world.londoner, "/mentor", "log")
    assert slack.submit(world.londoner, {"Topics": [skills[0]], "Summary": "First call."}).ok


def test_a_mentor_of_twelve_is_told_of_every_mentorship_beyond_the_cards(  # type: ignore[no-untyped-def]
    slack, world, db, clock
) -> None:
    """Home and `/mentor status` showed eight mentorships and said nothing of the rest;
    `/mentor status` cut its blocks at 50, mid-card, when the cards were long."""
    hires = make_people(db, slack.fake, 12, now=clock[0])
    vera = make_mentor(db, world.veteran, max_mentees=20)
    item = {"id": "i1", "owner": "mentee", "item": "Draft the QBR deck", "done": False}
    for hire in hires:
        mentorship = make_assignment(db, vera, hire)
        make_session(db, mentorship, when=clock[0] - timedelta(days=2), action_items=[item])
    db.commit()

    home = render_blocks(slack.open_home(world.veteran)["blocks"])
    assert all(f"Mentee: *{h.name}*" in home for h in hires[:5])
    named = ", ".join(h.name for h in hires[5:])
    assert f"…and 7 more mentorships: {named} · `/mentor log` logs for any of them" in home

    status = slack.mentor(world.veteran, "status")  # Slack took it: within 50 blocks
    shown = [h for h in hires if f"{h.name.upper()}'S MENTORSHIP" in status.all_text]
    assert 1 < len(shown) < 8, "each card here holds the private part: fewer fit"
    assert status.text == f"Mentorship status: {len(shown)} of 12 shown"
    rest = ", ".join(h.name for h in hires[len(shown) :])
    assert f"…and {12 - len(shown)} more: {rest}" in status.all_text
    assert "/mentor status @person" in status.all_text


def test_the_log_form_says_how_many_open_items_it_could_not_list(  # type: ignore[no-untyped-def]
    slack, world, db, clock
) -> None:
    """Checkboxes hold ten: the eleventh and twelfth open items vanished from the form."""
    mentorship = make_assignment(db, make_mentor(db, world.veteran), world.new_hire)
    items = [
        {"id": f"i{n:02d}", "owner": "mentee", "item": f"Practice call {n:02d}", "done": False}
        for n in range(12)
    ]
    make_session(db, mentorship, when=clock[0] - timedelta(days=2), action_items=items)
    db.commit()
    slack.slash(world.new_hire, "/mentor", "log")
    form = slack.modal_text(world.new_hire)
    assert "Practice call 09" in form and "Practice call 10" not in form
    assert "…and 2 more open action items: they stay open" in form


def test_the_busiest_persons_home_keeps_every_section_within_100_blocks(  # type: ignore[no-untyped-def]
    slack, world, db, clock
) -> None:
    """An admin who manages new hires, mentors twenty of them with sixty more asking,
    has trainings to do, a mentor of her own and open action items: each section adds
    its blocks, and past 100 Slack refused the whole Home."""
    trainings = [{"key": f"t{n:02d}", "name": f"Training {n:02d}"} for n in range(20)]
    program.update(db, changes={"required_trainings": trainings}, actor_id=None, now=clock[0])
    hires = make_people(db, slack.fake, 80, now=clock[0])
    max_ = db.scalar(sa.select(User).where(User.slack_user_id == world.manager.id))
    max_.is_admin = True
    mentor = make_mentor(db, world.manager, max_mentees=20)
    item = {"id": "i1", "owner": "mentor", "item": "Share the playbook", "done": False}
    for hire in hires[:20]:
        mentorship = make_assignment(db, mentor, hire)
        make_session(db, mentorship, when=clock[0] - timedelta(days=2), action_items=[item])
    for hire in hires[20:]:
        make_assignment(db, mentor, hire, status="pending", assigned_by=world.admin)
    make_assignment(db, make_mentor(db, world.veteran), world.manager)
    db.commit()

    home = slack.open_home(world.manager)  # published: Slack took it
    text = render_blocks(home["blocks"])
    for section in (
        "YOUR MENTORING",
        "[Edit profile]",
        "Training 19",
        "YOUR MENTORSHIPS",
        "Vera Veteran",  # her mentor: a card, or named after the cards
        "Your action items",
        "[Program settings]",
    ):
        assert section in text, section


def test_home_reviews_show_the_oldest_five_and_count_the_rest() -> None:
    """Eight were shown and the ninth onwards dropped without a word."""
    when = datetime(2026, 11, 16, 15, 0, tzinfo=UTC)
    waiting = [
        ReviewRequest(uuid.uuid4(), "First QBR", f"Hire {n}", f"U{n}", "Deck", when, uuid.uuid4())
        for n in range(7)
    ]
    rows = milestone_blocks.review_rows(waiting, ZoneInfo("UTC"))
    text = render_blocks(rows)
    assert [f"Hire {n}" in text for n in range(7)] == [True] * 5 + [False] * 2
    assert "…and 2 more waiting: each is also in your DMs." in text
