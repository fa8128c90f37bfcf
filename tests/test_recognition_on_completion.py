"""A mentorship the mentee rates 4 or 5 earns the mentor a shout-out in the
recognition channel: names and duration only, posted once."""

from __future__ import annotations

import pytest

from bot.services import program
from tests.factories import make_assignment, make_mentor


@pytest.fixture
def program_with_channel(db, world, clock, fake_slack):  # type: ignore[no-untyped-def]
    # A public channel: the bot posts there without joining (scope chat:write.public).
    fake_slack.add_channel("C0KUDOS", "kudos", members=[p.id for p in world.people.values()])
    program.update(db, changes={"recognition_channel": "C0KUDOS"}, actor_id=None, now=clock[0])
    mentor = make_mentor(db, world.veteran)
    make_assignment(db, mentor, world.new_hire, assigned_by=world.manager)
    db.commit()


def test_mentee_rating_of_five_posts_one_shoutout(slack, world, program_with_channel) -> None:  # type: ignore[no-untyped-def]
    slack.slash(world.veteran, "/mentor", "complete")
    assert slack.submit(world.veteran, {"Feedback": "Newt grew fast.", "Rating": "4"}).ok
    assert slack.fake.channel_messages("C0KUDOS") == []  # the mentee hasn't rated yet

    ask = slack.last_dm(world.new_hire)
    slack.click(world.new_hire, "Give feedback", message=ask)
    assert slack.submit(world.new_hire, {"Feedback": "Private praise", "Rating": "5"}).ok

    posts = slack.fake.channel_messages("C0KUDOS")
    assert len(posts) == 1
    assert "Vera Veteran" in posts[0].all_text and "Newt Newhire" in posts[0].all_text
    assert "Private praise" not in posts[0].all_text and "grew fast" not in posts[0].all_text

    slack.click(world.new_hire, "Give feedback", message=ask)  # a second try changes nothing
    assert len(slack.fake.channel_messages("C0KUDOS")) == 1


def test_low_rating_posts_nothing(slack, world, program_with_channel) -> None:  # type: ignore[no-untyped-def]
    slack.slash(world.new_hire, "/mentor", "complete")
    assert slack.submit(world.new_hire, {"Feedback": "It was fine.", "Rating": "3"}).ok
    assert slack.fake.channel_messages("C0KUDOS") == []
