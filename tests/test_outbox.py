"""The outbox from the user's side: a notification Slack does not take at once waits
in the outbox and goes out once, after Retry-After, after a refused token is fixed,
and never when the change itself was refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.delivery import deliver
from bot.slack_client import make_client
from models import Assignment, OutboxMessage
from tests.api_support import person_token
from tests.factories import make_mentor
from tests.flows import assign


@pytest.fixture
def request_to_vera(slack, world, db):  # type: ignore[no-untyped-def]
    """Max asks Vera to mentor Newt; the request is in Vera's DMs."""
    make_mentor(db, world.veteran)
    db.commit()
    assert assign(slack, world.manager, world.veteran, world.new_hire).ok
    return slack.last_dm(world.veteran)


def _intros(slack, world) -> int:  # type: ignore[no-untyped-def]
    return sum("Vera Veteran" in m.all_text for m in slack.dms(world.new_hire))


def test_a_429_is_retried_after_retry_after_and_sent_once(
    slack, world, db, served, settings, clock, request_to_vera
) -> None:  # type: ignore[no-untyped-def]
    slack.fake.fail("chat.postMessage", status=429, retry_after=30, only_for=world.new_hire.id)
    slack.click(world.veteran, "Accept", message=request_to_vera)
    assert f"I'll tell <@{world.new_hire.id}> as soon as Slack answers" in (
        slack.last_ephemeral(world.veteran).text
    )
    assert _intros(slack, world) == 0
    client = make_client(settings)

    clock[0] += timedelta(seconds=20)  # Slack asked for 30 seconds
    slack.fake.advance(20)
    assert deliver(served.runtime, client).sent == []
    assert _intros(slack, world) == 0

    clock[0] += timedelta(seconds=11)
    slack.fake.advance(11)
    assert len(deliver(served.runtime, client).sent) == 1
    clock[0] += timedelta(minutes=15)
    assert deliver(served.runtime, client).sent == []
    assert _intros(slack, world) == 1


def test_while_slack_refuses_our_token_the_messages_wait_and_go_out_once_after(
    slack, world, db, served, settings, clock, request_to_vera
) -> None:  # type: ignore[no-untyped-def]
    slack.fake.fail("chat.postMessage", error="token_revoked", only_for=world.new_hire.id)
    slack.click(world.veteran, "Accept", message=request_to_vera)
    db.expire_all()
    waiting = db.scalars(select(OutboxMessage).where(OutboxMessage.status != "sent")).all()
    # Newt's introduction is given back untouched: the refusal is about our token, not
    # the message (the worker stopped there; Max's notice waits too if it came after).
    assert (world.new_hire.id, "pending", 0) in [(m.channel, m.status, m.attempts) for m in waiting]
    assert {m.status for m in waiting} == {"pending"}
    slack.fake.restore()
    report = deliver(served.runtime, make_client(settings))
    assert (len(report.sent), report.waiting) == (len(waiting), [])
    assert _intros(slack, world) == 1
    assert "accepted" in slack.last_dm(world.manager).all_text


def test_a_message_slack_keeps_refusing_is_dropped_after_five_tries(
    slack, world, db, served, settings, clock, request_to_vera
) -> None:  # type: ignore[no-untyped-def]
    slack.fake.fail(
        "chat.postMessage", error="restricted_action", times=5, only_for=world.new_hire.id
    )
    slack.click(world.veteran, "Accept", message=request_to_vera)
    client = make_client(settings)
    for _ in range(6):
        clock[0] += timedelta(minutes=11)
        slack.fake.advance(660)
        deliver(served.runtime, client)
    db.expire_all()
    dropped = db.scalar(select(OutboxMessage).where(OutboxMessage.channel == world.new_hire.id))
    assert (dropped.status, dropped.attempts, dropped.last_error) == (
        "dead",
        5,
        "restricted_action",
    )
    assert _intros(slack, world) == 0


def test_a_refused_change_queues_nothing(slack, world, db, clock) -> None:  # type: ignore[no-untyped-def]
    make_mentor(db, world.veteran)
    db.commit()
    refused = assign(slack, world.manager, world.veteran, world.new_hire, Goals="x" * 5000)
    assert not refused.ok
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert slack.dms(world.veteran) == []


def test_slack_down_during_an_api_accept_the_notices_follow_once(
    slack, world, db, served, settings, clock, api, request_to_vera
) -> None:  # type: ignore[no-untyped-def]
    assignment_id = db.scalar(select(Assignment.id))
    veteran = api.as_token(person_token(db, world.veteran))
    db.commit()
    slack.fake.fail("chat.postMessage", status=500, times=1000)
    answered = veteran.post(f"/api/mentorship-assignments/{assignment_id}/accept")
    assert answered.status_code == 200, answered.text
    slack.wait_idle()
    assert _intros(slack, world) == 0
    slack.fake.failures.clear()
    clock[0] += timedelta(minutes=1)
    deliver(served.runtime, make_client(settings))
    assert _intros(slack, world) == 1
