"""The fake Slack refuses blocks and views as Slack does, over HTTP, with Slack's
error bodies; and the driver fails a test whose app answers Slack with what Slack
would refuse."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.testing.driver import SlackDriver
from bot.testing.fake_slack import FakeSlack, ResponseTarget
from bot.testing.signed_requests import HttpReply

SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "Hello"}}


@pytest.fixture
def fresh_fake(fake_slack: FakeSlack) -> Iterator[FakeSlack]:
    fake_slack.reset()
    fake_slack.add_user("UVERA", "Vera Veteran")
    yield fake_slack
    fake_slack.reset()


def client(fake: FakeSlack) -> WebClient:
    return WebClient(token="xoxb-test", base_url=fake.url)


def refused_with(call: Any) -> dict[str, Any]:
    with pytest.raises(SlackApiError) as refused:
        call()
    return dict(refused.value.response.data)  # type: ignore[arg-type]


def test_post_message_with_an_empty_button_value_is_invalid_blocks(fresh_fake) -> None:  # type: ignore[no-untyped-def]
    empty_value = {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "text": {"type": "plain_text", "text": "Go"},
                "action_id": "go",
                "value": "",
            }
        ],
    }
    body = refused_with(
        lambda: client(fresh_fake).chat_postMessage(
            channel="UVERA", text="Hi", blocks=[SECTION, empty_value]
        )
    )
    assert body == {
        "ok": False,
        "error": "invalid_blocks",
        "errors": ["must be more than 0 characters [json-pointer:/blocks/1/elements/0/value]"],
        "response_metadata": {
            "messages": [
                "[ERROR] must be more than 0 characters [json-pointer:/blocks/1/elements/0/value]"
            ]
        },
    }
    assert fresh_fake.dms("UVERA") == []  # nothing was posted
    assert [method for method, _ in fresh_fake.take_refusals()] == ["chat.postMessage"]


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
def test_blocks_without_fallback_text_are_refused(fresh_fake) -> None:  # type: ignore[no-untyped-def]
    body = refused_with(
        lambda: client(fresh_fake).chat_postMessage(channel="UVERA", blocks=[SECTION])
    )
    assert body["error"] == "invalid_arguments"
    assert fresh_fake.take_refusals()
    client(fresh_fake).chat_postMessage(channel="UVERA", text="Hello", blocks=[SECTION])
    assert [m.text for m in fresh_fake.dms("UVERA")] == ["Hello"]


def test_a_home_over_100_blocks_is_not_published(fresh_fake) -> None:  # type: ignore[no-untyped-def]
    body = refused_with(
        lambda: client(fresh_fake).views_publish(
            user_id="UVERA", view={"type": "home", "blocks": [SECTION] * 101}
        )
    )
    assert body["error"] == "invalid_arguments"
    assert body["response_metadata"]["messages"][0] == (
        "[ERROR] must provide no more than 100 items [json-pointer:/view/blocks]"
    )
    assert fresh_fake.home("UVERA") is None
    assert fresh_fake.take_refusals()


def test_a_response_url_refuses_51_blocks_with_http_400(fresh_fake) -> None:  # type: ignore[no-untyped-def]
    url = fresh_fake.new_response_url(ResponseTarget("UVERA", "DUVERA", None))
    request = urllib.request.Request(
        url,
        data=json.dumps({"text": "Hi", "blocks": [SECTION] * 51}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    assert (refused.value.code, refused.value.read()) == (400, b"invalid_blocks")
    assert fresh_fake.ephemeral("UVERA") == []
    assert [method for method, _ in fresh_fake.take_refusals()] == ["response_url"]


def test_a_view_the_app_returns_in_its_http_answer_is_checked_too(fresh_fake, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """response_action: update with a 25-character title: Slack shows the person an
    error instead of the modal, so the test fails."""
    driver = SlackDriver(fresh_fake, "http://127.0.0.1:9", "secret")
    fresh_fake.push_view("UVERA", {"type": "modal", "title": {"type": "plain_text", "text": "T"}})
    bad = {"type": "modal", "title": {"type": "plain_text", "text": "x" * 25}, "blocks": [SECTION]}
    answer = json.dumps({"response_action": "update", "view": bad})
    # The app's HTTP answer, as if it had sent it: what Slack does next is the point.
    monkeypatch.setattr(SlackDriver, "post", lambda *args, **kw: HttpReply(200, answer))
    with pytest.raises(AssertionError, match=r"must be less than 25 characters"):
        driver.submit("UVERA")
