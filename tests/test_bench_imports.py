"""Each benchmark runs as `python -m bench.<name>`, so its imports are the first in a
fresh interpreter. The app imports its services in its own order, which can hide a
circular import that a benchmark's order meets (`bench.sweep` once failed so:
reminders → coverage → matching → the data version → analytics → coverage)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def runnable_benchmarks() -> list[str]:
    return sorted(
        path.stem
        for path in (ROOT / "bench").glob("*.py")
        if "\ndef main(" in path.read_text(encoding="utf-8")
    )


def test_every_benchmark_imports_first_in_a_fresh_interpreter() -> None:
    names = runnable_benchmarks()
    assert {"analytics", "load", "match", "sweep"} <= set(names), names
    # All at once: each is an interpreter starting, mostly waiting on imports.
    started = {
        name: subprocess.Popen(
            [sys.executable, "-c", f"import bench.{name}"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in names
    }
    failed: dict[str, list[str]] = {}
    for name, process in started.items():
        _, err = process.communicate(timeout=120)
        if process.returncode != 0:
            failed[name] = err.strip().splitlines()[-1:]
    assert failed == {}, failed
