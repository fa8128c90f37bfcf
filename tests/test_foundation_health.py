"""GET /healthz answers 200 only when the database answers (and Slack takes our token:
tests/test_token_refused.py)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from bot.config import Settings
from bot.runtime import Runtime
from bot.web import MentorBotWeb


def test_healthz_ok(served, slack) -> None:  # type: ignore[no-untyped-def]
    with urllib.request.urlopen(served.url + "/healthz", timeout=10) as response:
        assert response.status == 200
        assert json.loads(response.read()) == {"ok": True, "database": "ok", "slack": "ok"}


def test_healthz_503_when_database_is_down(served) -> None:  # type: ignore[no-untyped-def]
    broken = Settings(DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/none", _env_file=None)
    web = MentorBotWeb(served.bolt, Runtime.from_settings(broken))
    status, body = web.health()
    assert status == 503
    assert json.loads(body)["database"] == "unreachable"


def test_unknown_path_is_404(served) -> None:  # type: ignore[no-untyped-def]
    try:
        urllib.request.urlopen(served.url + "/nope", timeout=10)
        raise AssertionError("expected 404")
    except urllib.error.HTTPError as exc:
        assert exc.code == 404
