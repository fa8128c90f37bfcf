"""The shifted-clock proof checks itself: when `.ci/clock-proof` runs the suite under
a shifted wall clock, this test fails unless the shift really reached this process
and the processes it starts. Skipped in an ordinary run (no shift asked for)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

ASKED = os.environ.get("MENTORBOT_TEST_SHIFTED_CLOCK")
#: The proof runs the subset in a few minutes; a real clock would be hours or days off.
SLACK = timedelta(minutes=30)

_REPORT = (
    "from datetime import UTC, datetime; import time; "
    "print(datetime.now(UTC).isoformat(), time.strftime('%Z'))"
)


@pytest.mark.skipif(not ASKED, reason="no shifted clock asked for (see .ci/clock-proof)")
def test_the_wall_clock_is_the_shifted_one_here_and_in_subprocesses() -> None:
    start = datetime.fromisoformat(str(ASKED))
    zone = os.environ.get("TZ", "UTC")

    here = datetime.now(UTC)
    assert start <= here < start + SLACK, f"this process reads {here}, not about {start}"
    assert abs(time.time() - here.timestamp()) < 5

    out = subprocess.run(
        [sys.executable, "-c", _REPORT], capture_output=True, text=True, check=True
    ).stdout.split()
    there = datetime.fromisoformat(out[0])
    assert start <= there < start + SLACK, f"a subprocess reads {there}, not about {start}"

    local = datetime.now().astimezone()
    expected_offset = here.astimezone(ZoneInfo(zone)).utcoffset()
    assert local.utcoffset() == expected_offset, f"local time is {local}, TZ is {zone}"
    assert out[1] == time.strftime("%Z")
