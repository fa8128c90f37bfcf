"""GET /healthz answers 200 only when the database answers (and Slack takes our token:
tests/test_token_refused.py)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from bot.config import Settings
from bot.runtime import Runtime
from bot.slack_health import report


def test_healthz_ok(served, slack) -> None:  # type: ignore[no-untyped-def]
    with urllib.request.urlopen(served.url + "/healthz", timeout=10) as response:
        assert response.status == 200
        assert json.loads(response.read()) == {"ok": True, "database": "ok", "slack": "ok"}


def test_healthz_503_when_database_is_down(served) -> None:  # type: ignore[no-untyped-def]
    broken = Settings(DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/none", _env_file=None)
    status, body = report(Runtime.from_settings(broken), served.bolt.client)
    assert status == 503
    assert body["database"] == "unreachable"


def test_unknown_path_is_404(served) -> None:  # type: ignore[no-untyped-def]
    try:
        urllib.request.urlopen(served.url + "/nope", timeout=10)
        raise AssertionError("expected 404")
    except urllib.error.HTTPError as exc:
        assert exc.code == 404


def test_a_slow_slack_request_holds_up_neither_health_nor_the_api(  # type: ignore[no-untyped-def]
    served, slack, monkeypatch
) -> None:
    """Bolt's sync dispatch runs in a worker thread: while one Slack request is slow,
    the event loop keeps answering everyone else."""
    import threading

    release = threading.Event()
    order: list[str] = []
    dispatch = served.bolt.dispatch

    def slow_dispatch(request):  # type: ignore[no-untyped-def]
        release.wait(timeout=20)
        return dispatch(request)

    monkeypatch.setattr(served.bolt, "dispatch", slow_dispatch)

    def slow_slack() -> None:
        slack.post_form(slack.slash_body("UNEWT", "/mentor", "help"))
        order.append("slack")

    caller = threading.Thread(target=slow_slack)
    caller.start()
    try:
        with urllib.request.urlopen(served.url + "/healthz", timeout=10) as response:
            assert response.status == 200
        order.append("healthz")
        with urllib.request.urlopen(served.url + "/api/openapi.json", timeout=10) as response:
            assert response.status == 200
        order.append("api")
    finally:
        release.set()
        caller.join(timeout=20)
    assert order == ["healthz", "api", "slack"]
