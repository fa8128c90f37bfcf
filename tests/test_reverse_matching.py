"""Reverse matching (issue 18, item 5): `/mentor match @learner reverse <topic>` offers
people by their expertise in the topic alone (no tenure or performance rule), and its
"Assign (reverse)" button asks one of them through the same service as `/mentor assign
... reverse`. `/mentor teach` lets anyone record the topics they can teach; a
reverse-only teacher is never a standard mentor until the opt-in makes them one."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import func, select

from bot.blocks.actions import ASSIGN_REVERSE
from bot.listeners.matching import parse_reverse_topic
from models import Assignment, AuditEntry, Mentor, SkillAssessment
from tests.factories import make_assignment, make_mentor
from tests.flows import CONFIRM

TOPIC = "CRM hygiene"


def _rate(db, person, skill: str, rating: int, clock) -> None:  # type: ignore[no-untyped-def]
    """The person's own self-assessment of a skill (as the progress check-in records it)."""
    db.add(
        SkillAssessment(
            user_id=person.user_id,
            skill=skill,
            rating=rating,
            assessed_at=clock[0] - timedelta(days=1),
        )
    )


def _teach(slack, person, topics: list[str]):  # type: ignore[no-untyped-def]
    slack.slash(person, "/mentor", "teach")
    return slack.submit(person, {"Topics you can teach": topics})


def _mentor_of(db, person) -> Mentor | None:  # type: ignore[no-untyped-def]
    db.expire_all()
    return db.scalar(select(Mentor).where(Mentor.user_id == person.user_id))


def test_a_new_hire_records_a_topic_and_is_offered_and_asked_in_reverse(
    slack, world, db, clock
) -> None:  # type: ignore[no-untyped-def]
    # Newt, hired five days ago, says what he can teach.
    saved = _teach(slack, world.new_hire, [TOPIC])
    assert saved.ok, saved.errors
    assert f"You teach: {TOPIC}" in slack.modal_text(world.new_hire)
    newt = _mentor_of(db, world.new_hire)
    assert newt is not None and newt.reverse_only and newt.expertise_areas == [TOPIC]
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "mentor.topics_updated"))

    make_mentor(db, world.veteran, expertise=["Renewals"])  # a mentor, not of this topic
    make_mentor(db, world.tokyo_veteran, expertise=[TOPIC, "Renewals"])
    _rate(db, world.junior, TOPIC, 5, clock)  # Jun is no mentor but rates himself 5/5
    _rate(db, world.londoner, TOPIC, 5, clock)  # the learner himself: never offered
    _rate(db, world.tokyo_hire, TOPIC, 3, clock)  # 3/5 is not enough to teach it
    # Ada rates herself 5/5, but Max may not see his own manager's self-ratings.
    _rate(db, world.admin, TOPIC, 5, clock)
    db.commit()

    reply = slack.mentor(world.manager, f"match {world.londoner.mention} reverse crm")
    text = reply.all_text
    assert "REVERSE MENTORSHIP: CRM HYGIENE" in text
    assert "no tenure or performance rule" in text
    # Who lists the topic first (then by name), then who rates themselves highly.
    assert "*1. Keiko Tanaka*" in text and "*2. Newt Newhire*" in text
    assert "*3. Jun Ior*" in text and "*4." not in text
    for absent in ("Vera Veteran", "Omar Okafor", "Ada Lovelace", "Nova Fresh"):
        assert f". {absent}*" not in text
    assert "Rates themselves 5/5 in CRM hygiene" in text
    assert "No mentor profile: asking them makes a reverse-only one" in text
    assert "Teaches in reverse mentorships only" in text

    # An admin may see everyone's self-ratings: Ada's counts for her.
    for_admin = slack.mentor(world.admin, f"match {world.londoner.mention} reverse crm")
    assert ". Ada Lovelace*\n• Rates themselves 5/5" in for_admin.all_text

    # The button opens the same modal `/mentor assign @newt @omar reverse` does.
    slack.click(world.manager, "Assign (reverse)", near="Newt Newhire", message=reply)
    modal = slack.modal_text(world.manager)
    assert "*Newt Newhire* to teach *Omar Okafor*: CRM hygiene" in modal
    submitted = slack.submit(world.manager, {**CONFIRM, "Goals": "Clean pipeline by Q1"})
    assert submitted.ok, submitted.errors
    db.expire_all()
    asked = db.scalar(select(Assignment))
    assert asked.kind == "reverse" and asked.status == "pending"
    assert asked.mentor_id == newt.id and asked.mentee_user_id == world.londoner.user_id
    assert asked.focus_skills == [TOPIC]
    offer = slack.last_dm(world.new_hire)
    assert "Reverse mentorship" in offer.all_text
    assert "asks you to teach *Omar Okafor*" in offer.all_text

    # Someone asked already is not offered again for this learner.
    again = slack.mentor(world.manager, f"match {world.londoner.mention} reverse CRM").all_text
    assert "Newt Newhire" not in again and "Keiko Tanaka" in again


def test_a_person_without_a_profile_is_asked_from_the_match(slack, world, db, clock) -> None:  # type: ignore[no-untyped-def]
    """Jun has no mentor profile: the click makes a reverse-only one, as `/mentor assign
    ... reverse` would, and a standard request can't reach him."""
    _rate(db, world.junior, TOPIC, 4, clock)
    db.commit()
    reply = slack.mentor(world.admin, f"match {world.londoner.mention} reverse {TOPIC}")
    slack.click(world.admin, "Assign (reverse)", near="Jun Ior", message=reply)
    assert slack.submit(world.admin, CONFIRM).ok
    jun = _mentor_of(db, world.junior)
    assert jun is not None and jun.reverse_only
    assert db.scalar(select(Assignment)).mentor_id == jun.id


def test_a_reverse_only_profile_is_never_offered_until_the_optin(slack, world, db, clock) -> None:  # type: ignore[no-untyped-def]
    # Omar meets the mentor criteria but only said what he teaches.
    assert _teach(slack, world.londoner, ["Renewals", TOPIC]).ok
    omar = _mentor_of(db, world.londoner)
    assert omar is not None and omar.reverse_only
    learner = make_assignment(db, omar, world.veteran, kind="reverse")
    db.commit()
    standard = slack.mentor(world.manager, f"match {world.tokyo_hire.mention}").all_text
    assert "Omar Okafor" not in standard

    # His Home says what he teaches, and offers the opt-in: he meets the criteria.
    home = str(slack.open_home(world.londoner))
    assert "Your reverse mentoring" in home and "Renewals, CRM hygiene" in home
    # The opt-in turns the same profile into a mentor's: topics and mentorships kept.
    slack.click(world.londoner, "Become a mentor", home=True)
    assert "Renewals" in slack.modal_text(world.londoner)
    assert slack.submit(world.londoner, {"Capacity": "3"}).ok
    after = _mentor_of(db, world.londoner)
    assert after is not None and after.id == omar.id
    assert not after.reverse_only and after.expertise_areas == ["Renewals", TOPIC]
    assert db.get(Assignment, learner.id).mentor_id == omar.id
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "mentor.opted_in"))
    standard = slack.mentor(world.manager, f"match {world.tokyo_hire.mention}").all_text
    assert "Omar Okafor" in standard
    home = str(slack.open_home(world.londoner))
    assert "Your mentoring" in home and "Become a mentor" not in home


def test_a_reverse_only_teacher_below_the_criteria_cant_opt_in(slack, world, db, clock) -> None:  # type: ignore[no-untyped-def]
    assert _teach(slack, world.new_hire, [TOPIC]).ok
    home = str(slack.open_home(world.new_hire))
    assert "Your reverse mentoring" in home and "Become a mentor" not in home
    slack.slash(world.new_hire, "/mentor", "optin")
    assert "Capacity" not in slack.modal_text(world.new_hire)  # no opt-in form opened
    refused = slack.last_ephemeral(world.new_hire).text
    assert "Tenure: at least 180 days" in refused
    newt = _mentor_of(db, world.new_hire)
    assert newt is not None and newt.reverse_only  # unchanged


def test_recording_topics_refuses_an_empty_or_unknown_choice(slack, world, db, clock) -> None:  # type: ignore[no-untyped-def]
    slack.slash(world.new_hire, "/mentor", "teach")
    empty = slack.submit(world.new_hire, {"Topics you can teach": []})
    assert "at least one" in empty.errors["Topics you can teach"]
    forged = slack.submit(
        world.new_hire,
        crafted={
            "expertise": {
                "expertise": {
                    "type": "multi_static_select",
                    "selected_options": [
                        {"text": {"type": "plain_text", "text": "Juggling"}, "value": "Juggling"}
                    ],
                }
            }
        },
    )
    assert "a value it doesn't offer" in forged.errors["Topics you can teach"]
    assert _mentor_of(db, world.new_hire) is None  # nothing written


def test_bad_reverse_match_input_names_the_argument_and_changes_nothing(
    slack, world, db, clock
) -> None:  # type: ignore[no-untyped-def]
    no_topic = slack.mentor(world.manager, f"match {world.londoner.mention} reverse").text
    assert "Name the topic" in no_topic and "CRM hygiene" in no_topic
    unknown = slack.mentor(world.manager, f"match {world.londoner.mention} reverse juggling").text
    assert "Topic: 'juggling' is not a program skill" in unknown
    nobody = slack.mentor(world.manager, "match <@UNOBODY> reverse CRM").text
    assert "can't find <@UNOBODY> in the roster" in nobody
    no_learner = slack.mentor(world.manager, "match reverse CRM").text
    assert "who wants to learn" in no_learner
    not_theirs = slack.mentor(world.junior, f"match {world.londoner.mention} reverse CRM").text
    assert "Only Omar Okafor's manager" in not_theirs

    # A forged button with the same person on both sides: refused, no profile made.
    same = {
        "teacher": str(world.londoner.user_id),
        "learner": str(world.londoner.user_id),
        "topic": TOPIC,
    }
    slack.press(world.manager, ASSIGN_REVERSE, json.dumps(same))
    assert "the same person on both sides" in slack.last_ephemeral(world.manager).text
    assert slack.modal(world.manager) is None
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Mentor)) == 0
    assert db.scalar(select(func.count()).select_from(Assignment)) == 0


def test_who_cant_be_asked_now_is_not_offered(slack, world, db, clock) -> None:  # type: ignore[no-untyped-def]
    """Paused, opted-out and full profiles are left out: the request would refuse them."""
    make_mentor(db, world.tokyo_veteran, expertise=[TOPIC], paused_until=clock[0].date())
    full = make_mentor(db, world.veteran, expertise=[TOPIC], max_mentees=1)
    make_assignment(db, full, world.tokyo_hire)
    make_mentor(db, world.junior, expertise=[TOPIC], opted_out_at=clock[0])
    make_mentor(db, world.admin, expertise=[TOPIC])
    db.commit()
    text = slack.mentor(world.manager, f"match {world.londoner.mention} reverse {TOPIC}").all_text
    assert "*1. Ada Lovelace*" in text and "*2." not in text


def test_reverse_and_its_topic_are_read_from_the_match_text() -> None:
    assert parse_reverse_topic("<@U1> reverse CRM hygiene") == "CRM hygiene"
    assert parse_reverse_topic("<@U1> Reverse: crm") == "crm"
    assert parse_reverse_topic("<@U1> reverse") == ""
    assert parse_reverse_topic("<@U1> focus: Renewals") is None
    assert parse_reverse_topic("<@U1> focus: reverse logistics") is None  # a skill's name
