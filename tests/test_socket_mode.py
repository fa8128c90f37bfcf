"""Slack over Socket Mode (`mentorbot serve --socket-mode --connections N`), from the
person's side: the same commands, clicks and forms, delivered by the fake Slack as
envelopes on websocket connections. Every envelope is acknowledged inside Slack's
3 seconds (the driver fails a later one, LateAck) the same way HTTP requests are:
at once, or "busy" when there is no room, a form with its outcome."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.listeners.busy import work_pool_of
from bot.socket_mode import SocketMode
from bot.testing.driver import SlackDriver
from bot.testing.fake_slack import FakeSlack
from bot.testing.fake_socket import APP_TOKEN
from bot.testing.harness import ServedApp, wait_until
from bot.testing.signed_requests import HttpReply
from bot.testing.socket_driver import NOT_ACKED, SocketDriver
from bot.workpool import BUSY
from models import Mentor
from tests.factories import make_mentor
from tests.statements import work_done
from tests.test_busy import held_roster, in_roster

#: Well inside Slack's 3 s: an ack waits for no work.
ACK_WITHIN = 1.0
CONNECTIONS = 2


@pytest.fixture
def sockets(served: ServedApp, slack: SlackDriver, fake_slack: FakeSlack) -> Iterator[SocketDriver]:
    """The served app connected to the fake Slack over CONNECTIONS Socket Mode
    connections, and the people's driver that uses them."""
    fake_slack.sockets.reset()
    # Pings a second apart, so a dropped connection is noticed in seconds, not 30 s.
    front = SocketMode(served.bolt, APP_TOKEN, connections=CONNECTIONS, ping_interval=1.0)
    front.connect()
    try:
        fake_slack.sockets.wait_for_connections(CONNECTIONS)
        yield SocketDriver(fake_slack, served.executor.wait_idle)
        served.executor.wait_idle()
    finally:
        front.close()
        wait_until(lambda: not fake_slack.sockets.live(), "the connections to close")
    assert not fake_slack.sockets.refusals, fake_slack.sockets.refusals
    late = fake_slack.sockets.take_late()
    assert not late, f"envelopes Slack gave up on: {[e.as_message() for e in late]}"


@pytest.fixture
def full_pool(served: ServedApp) -> Iterator[None]:
    """The app's work pool has no room left (as when everyone asked at once)."""
    work = work_pool_of(served.bolt)
    limit, work.limit = work.limit, 0
    yield
    work.limit = limit


def busy_answer(reply: HttpReply) -> bool:
    """The ack itself told the person we are busy."""
    return bool(reply.body) and json.loads(reply.body).get("text") == BUSY


def test_a_known_persons_help_is_answered_from_the_envelope_alone(  # type: ignore[no-untyped-def]
    sockets, world, served, monkeypatch
) -> None:
    sockets.mentor(world.veteran, "help")  # their first contact
    sockets.wait_idle()
    with work_done(served, monkeypatch) as done:
        reply = sockets.mentor(world.veteran, "help")
    assert "/mentor optin" in reply.all_text
    assert done == {"statements": [], "dispatched": []}


def test_help_and_a_match_are_acknowledged_at_once_and_answered(sockets, world, db) -> None:  # type: ignore[no-untyped-def]
    make_mentor(db, world.veteran)
    db.commit()

    assert "/mentor optin" in sockets.mentor(world.new_hire, "help").all_text
    match = sockets.mentor(world.manager, f"match {world.new_hire.mention}")

    assert world.veteran.name in match.all_text
    help_, matched = sockets.sent
    assert (help_.type, matched.type) == ("slash_commands", "slash_commands")
    # Both acknowledged at once: the help in its ack, the match's ack empty and its
    # answer through response_url after.
    assert all(e.acked_after < ACK_WITHIN for e in sockets.sent)
    assert "/mentor optin" in json.dumps(help_.acks[0].payload)
    assert matched.acks[0].payload is None
    # Slack spread the two over both connections, and each ack came on its own.
    assert {e.connection for e in sockets.sent} == set(sockets.fake.sockets.live())


def test_a_database_held_for_seconds_does_not_hold_the_help_up(
    sockets, world, served, backend
) -> None:  # type: ignore[no-untyped-def]
    """As over HTTP (test_busy): a statement holds the roster for 4 s, and a newcomer's
    `/mentor help` is still answered in its ack in Slack's time; their first contact
    is made once the database lets go."""
    sockets.fake.add_user("UNEWCOMER", "Nia Newcomer")
    with held_roster(served, backend):
        reply = sockets.post_form(sockets.slash_body("UNEWCOMER", "/mentor", "help"), wait=False)
        assert "/mentor optin" in reply.body  # in 3 s, or the driver raised LateAck
    in_roster(served, "UNEWCOMER")


def test_a_form_is_answered_with_its_outcome_in_the_ack(sockets, world, db) -> None:  # type: ignore[no-untyped-def]
    sockets.slash(world.veteran, "/mentor", "optin")

    refused = sockets.submit(world.veteran, {"Expertise": ["Renewals"], "Capacity": "0"})
    assert "Capacity must be a whole number from 1 to 20" in refused.errors["Capacity"]
    assert sockets.submit(world.veteran, {"Expertise": ["Renewals"], "Capacity": "3"}).ok

    db.expire_all()
    assert db.scalar(sa.select(Mentor.max_mentees)) == 3


def test_a_flood_while_slack_is_slow_is_acknowledged_in_time_and_the_overflow_told_busy(
    sockets, world, db, fake_slack
) -> None:  # type: ignore[no-untyped-def]
    make_mentor(db, world.veteran)
    db.commit()
    before, fake_slack.latency = fake_slack.latency, 1.0
    try:
        bodies = [
            sockets.slash_body(world.manager, "/mentor", f"match {world.new_hire.mention}")
            for _ in range(30)
        ]
        with ThreadPoolExecutor(max_workers=20) as slack_side:
            replies = list(slack_side.map(lambda b: sockets.post_form(b, wait=False), bodies))
        sockets.wait_idle()
    finally:
        fake_slack.latency = before

    assert all(r.status == 200 for r in replies)  # every one acknowledged within 3 s
    assert max(e.acked_after for e in sockets.sent) < ACK_WITHIN
    told_at_once = [r for r in replies if busy_answer(r)]
    seen = [m.all_text for m in fake_slack.ephemeral(world.manager.id)]
    assert told_at_once, "nobody was told we are busy"
    # One answer each, none twice: their match, or "busy" (in the ack, or when their
    # turn came too late).
    assert len(seen) == 30, seen
    assert all(world.veteran.name in text or BUSY in text for text in seen), seen
    assert any(world.veteran.name in text for text in seen), "no match was worked on"


def test_with_the_pool_full_each_kind_of_request_is_told_busy_its_own_way(
    sockets, world, fake_slack, full_pool
) -> None:  # type: ignore[no-untyped-def]
    command = sockets.slash(world.new_hire, "/mentor", f"match {world.veteran.mention}")
    assert [m.text for m in command] == [BUSY]  # the ack's text, shown to the person
    # The help needs no work thread: it is answered in its ack all the same.
    (helped,) = sockets.slash(world.new_hire, "/mentor", "help")
    assert "/mentor optin" in helped.all_text

    home = sockets.event(
        {
            "type": "app_home_opened",
            "user": world.new_hire.id,
            "channel": f"D{world.new_hire.id}",
            "tab": "home",
        }
    )
    # Left unacknowledged: Slack delivers the event again later; nothing is lost.
    assert home.status == NOT_ACKED
    (unacked,) = fake_slack.sockets.take_late()
    assert unacked.type == "events_api" and not unacked.acks


def test_a_form_submitted_while_the_pool_is_full_keeps_its_modal_open_with_busy(
    sockets, world, served
) -> None:  # type: ignore[no-untyped-def]
    sockets.slash(world.veteran, "/mentor", "optin")
    work = work_pool_of(served.bolt)
    limit, work.limit = work.limit, 0
    try:
        result = sockets.submit(world.veteran, {"Expertise": ["Renewals"], "Capacity": "2"})
    finally:
        work.limit = limit
    assert not result.ok
    assert BUSY in " ".join(result.errors.values())
    assert sockets.modal(world.veteran) is not None  # still open, to submit again


def test_both_connections_receive_and_are_served(sockets, world, fake_slack) -> None:  # type: ignore[no-untyped-def]
    first, second = fake_slack.sockets.live()

    assert "/mentor optin" in sockets.on(first).mentor(world.veteran, "help").all_text
    assert "/mentor optin" in sockets.on(second).mentor(world.new_hire, "help").all_text

    assert [e.acks[0].connection for e in sockets.sent] == [first, second]
    opened = fake_slack.calls_to("apps.connections.open")
    assert len(opened) == CONNECTIONS  # one URL each, asked for with the app token


def test_a_killed_connection_reconnects_and_the_other_serves_meanwhile(
    sockets, world, fake_slack
) -> None:  # type: ignore[no-untyped-def]
    dropped, kept = fake_slack.sockets.live()
    fake_slack.sockets.kill(dropped)

    assert "/mentor optin" in sockets.on(kept).mentor(world.veteran, "help").all_text
    wait_until(lambda: len(fake_slack.sockets.live()) == CONNECTIONS, "a new connection")
    (fresh,) = set(fake_slack.sockets.live()) - {kept}
    assert "/mentor optin" in sockets.on(fresh).mentor(world.new_hire, "help").all_text
    assert len(fake_slack.calls_to("apps.connections.open")) == CONNECTIONS + 1


@pytest.mark.parametrize(
    "token, error",
    [
        ("xoxb-test", "not_allowed_token_type"),
        ("xapp-1-OTHER-1-x", "invalid_auth"),
        ("", "not_authed"),
    ],
)
def test_slack_opens_a_socket_for_the_app_level_token_only(fake_slack, token, error) -> None:  # type: ignore[no-untyped-def]
    client = WebClient(base_url=fake_slack.url)
    with pytest.raises(SlackApiError) as refused:
        client.apps_connections_open(app_token=token)
    assert refused.value.response["error"] == error
    opened = client.apps_connections_open(app_token=APP_TOKEN)
    assert opened["url"].startswith("ws://127.0.0.1:")


def test_more_connections_than_slack_allows_are_refused(served) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="1 to 10 Socket Mode connections"):
        SocketMode(served.bolt, APP_TOKEN, connections=11)
