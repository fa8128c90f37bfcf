"""The fake Slack refuses what Slack refuses, with Slack's answer, so a test fails
where a real workspace would. Each rule is checked through slack_sdk's own client
over HTTP, as the app meets it (conversations.history included)."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.testing import slack_quotas
from bot.testing.driver import SlackDriver
from bot.testing.fake_slack import FakeSlack, ResponseTarget, dm_channel
from bot.testing.signed_requests import ACK_DEADLINE_S, AckTiming, LateAck


@pytest.fixture(scope="module")
def own_fake() -> Iterator[FakeSlack]:
    server = FakeSlack().start()
    yield server
    server.stop()


@pytest.fixture
def fake(own_fake: FakeSlack) -> FakeSlack:
    """A fake of this module's own, clean, on a clock the test moves (`fake.now[0]`, s)."""
    now = [1000.0]
    own_fake.clock = lambda: now[0]
    own_fake.now = now  # type: ignore[attr-defined]
    own_fake.reset()
    own_fake.add_user("UVERA", "Vera Veteran")
    own_fake.add_user("UNEWT", "Newt Newhire")
    own_fake.add_user("UGONE", "Gone Person", deleted=True)
    return own_fake


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    """slack_sdk's client without retries: each refusal surfaces as Slack sends it."""
    web = WebClient(token="xoxb-test", base_url=fake.url)
    web.retry_handlers.clear()
    return web


def refusal(call: Any, **kwargs: Any) -> tuple[int, str]:
    """(HTTP status, Slack's error) of a call that must fail."""
    with pytest.raises(SlackApiError) as refused:
        call(**kwargs)
    return refused.value.response.status_code, refused.value.response["error"]


# Slack (and slack_sdk's View model) wants at least one block in a view.
HELLO = [{"type": "section", "text": {"type": "mrkdwn", "text": "Hello"}}]
MODAL = {"type": "modal", "title": {"type": "plain_text", "text": "Hi"}, "blocks": HELLO}


# -- triggers --------------------------------------------------------------------------------
def test_a_trigger_opens_one_modal(fake: FakeSlack, client: WebClient) -> None:
    trigger = fake.new_trigger("UVERA")
    assert client.views_open(trigger_id=trigger, view=MODAL)["ok"]
    assert fake.top_view("UVERA") is not None
    assert refusal(client.views_open, trigger_id=trigger, view=MODAL) == (
        200,
        "exchanged_trigger_id",
    )
    assert refusal(client.views_push, trigger_id=trigger, view=MODAL) == (
        200,
        "exchanged_trigger_id",
    )


def test_a_trigger_expires_three_seconds_after_its_request(
    fake: FakeSlack, client: WebClient
) -> None:
    trigger = fake.new_trigger("UVERA")
    fake.now[0] += 2.9  # type: ignore[attr-defined]
    assert client.views_open(trigger_id=trigger, view=MODAL)["ok"]
    late = fake.new_trigger("UVERA")
    fake.now[0] += 3.1  # type: ignore[attr-defined]
    assert refusal(client.views_open, trigger_id=late, view=MODAL) == (200, "expired_trigger_id")
    assert fake.top_view("UVERA")["id"]  # the first modal is still there


def test_a_trigger_slack_never_issued_is_invalid(client: WebClient) -> None:
    assert refusal(client.views_open, trigger_id="12345.98765.abcd", view=MODAL) == (
        200,
        "invalid_trigger_id",
    )


# -- response_url ----------------------------------------------------------------------------
def post(url: str, body: dict[str, Any]) -> tuple[int, str]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_a_response_url_takes_five_posts(fake: FakeSlack) -> None:
    url = fake.new_response_url(ResponseTarget("UVERA", dm_channel("UVERA"), None))
    for n in range(5):
        assert post(url, {"text": f"answer {n}"}) == (200, "ok")
    assert post(url, {"text": "a sixth"}) == (404, "used_url")
    assert [m.text for m in fake.ephemeral("UVERA")] == [f"answer {n}" for n in range(5)]


def test_a_response_url_expires_after_thirty_minutes(fake: FakeSlack) -> None:
    url = fake.new_response_url(ResponseTarget("UVERA", dm_channel("UVERA"), None))
    fake.now[0] += 29 * 60  # type: ignore[attr-defined]
    assert post(url, {"text": "in time"}) == (200, "ok")
    fake.now[0] += 2 * 60  # type: ignore[attr-defined]
    assert post(url, {"text": "too late"}) == (404, "expired_url")


# -- messages: whose, where ------------------------------------------------------------------
def test_chat_update_needs_a_channel_id_and_a_message_of_the_bot(
    fake: FakeSlack, client: WebClient
) -> None:
    posted = client.chat_postMessage(channel="UVERA", text="Offer")
    channel, ts = posted["channel"], posted["ts"]
    assert channel == dm_channel("UVERA")  # a user id lands in the DM and says which
    assert client.chat_update(channel=channel, ts=ts, text="Accepted")["ok"]
    assert fake.dms("UVERA")[-1].text == "Accepted"

    assert refusal(client.chat_update, channel="UVERA", ts=ts, text="x") == (
        200,
        "channel_not_found",
    )
    assert refusal(client.chat_update, channel="CNOWHERE", ts=ts, text="x") == (
        200,
        "channel_not_found",
    )
    assert refusal(client.chat_update, channel=channel, ts="1.000001", text="x") == (
        200,
        "message_not_found",
    )
    theirs = fake.post_as("UVERA", channel, "thanks!")
    assert refusal(client.chat_update, channel=channel, ts=theirs.ts, text="x") == (
        200,
        "cant_update_message",
    )


def test_chat_delete_follows_the_same_rules(fake: FakeSlack, client: WebClient) -> None:
    posted = client.chat_postMessage(channel="UVERA", text="Offer")
    theirs = fake.post_as("UVERA", posted["channel"], "thanks!")
    assert refusal(client.chat_delete, channel="UVERA", ts=posted["ts"]) == (
        200,
        "channel_not_found",
    )
    assert refusal(client.chat_delete, channel=posted["channel"], ts=theirs.ts) == (
        200,
        "cant_delete_message",
    )
    assert client.chat_delete(channel=posted["channel"], ts=posted["ts"])["ok"]
    assert refusal(client.chat_delete, channel=posted["channel"], ts=posted["ts"]) == (
        200,
        "message_not_found",
    )


def test_an_ephemeral_message_is_not_updated_with_chat_update(
    fake: FakeSlack, client: WebClient
) -> None:
    channel = dm_channel("UVERA")
    sent = client.chat_postEphemeral(channel=channel, user="UVERA", text="Only you")
    assert refusal(client.chat_update, channel=channel, ts=sent["message_ts"], text="x") == (
        200,
        "message_not_found",
    )


def test_unknown_people_and_channels_are_refused(fake: FakeSlack, client: WebClient) -> None:
    assert refusal(client.users_info, user="UNOBODY") == (200, "user_not_found")
    assert refusal(client.conversations_open, users="UNOBODY") == (200, "user_not_found")
    assert client.conversations_open(users="UVERA")["channel"]["id"] == dm_channel("UVERA")
    assert refusal(client.chat_postMessage, channel="UNOBODY", text="hi") == (
        200,
        "channel_not_found",
    )
    assert refusal(client.chat_postMessage, channel="CNOWHERE", text="hi") == (
        200,
        "channel_not_found",
    )
    fake.add_channel("CPUBLIC", "general", members=["UVERA"])
    fake.add_channel("CSECRET", "secret", is_private=True, members=["UVERA"])
    assert client.chat_postMessage(channel="CPUBLIC", text="hi")["ok"]  # chat:write.public
    assert refusal(client.chat_postMessage, channel="CSECRET", text="hi") == (
        200,
        "not_in_channel",
    )
    assert refusal(client.chat_postEphemeral, channel="CPUBLIC", user="UNEWT", text="hi") == (
        200,
        "user_not_in_channel",
    )


def test_a_deactivated_person_is_deleted_in_users_info_and_still_takes_dms(
    fake: FakeSlack, client: WebClient
) -> None:
    assert client.users_info(user="UGONE")["user"]["deleted"] is True
    assert client.chat_postMessage(channel="UGONE", text="Your check-in")["ok"]
    assert client.conversations_open(users="UGONE")["ok"]


# -- a dead token ----------------------------------------------------------------------------
@pytest.mark.parametrize("error", ["token_revoked", "invalid_auth", "account_inactive"])
def test_a_revoked_token_is_refused_by_every_method(
    fake: FakeSlack, client: WebClient, error: str
) -> None:
    fake.revoke(error)
    assert refusal(client.auth_test) == (200, error)
    assert refusal(client.users_info, user="UVERA") == (200, error)
    assert refusal(client.chat_postMessage, channel="UVERA", text="hi") == (200, error)
    assert refusal(
        client.views_publish, user_id="UVERA", view={"type": "home", "blocks": HELLO}
    ) == (
        200,
        error,
    )
    fake.restore()
    assert client.chat_postMessage(channel="UVERA", text="hi")["ok"]


# -- rate limits -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "tier", "call"),
    [
        ("users.info", 4, lambda c: c.users_info(user="UVERA")),
        ("views.publish", 4, lambda c: c.views_publish(user_id="UVERA", view=HOME)),
        ("conversations.open", 3, lambda c: c.conversations_open(users="UVERA")),
    ],
)
def test_a_method_takes_its_tier_a_minute_then_answers_429(
    fake: FakeSlack, client: WebClient, method: str, tier: int, call: Any
) -> None:
    assert slack_quotas.METHOD_TIERS[method] == tier
    quota = slack_quotas.TIER_PER_MINUTE[tier]
    for _ in range(quota):  # the whole minute's quota at once: a burst Slack allows
        assert call(client)["ok"]
    with pytest.raises(SlackApiError) as refused:
        call(client)
    assert refused.value.response.status_code == 429
    assert refused.value.response["error"] == "ratelimited"
    assert int(refused.value.response.headers["retry-after"]) == 60
    assert [(t.method, t.scope) for t in fake.throttled] == [(method, "method")]
    fake.now[0] += 60  # type: ignore[attr-defined]
    assert call(client)["ok"]
    fake.throttled.clear()


HOME = {"type": "home", "blocks": HELLO}


def test_chat_post_message_takes_about_one_a_second_per_conversation(
    fake: FakeSlack, client: WebClient
) -> None:
    for n in range(slack_quotas.POST_BURST):  # a short burst is allowed
        assert client.chat_postMessage(channel="UVERA", text=f"burst {n}")["ok"]
    with pytest.raises(SlackApiError) as refused:
        client.chat_postMessage(channel="UVERA", text="one too many")
    assert refused.value.response.status_code == 429
    assert refused.value.response.headers["retry-after"] == "1"
    assert client.chat_postMessage(channel="UNEWT", text="another conversation")["ok"]
    fake.now[0] += 1  # type: ignore[attr-defined]
    assert client.chat_postMessage(channel="UVERA", text="a second later")["ok"]
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="UVERA", text="but not two")
    fake.throttled.clear()


def test_chat_post_message_has_a_workspace_wide_limit(fake: FakeSlack, client: WebClient) -> None:
    people = [f"U{n:05d}" for n in range(slack_quotas.POST_WORKSPACE_PER_MINUTE + 1)]
    for person in people:
        fake.add_user(person, f"Person {person}")
    for person in people[:-1]:  # one message each: no conversation is over its pace
        assert client.chat_postMessage(channel=person, text="hello")["ok"]
    with pytest.raises(SlackApiError) as refused:
        client.chat_postMessage(channel=people[-1], text="hello")
    assert refused.value.response.status_code == 429
    assert [t.scope for t in fake.throttled] == ["workspace"]
    fake.throttled.clear()


# -- latency ---------------------------------------------------------------------------------
def test_latency_makes_every_call_as_slow_as_the_real_api() -> None:
    slow = FakeSlack(latency=0.15).start()
    try:
        slow.add_user("UVERA", "Vera Veteran")
        web = WebClient(token="xoxb-test", base_url=slow.url)
        started = time.monotonic()
        for _ in range(3):
            web.users_info(user="UVERA")
        assert time.monotonic() - started >= 0.45
    finally:
        slow.stop()


# -- the driver gives up on a late ack -------------------------------------------------------
class _SlowApp(BaseHTTPRequestHandler):
    delay = ACK_DEADLINE_S + 0.5

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        time.sleep(self.delay)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()


def test_the_driver_fails_a_test_whose_ack_comes_after_three_seconds(fake: FakeSlack) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SlowApp)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        host, port = server.server_address[:2]
        timings: list[AckTiming] = []  # kept out of the suite's latency report
        driver = SlackDriver(fake, f"http://{host}:{port}", "secret", ack_log=timings)
        started = time.monotonic()
        with pytest.raises(LateAck, match=r"/mentor optin: no answer within 3 s"):
            driver.slash("UVERA", "/mentor", "optin")
        assert time.monotonic() - started < ACK_DEADLINE_S + 0.4  # it gave up at 3 s
        assert [t.what for t in timings] == ["/mentor optin"]
    finally:
        server.shutdown()
        server.server_close()


# -- conversations.history: newest first, paged, metadata only when asked --------------------
HISTORY_METADATA = {"event_type": "mentorbot_outbox", "event_payload": {"key": "outbox:1"}}


def test_history_is_newest_first_paged_and_shows_metadata_only_when_asked(
    fake: FakeSlack, client: WebClient
) -> None:
    posted = [
        client.chat_postMessage(channel="UVERA", text=f"note {n}", metadata=HISTORY_METADATA)["ts"]
        for n in range(5)
    ]
    channel = client.conversations_open(users="UVERA")["channel"]["id"]
    assert channel == dm_channel("UVERA")

    first = client.conversations_history(channel=channel, limit=2)
    assert [m["text"] for m in first["messages"]] == ["note 4", "note 3"]
    assert first["has_more"] is True
    assert all("metadata" not in m for m in first["messages"])
    rest = client.conversations_history(
        channel=channel,
        limit=10,
        cursor=first["response_metadata"]["next_cursor"],
        include_all_metadata=True,
    )
    assert [m["text"] for m in rest["messages"]] == ["note 2", "note 1", "note 0"]
    assert rest["has_more"] is False and rest["response_metadata"]["next_cursor"] == ""
    assert all(m["metadata"] == HISTORY_METADATA for m in rest["messages"])

    since = client.conversations_history(channel=channel, oldest=posted[2])
    assert [m["text"] for m in since["messages"]] == ["note 4", "note 3"]  # oldest excluded
    inclusive = client.conversations_history(channel=channel, oldest=posted[2], inclusive=True)
    assert len(inclusive["messages"]) == 3


def test_history_refuses_a_user_id_a_foreign_channel_and_bad_metadata(
    fake: FakeSlack, client: WebClient
) -> None:
    fake.add_channel("CPRIV", "leads", is_private=True, members=["UVERA"])
    for channel, error in (("UVERA", "channel_not_found"), ("CPRIV", "not_in_channel")):
        with pytest.raises(SlackApiError) as refused:
            client.conversations_history(channel=channel)
        assert refused.value.response["error"] == error
    with pytest.raises(SlackApiError) as refused:
        client.chat_postMessage(channel="UVERA", text="x", metadata={"event_type": "x"})
    assert refused.value.response["error"] == "invalid_metadata_format"
    assert fake.dms("UVERA") == []
