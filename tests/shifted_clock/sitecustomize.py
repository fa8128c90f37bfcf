"""Loaded by every Python process of a shifted-clock run (`.ci/clock-proof` puts this
folder on PYTHONPATH), and only there.

The run shifts the wall clock with libfaketime but leaves the monotonic clock alone
(FAKETIME_DONT_FAKE_MONOTONIC=1): faking it hangs every timed lock wait in Python 3.11.
With it left alone, libfaketime 0.9.10 turns `time.sleep` (an absolute
`clock_nanosleep` on CLOCK_MONOTONIC since Python 3.11) into EINVAL. Sleeping with
`select`, which takes a relative timeout, sidesteps that and nothing else changes."""

from __future__ import annotations

import os
import select
import time

if "faketime" in os.environ.get("LD_PRELOAD", "") and os.environ.get(
    "FAKETIME_DONT_FAKE_MONOTONIC"
):

    def _sleep(seconds: float) -> None:
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            select.select([], [], [], left)

    time.sleep = _sleep
