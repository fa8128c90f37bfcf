"""A busy morning from the person's side: with Slack taking a second a call, every
`/mentor` is acknowledged inside Slack's 3 seconds (the driver fails any later ack,
LateAck), and when more arrive than MentorBot can work on, the rest are told
"I'm busy right now — try again in a minute" instead of timing out. Nobody is
answered twice, nobody is left without an answer."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa

from bot.listeners.busy import work_pool_of
from bot.testing import slack_rules
from bot.testing.driver import SlackDriver
from bot.testing.fake_slack import FakeSlack
from bot.testing.harness import wait_until
from bot.testing.signed_requests import HttpReply
from bot.workpool import ANSWER_QUEUE, ANSWER_THREADS, BUSY, PER_PERSON
from models import User
from tests.factories import make_mentor


@pytest.fixture
def slow_slack(fake_slack: FakeSlack) -> Iterator[FakeSlack]:
    """The fake Slack answering each call after `latency` seconds (set by the test)."""
    before = fake_slack.latency
    yield fake_slack
    fake_slack.latency = before


def send_at_once(
    slack: SlackDriver, who: str, text: str, times: int, meanwhile: Callable[[], Any] = lambda: None
) -> list[HttpReply]:
    """`/mentor text` sent `times` times by one person, as fast as 20 connections
    go (each must be acknowledged within 3 s, else LateAck), and `meanwhile` called
    while they arrive."""
    bodies = [slack.slash_body(who, "/mentor", text) for _ in range(times)]
    with ThreadPoolExecutor(max_workers=20) as clients:
        flood = clients.map(lambda b: slack.post_form(b, wait=False), bodies)
        meanwhile()
        replies = list(flood)
    slack.wait_idle()
    return replies


def told_busy_at_once(reply: HttpReply) -> bool:
    """The ack itself said we are busy (Slack shows it as an ephemeral message)."""
    if not reply.body:
        return False
    answer = json.loads(reply.body)
    assert slack_rules.response_refusal(answer) is None, answer
    assert answer["response_type"] == "ephemeral"
    return bool(answer["text"] == BUSY)


def test_matches_are_acknowledged_at_once_while_slack_takes_a_second_a_call(
    slack, world, db, slow_slack
) -> None:  # type: ignore[no-untyped-def]
    make_mentor(db, world.veteran)
    db.commit()
    slow_slack.latency = 1.0

    replies = send_at_once(slack, world.manager.id, f"match {world.new_hire.mention}", 30)

    assert all(r.status == 200 for r in replies)
    told_at_once = sum(told_busy_at_once(r) for r in replies)
    # What the person sees: the acks that said "busy", and the answers that came after.
    answers = [m.all_text for m in slack.fake.ephemeral(world.manager.id)]
    assert len(answers) == 30, answers  # one answer each, none twice
    assert sum(a.strip() == BUSY for a in answers) >= told_at_once
    matched = [a for a in answers if world.veteran.name in a]
    assert len(matched) + sum(BUSY in a for a in answers) == 30, answers
    assert matched, "no match was worked on at all"


def test_a_flood_from_one_person_is_answered_in_time_and_the_rest_told_to_wait(
    slack, world, db, slow_slack
) -> None:  # type: ignore[no-untyped-def]
    make_mentor(db, world.veteran)
    db.commit()
    slow_slack.latency = 0.5
    helped: list[HttpReply] = []

    replies = send_at_once(
        slack,
        world.manager.id,
        f"match {world.new_hire.mention}",
        100,
        meanwhile=lambda: helped.append(
            slack.post_form(slack.slash_body(world.new_hire, "/mentor", "help"), wait=False)
        ),
    )

    assert all(r.status == 200 for r in replies)
    at_once = sum(told_busy_at_once(r) for r in replies)
    seen = [m.all_text for m in slack.fake.ephemeral(world.manager.id)]
    # One person gets a few requests worked on at a time; the rest were told at once.
    assert at_once >= 100 - PER_PERSON * 10, at_once
    # Every request was answered once: told "busy" in its ack, or worked on and
    # answered with its match, or "busy" if its turn came too late to open a modal.
    assert len(seen) == 100
    assert all(world.veteran.name in text or BUSY in text for text in seen), seen
    # Someone else asking meanwhile was served, not told to wait.
    assert not told_busy_at_once(helped[0])
    assert "/mentor optin" in slack.last_ephemeral(world.new_hire).all_text
    # Once the flood is over, the same person is served again.
    slow_slack.latency = 0
    again = slack.mentor(world.manager, f"match {world.new_hire.mention}")
    assert world.veteran.name in again.all_text


@contextmanager
def held_roster(served, backend: str, seconds: float = 4) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """A statement holding the roster (`users`) for `seconds` while the body runs."""
    locked = threading.Event()

    def hold_users() -> None:
        with served.runtime.session_factory() as held:
            if backend == "postgresql":  # readers wait too
                held.execute(sa.text("LOCK TABLE users IN ACCESS EXCLUSIVE MODE"))
            else:  # SQLite: the one write lock
                held.execute(sa.text("UPDATE users SET name = name"))
            locked.set()
            time.sleep(seconds)
            held.rollback()

    holder = threading.Thread(target=hold_users)
    holder.start()
    try:
        assert locked.wait(timeout=10)
        yield
    finally:
        holder.join()


def in_roster(served, slack_user_id: str) -> None:  # type: ignore[no-untyped-def]
    """Wait (up to 30 s) until this person is in the roster."""
    with served.runtime.session_factory() as db:

        def known() -> bool:
            db.rollback()  # read again, not from an earlier read's snapshot
            named = db.scalar(sa.select(User.name).where(User.slack_user_id == slack_user_id))
            return named is not None

        wait_until(known, f"the first contact of {slack_user_id}", timeout=30)


def test_a_database_held_for_seconds_does_not_hold_the_ack_up(
    slack, world, served, backend
) -> None:  # type: ignore[no-untyped-def]
    """A statement holds the roster for 4 s: a newcomer's `/mentor help` is still
    answered in Slack's time (the help is the same for everyone), and their first
    contact is made once the database lets go."""
    slack.fake.add_user("UNEWCOMER", "Nia Newcomer")
    with held_roster(served, backend):
        reply = slack.post_form(slack.slash_body("UNEWCOMER", "/mentor", "help"), wait=False)
        assert reply.status == 200  # within 3 s, or the driver raised LateAck
        assert "/mentor optin" in slack.last_ephemeral("UNEWCOMER").all_text
    in_roster(served, "UNEWCOMER")
    slack.wait_idle()


def test_a_crowd_asking_for_help_while_the_database_is_held_stays_bounded(
    slack, world, served, backend
) -> None:  # type: ignore[no-untyped-def]
    """90 newcomers type `/mentor help` at once while the roster is held: each sees
    the help in Slack's time; no more answers wait on the database than the answer
    threads and their queue (the process's memory stays bounded); and everyone is in
    the roster after their next request."""
    # 90: each first contact reads the person's Slack profile, and users.info takes
    # 100 a minute before Slack would say 429.
    crowd = [f"UCROWD{n:03d}" for n in range(90)]
    for who in crowd:
        slack.fake.add_user(who, f"Crowd {who[-3:]}")
    pool = work_pool_of(served.bolt)
    most, done = [0], threading.Event()

    def watch() -> None:
        while not done.is_set():
            most[0] = max(most[0], pool.answering)
            time.sleep(0.002)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        with held_roster(served, backend):
            bodies = [slack.slash_body(who, "/mentor", "help") for who in crowd]
            with ThreadPoolExecutor(max_workers=45) as clients:
                replies = list(clients.map(lambda b: slack.post_form(b, wait=False), bodies))
    finally:
        done.set()
        watcher.join()
    assert [r.status for r in replies] == [200] * len(crowd)  # each within 3 s
    assert all("/mentor optin" in slack.last_ephemeral(who).all_text for who in crowd)
    assert ANSWER_THREADS < most[0] <= ANSWER_THREADS + ANSWER_QUEUE, most[0]
    for who in crowd:
        slack.slash(who, "/mentor", "help")
    for who in crowd:
        in_roster(served, who)
    slack.wait_idle()
