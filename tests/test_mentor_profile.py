"""`/mentor profile [@user]` and recognition: badges from history, and the shout-out
for a well-rated completed mentorship (names and duration only)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.listeners.mentors import post_completion_shoutout
from bot.services import program, recognition
from tests.factories import make_assignment, make_mentor

PRIVATE = "She struggled with the Acme renewal"  # feedback text that must never leak


def _complete(db, mentor, mentee, *, rating, weeks=12, start=date(2026, 6, 1)):  # type: ignore[no-untyped-def]
    return make_assignment(
        db,
        mentor,
        mentee,
        status="completed",
        start=start,
        actual_end_date=date.fromordinal(start.toordinal() + weeks * 7),
        mentee_rating=rating,
        mentee_feedback=PRIVATE,
        completion_notes=PRIVATE,
    )


def test_anyone_sees_a_mentors_profile(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    mentor = make_mentor(
        db,
        world.veteran,
        expertise=["Renewals", "Negotiation"],
        max_mentees=3,
        availability_notes="Tue/Thu afternoons",
        certified=True,
    )
    # 03:00 UTC on the 3rd is still the 2nd where Newt (Chicago) reads it.
    mentor.certified_at = datetime(2026, 11, 3, 3, 0, tzinfo=UTC)
    make_assignment(db, mentor, world.new_hire)
    _complete(db, mentor, world.junior, rating=5)
    _complete(db, mentor, world.tokyo_hire, rating=4)
    db.commit()

    reply = slack.mentor(world.new_hire, f"profile <@{world.veteran.id}>")
    text = reply.all_text
    assert "VERA VETERAN — MENTOR PROFILE" in text  # the header
    assert "Renewals, Negotiation" in text
    assert "1 of 3 mentees · 2 places free" in text
    assert "Tue/Thu afternoons" in text
    assert "Certified on Mon 2 Nov 2026" in text
    assert "*Mentees to date*\n3" in text
    assert "4.5/5 from 2 ratings" in text
    assert "Certified mentor" in text and "First mentorship" in text
    assert "Top rated" not in text  # two ratings are not enough
    assert PRIVATE not in text
    assert "Certify" not in text  # only admins certify, and Vera is certified anyway


def test_own_profile_without_a_mention(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    make_mentor(db, world.veteran)
    db.commit()
    text = slack.mentor(world.veteran, "profile").all_text
    assert "YOUR MENTOR PROFILE" in text
    assert "Not certified yet · open: Mentoring 101, Confidentiality & privacy" in text
    assert "No ratings yet" in text and "Badges*\nNone yet" in text


def test_profile_of_someone_who_is_not_a_mentor(slack, world) -> None:  # type: ignore[no-untyped-def]
    text = slack.mentor(world.veteran, f"profile <@{world.junior.id}>").all_text
    assert "Jun Ior hasn't opted in as a mentor, so has no mentor profile." in text
    own = slack.mentor(world.junior, "profile").all_text
    assert "You haven't opted in as a mentor. `/mentor optin` to become one." in own


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("profile <@UNOBODY>", "<@UNOBODY> isn't in MentorBot's roster"),
        ("profile <@UBUILD|buildbot>", "<@UBUILD> is a bot, not a person."),
        ("profile bob", "'bob' isn't someone I can look up. Mention a person"),
    ],
)
def test_profile_of_a_non_user_or_a_bot_says_what_to_type(  # type: ignore[no-untyped-def]
    slack, world, typed: str, message: str
) -> None:
    slack.fake.add_user("UBUILD", "Build Bot", is_bot=True)
    text = slack.mentor(world.veteran, typed).all_text
    assert message in text
    assert "/mentor profile @name" in text or "roster" in text


def test_badges_follow_history(db, world) -> None:  # type: ignore[no-untyped-def]
    mentor = make_mentor(db, world.veteran, max_mentees=10)
    assert recognition.badges(db, mentor) == []
    for rating in (5, 5, 4, 5, 5):
        _complete(db, mentor, world.new_hire, rating=rating)
    keys = [b.key for b in recognition.badges(db, mentor)]
    assert keys == ["first", "five", "top-rated"]  # 4.8 over 5 ratings
    mentor.is_certified = True
    assert recognition.badges(db, mentor)[0].key == "certified"


def test_top_rated_needs_three_ratings_averaging_four_and_a_half(db, world) -> None:  # type: ignore[no-untyped-def]
    mentor = make_mentor(db, world.veteran, max_mentees=10)
    _complete(db, mentor, world.new_hire, rating=5)
    _complete(db, mentor, world.junior, rating=4)
    assert "top-rated" not in [b.key for b in recognition.badges(db, mentor)]
    _complete(db, mentor, world.tokyo_hire, rating=4)  # average 4.33
    assert "top-rated" not in [b.key for b in recognition.badges(db, mentor)]
    _complete(db, mentor, world.tokyo_hire, rating=5)  # average 4.5 over 4
    assert "top-rated" in [b.key for b in recognition.badges(db, mentor)]


def test_shoutout_posted_for_a_well_rated_completion(slack, world, db, served, clock) -> None:  # type: ignore[no-untyped-def]
    slack.fake.add_channel("CWINS", "wins")  # public: the bot posts without joining
    program.update(db, changes={"recognition_channel": "CWINS"}, actor_id=None, now=clock[0])
    mentor = make_mentor(db, world.veteran)
    done = _complete(db, mentor, world.new_hire, rating=4, weeks=12)
    db.commit()

    posted = post_completion_shoutout(served.bolt.client, served.runtime, done.id)
    assert posted is not None and posted["channel"] == "CWINS"
    [message] = slack.fake.channel_messages("CWINS")
    assert "Shout-out to *Vera Veteran* for mentoring *Newt Newhire*" in message.text
    assert "through 12 weeks" in message.text
    assert PRIVATE not in message.text
    assert "4" not in message.text.replace("12", "")  # the rating itself stays private


def test_no_shoutout_without_a_channel_or_a_good_rating(slack, world, db, served, clock) -> None:  # type: ignore[no-untyped-def]
    mentor = make_mentor(db, world.veteran, max_mentees=5)
    great = _complete(db, mentor, world.new_hire, rating=5)
    db.commit()
    assert recognition.completion_shoutout(db, great.id) is None  # no channel yet

    program.update(db, changes={"recognition_channel": "CWINS"}, actor_id=None, now=clock[0])
    meh = _complete(db, mentor, world.junior, rating=3)
    unrated = _complete(db, mentor, world.tokyo_hire, rating=None)
    ongoing = make_assignment(db, mentor, world.londoner, mentee_rating=5)
    db.commit()
    for assignment in (meh, unrated, ongoing):
        assert post_completion_shoutout(served.bolt.client, served.runtime, assignment.id) is None
    assert slack.fake.channel_messages("CWINS") == []
    assert recognition.completion_shoutout(db, great.id) is not None


def test_duration_words() -> None:
    start = date(2026, 1, 1)
    assert recognition.duration_words(start, date(2026, 1, 2)) == "1 day"
    assert recognition.duration_words(start, date(2026, 1, 11)) == "10 days"
    assert recognition.duration_words(start, date(2026, 3, 26)) == "12 weeks"
