"""bench.load's accounting: which Web API call ends which request. A closed loop sends a
person's next request as soon as the last was acknowledged, so the work of the first
often ends after the second was sent; its response_url post is still its own."""

from __future__ import annotations

from types import SimpleNamespace

from bench.load_client import BUSY_MARK
from bench.load_figures import figures
from bench.load_traffic import Sent, finish_times
from bot.testing.fake_slack import ApiCall


def fake_with(calls: list[ApiCall], url_posts: list[tuple[str, float, str]]) -> SimpleNamespace:
    return SimpleNamespace(calls=calls, url_posts=url_posts, views={})


def test_a_response_url_post_after_the_persons_next_request_ends_the_first() -> None:
    first = Sent(at=100.0, ack_s=0.001, status=200, busy=False, keys={"UADMIN", "tok1"})
    second = Sent(at=100.002, ack_s=0.001, status=200, busy=False, keys={"UADMIN", "tok2"})
    fake = fake_with([], [("tok1", 100.5, "Top matches"), ("tok2", 100.9, "Top matches")])

    finish_times(fake, [first, second])  # type: ignore[arg-type]

    assert first.e2e_s is not None and abs(first.e2e_s - 0.5) < 1e-9
    assert second.e2e_s is not None and abs(second.e2e_s - 0.898) < 1e-9
    row = figures([first, second], elapsed=0.003)
    # Served over the span to the last end, not over the 3 ms it took to send them.
    assert abs(row.served_rps - 2 / 0.9) < 1e-6


def test_a_second_home_open_is_answered_by_the_publish_after_it() -> None:
    first = Sent(at=10.0, ack_s=0.001, status=200, busy=False, keys={"UMENTOR"})
    second = Sent(at=11.0, ack_s=0.001, status=200, busy=False, keys={"UMENTOR"})
    publish = "views.publish"
    calls = [
        ApiCall(publish, {"user_id": "UMENTOR"}, 10.2),
        ApiCall(publish, {"user_id": "UMENTOR"}, 11.3),
    ]

    finish_times(fake_with(calls, []), [first, second])  # type: ignore[arg-type]

    assert first.e2e_s is not None and abs(first.e2e_s - 0.2) < 1e-9
    assert second.e2e_s is not None and abs(second.e2e_s - 0.3) < 1e-9


def test_a_busy_answer_on_the_response_url_marks_the_request_busy() -> None:
    sent = Sent(at=1.0, ack_s=0.001, status=200, busy=False, keys={"UADMIN", "tok9"})
    finish_times(fake_with([], [("tok9", 1.1, f"{BUSY_MARK} try again")]), [sent])  # type: ignore[arg-type]

    assert sent.busy
