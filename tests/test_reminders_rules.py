"""The pure rules behind reminders: cadence dates, the recipient's day, retries, messages."""

from __future__ import annotations

import logging
import urllib.error
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.blocks import actions as ids
from bot.blocks import reminders as blocks
from bot.delivery import outcome_of
from bot.services import ledger
from bot.services.program import ProgramConfig
from bot.services.reminders import Due, Recipient, checkin_due_date, find_due, latest_cycle_date
from bot.services.working_hours import WorkingDay, is_working_time, next_working_start
from models import User

DAY = WorkingDay.of(ProgramConfig())


@pytest.mark.parametrize(
    ("cadence", "anchor", "today", "expected"),
    [
        ("weekly", date(2026, 11, 16), date(2026, 11, 22), None),
        ("weekly", date(2026, 11, 16), date(2026, 11, 23), date(2026, 11, 23)),
        ("weekly", date(2026, 11, 16), date(2026, 12, 1), date(2026, 11, 30)),
        ("biweekly", date(2026, 11, 16), date(2026, 11, 29), None),
        ("biweekly", date(2026, 11, 16), date(2026, 11, 30), date(2026, 11, 30)),
        # A month is 30 days (models.CADENCE_DAYS), as in the next check-in people are shown.
        ("monthly", date(2026, 1, 31), date(2026, 2, 27), None),
        ("monthly", date(2026, 1, 31), date(2026, 3, 1), None),
        ("monthly", date(2026, 1, 31), date(2026, 3, 2), date(2026, 3, 2)),
        ("monthly", date(2026, 1, 31), date(2026, 4, 29), date(2026, 4, 1)),
        ("monthly", date(2026, 11, 16), date(2027, 1, 16), date(2027, 1, 15)),
    ],
)
def test_cadence_dates_count_from_the_anchor(cadence, anchor, today, expected) -> None:  # type: ignore[no-untyped-def]
    assert latest_cycle_date(cadence, anchor, today) == expected


def test_a_snooze_ending_after_the_last_session_brings_one_nudge() -> None:
    anchor = date(2026, 11, 16)
    # Snoozed until Thursday: the cadence date (Monday 23rd) is older than the snooze's end.
    assert checkin_due_date("weekly", anchor, date(2026, 11, 26), date(2026, 11, 26)) == date(
        2026, 11, 26
    )
    # A session logged after the snooze makes the snooze irrelevant.
    assert (
        checkin_due_date("weekly", date(2026, 11, 27), date(2026, 11, 30), date(2026, 11, 26))
        is None
    )
    # Later cadence dates win again.
    assert checkin_due_date("weekly", anchor, date(2026, 11, 30), date(2026, 11, 26)) == date(
        2026, 11, 30
    )


def test_working_hours_are_the_recipients_own() -> None:
    tuesday_14_utc = datetime(2026, 11, 17, 14, 0, tzinfo=UTC)  # 09:00 New York, 23:00 Tokyo
    assert is_working_time(tuesday_14_utc, "America/New_York", DAY)
    assert not is_working_time(tuesday_14_utc, "Asia/Tokyo", DAY)
    assert next_working_start(tuesday_14_utc, "Asia/Tokyo", DAY) == datetime(
        2026, 11, 18, 0, 0, tzinfo=UTC
    )
    friday_evening_ny = datetime(2026, 11, 20, 23, 0, tzinfo=UTC)  # 18:00 New York
    assert next_working_start(friday_evening_ny, "America/New_York", DAY) == datetime(
        2026, 11, 23, 14, 0, tzinfo=UTC
    )
    # No timezone, or a name Slack should never send, falls back to the program default (UTC).
    assert is_working_time(datetime(2026, 11, 17, 9, 0, tzinfo=UTC), None, DAY)
    assert is_working_time(datetime(2026, 11, 17, 9, 0, tzinfo=UTC), "Mars/Olympus", DAY)
    assert not is_working_time(datetime(2026, 11, 17, 17, 0, tzinfo=UTC), None, DAY)


def test_failed_sends_back_off_but_never_before_retry_after() -> None:
    now = datetime(2026, 11, 17, 15, 0, tzinfo=UTC)
    assert ledger.retry_time(1, now) == now + timedelta(minutes=5)
    assert ledger.retry_time(3, now) == now + timedelta(minutes=20)
    assert ledger.retry_time(12, now) == now + timedelta(hours=1)
    assert ledger.retry_time(1, now, retry_after=900) == now + timedelta(minutes=15)


def _slack_error(status: int, error: str, headers: dict[str, str] | None = None) -> SlackApiError:
    response = SlackResponse(
        client=None,
        http_verb="POST",
        api_url="https://slack.test/api/chat.postMessage",
        req_args={},
        data={"ok": False, "error": error},
        headers=headers or {},
        status_code=status,
    )
    return SlackApiError("failed", response)


def test_slack_failures_are_classified() -> None:
    assert outcome_of(_slack_error(200, "user_not_found")).status == "gone"
    # These are about OUR token, never about the person written to.
    for error in ("account_inactive", "invalid_auth", "token_revoked", "not_authed"):
        assert outcome_of(_slack_error(200, error)).status == "refused"
    rate_limited = outcome_of(_slack_error(429, "ratelimited", {"Retry-After": "30"}))
    assert (rate_limited.status, rate_limited.retry_after) == ("retry", 30.0)
    assert outcome_of(_slack_error(503, "service_unavailable")).status == "retry"
    assert outcome_of(TimeoutError("timed out")).status == "retry"
    assert outcome_of(urllib.error.URLError("refused")).status == "retry"
    assert outcome_of(_slack_error(200, "invalid_blocks")).status == "rejected"


def _due(kind: str, **facts: object) -> Due:
    person = Recipient(uuid.uuid4(), "UVERA", "Vera Veteran", "America/New_York", True)
    return Due(kind, "subject", "2026-11-23", person, dict(facts))


def test_checkin_nudge_carries_log_session_schedule_and_snooze() -> None:
    text, message = blocks.checkin(
        _due(
            "checkin",
            assignment_id="a-1",
            role="mentor",
            other_name="Newt <Newhire>",
            cadence="weekly",
            last_session="2026-11-16",
            start_date="2026-11-02",
        )
    )
    buttons = [e for b in message if b["type"] == "actions" for e in b["elements"]]
    assert [(b["text"]["text"], b["action_id"], b["value"]) for b in buttons] == [
        ("Log session", ids.LOG_SESSION, "a-1"),
        ("Schedule next session", ids.SCHEDULE_OPEN, "a-1"),
        ("Snooze a week", ids.SNOOZE_WEEK, "a-1"),
    ]
    assert "Newt &lt;Newhire&gt;" in message[0]["text"]["text"]
    assert "Mon 16 Nov" in message[0]["text"]["text"]
    assert "weekly check-in" in text


def test_every_due_kind_has_a_message_within_slacks_limits() -> None:
    long_name = "N" * 400
    report = {
        "name": long_name,
        "status": "active",
        "mentor_name": "Vera",
        "hire_date": "2026-11-01",
        "sessions_this_week": 1,
        "last_session": "2026-11-16",
        "milestones_achieved": 1,
        "milestones_total": 4,
        "milestones_overdue": 1,
        "progress_flag": "at_risk",
    }
    facts = {
        "assignment_id": "a",
        "submission_id": "s",
        "milestone_id": "m",
        "session_id": "s",
        "item_id": "1",
        "role": "mentee",
        "other_name": long_name,
        "mentee_name": long_name,
        "mentor_name": long_name,
        "manager_name": long_name,
        "milestone_name": long_name,
        "cadence": "weekly",
        "last_session": None,
        "start_date": "2026-11-02",
        "hours_waiting": 50,
        "evidence": "x" * 5000,
        "target_date": "2026-11-20",
        "days_left": 3,
        "item": "y" * 5000,
        "due": "2026-11-18",
        "week": "2026-W47",
        "end_date": "2027-02-09",
        "closes_after": "2027-02-23",
        "after_days": 14,
        "reports": [report] * 200,
        # Sessions scheduled ahead and questions (issue 17).
        "scheduled_id": "p",
        "question_id": "q",
        "work_day": [9, 17, [0, 1, 2, 3, 4], "UTC"],
        "when": {"starts_at": "2026-11-19T13:00:00+00:00", "minutes": 480},
        "options": [
            {"starts_at": "2026-11-19T13:00:00+00:00", "minutes": 45, "index": i} for i in range(3)
        ],
        "objectives": "o" * 5000,
        "materials": "m" * 5000,
        "asked_name": long_name,
        "minutes_to_go": 50,
        "question": "q" * 5000,
        "answer": "a" * 5000,
        "status": "answered",
        "source_link": "https://mentor.slack.com/archives/C1/p1",
        **{key: 3 for key, _ in blocks.ADMIN_FIGURES},
    }
    for kind, render in blocks.RENDERERS.items():
        text, message = render(_due(kind, **facts))
        assert text, kind
        assert 0 < len(message) <= 50, kind
        for block in message:
            if block["type"] == "section" and "text" in block:
                assert len(block["text"]["text"]) <= 3000, kind


def test_a_sweep_over_an_empty_roster_finds_nothing_and_fails_nowhere(db, caplog) -> None:  # type: ignore[no-untyped-def]
    # A new install sweeps before its roster is imported: no timezones yet, which once
    # made the finders' per-timezone SQL a CASE without a WHEN on PostgreSQL.
    db.execute(sa.delete(User))
    db.flush()
    now = datetime(2026, 11, 17, 15, 0, tzinfo=UTC)
    with caplog.at_level(logging.ERROR):
        assert find_due(db, now=now) == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
