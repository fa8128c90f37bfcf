"""The fake Slack's conversations.history answers as Slack does: a conversation's
messages newest first within `oldest`/`latest`, `limit` a page with a cursor to the
next, message metadata only with `include_all_metadata`, and Slack's errors for a user
id or a channel the bot is not in. Checked through slack_sdk's own client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.testing.fake_slack import FakeSlack, dm_channel

METADATA = {"event_type": "mentorbot_outbox", "event_payload": {"key": "outbox:1"}}


@pytest.fixture(scope="module")
def own_fake() -> Iterator[FakeSlack]:
    server = FakeSlack().start()
    yield server
    server.stop()


@pytest.fixture
def client(own_fake: FakeSlack) -> WebClient:
    own_fake.reset()
    own_fake.add_user("UVERA", "Vera Veteran")
    return WebClient(token="xoxb-test", base_url=own_fake.url)


def test_history_is_newest_first_paged_and_shows_metadata_only_when_asked(
    own_fake: FakeSlack, client: WebClient
) -> None:
    posted = [
        client.chat_postMessage(channel="UVERA", text=f"note {n}", metadata=METADATA)["ts"]
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
    assert all(m["metadata"] == METADATA for m in rest["messages"])

    since = client.conversations_history(channel=channel, oldest=posted[2])
    assert [m["text"] for m in since["messages"]] == ["note 4", "note 3"]  # oldest excluded
    inclusive = client.conversations_history(channel=channel, oldest=posted[2], inclusive=True)
    assert len(inclusive["messages"]) == 3


def test_history_refuses_a_user_id_a_foreign_channel_and_bad_metadata(
    own_fake: FakeSlack, client: WebClient
) -> None:
    own_fake.add_channel("CPRIV", "leads", is_private=True, members=["UVERA"])
    for channel, error in (("UVERA", "channel_not_found"), ("CPRIV", "not_in_channel")):
        with pytest.raises(SlackApiError) as refused:
            client.conversations_history(channel=channel)
        assert refused.value.response["error"] == error
    with pytest.raises(SlackApiError) as refused:
        client.chat_postMessage(channel="UVERA", text="x", metadata={"event_type": "x"})
    assert refused.value.response["error"] == "invalid_metadata_format"
    assert own_fake.dms("UVERA") == []
