"""What the delivery tests share: killing a sender, and counting what reached Slack."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

from bot.config import Settings
from bot.delivery import OUTBOX_EVENT
from bot.testing.fake_slack import FakeSlack

REPO = Path(__file__).resolve().parents[2]


def posted_keys(fake: FakeSlack, slack_user_ids: list[str]) -> Counter[str]:
    """How many messages in these people's DMs carry each MentorBot key."""
    found: Counter[str] = Counter()
    for slack_id in slack_user_ids:
        for message in fake.dms(slack_id):
            metadata = message.metadata or {}
            if metadata.get("event_type") == OUTBOX_EVENT:
                found[metadata["event_payload"]["key"]] += 1
    return found


def run_killed(
    settings: Settings, mode: str, step: str, nth: int, now: datetime
) -> subprocess.CompletedProcess[str]:
    """Run the outbox worker or a sweep in a process that SIGKILLs itself at `step` of
    its `nth` post (tests/reliability/kill_sender.py)."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.reliability.kill_sender",
            mode,
            step,
            str(nth),
            now.isoformat(),
            settings.database_url,
            settings.slack_api_url,
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
