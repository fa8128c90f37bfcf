"""Analytics charts rendered on the server (matplotlib, Agg): the pictures of the
figures each person may see, drawn from the same report objects as the text.

Imported where a chart is drawn, never at a module's top outside bot/charts:
matplotlib holds some 30 MB that a `mentorbot serve` nobody asks for a chart
should not carry."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

from bot.charts.figures import (
    RAMP,
    cohort_chart,
    ramp_chart,
    satisfaction_chart,
    sessions_chart,
    workload_chart,
)
from bot.charts.mentor import mentor_chart
from bot.charts.style import FORMATS, Chart
from bot.services.analytics import Dashboard, ManagerReport, MentorReport, ProgramReport

__all__ = [
    "FORMATS",
    "RAMP",
    "Chart",
    "dashboard_charts",
    "manager_charts",
    "mentor_charts",
    "program_charts",
    "ramp_chart",
    "write_charts",
]


def _target(report: ProgramReport, key: str) -> float:
    return next(m.target for m in report.metrics if m.key == key)


def program_charts(report: ProgramReport) -> list[Chart]:
    """The whole program's charts, in the order of the report's sections."""
    return [
        ramp_chart(report.ramp),
        cohort_chart(report.ramp),
        workload_chart(report.workload),
        sessions_chart(
            report.sessions_by_month, report.sessions, _target(report, "session_completion")
        ),
        satisfaction_chart(report.satisfaction),
    ]


def manager_charts(report: ManagerReport, completion_target: float) -> list[Chart]:
    """A manager's team only: their reports' ramp, sessions and ratings."""
    return [
        dataclasses.replace(chart, key=f"team_{chart.key}")
        for chart in (
            ramp_chart(report.ramp),
            sessions_chart([], report.sessions, completion_target),
            satisfaction_chart(report.satisfaction),
        )
    ]


def mentor_charts(report: MentorReport, completion_target: float) -> list[Chart]:
    """A mentor's own completion and mentee rating beside the program's."""
    return [
        mentor_chart(
            report.sessions.completion_rate,
            report.program_completion,
            report.satisfaction.mentee_average,
            report.program_mentee_average,
            completion_target,
        )
    ]


def dashboard_charts(board: Dashboard) -> list[Chart]:
    """The charts of what this person may see (bot/services/analytics.dashboard_for)."""
    charts: list[Chart] = []
    if board.program is not None:
        charts += program_charts(board.program)
    if board.manager is not None:
        charts += manager_charts(board.manager, board.session_target)
    if board.mentor is not None:
        charts += mentor_charts(board.mentor, board.session_target)
    return charts


def write_charts(charts: Sequence[Chart], directory: Path, fmt: str = "png") -> list[Path]:
    """Write each chart as `<key>.<fmt>` into `directory` (made if missing); the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for chart in charts:
        path = directory / f"{chart.key}.{fmt}"
        path.write_bytes(chart.render(fmt))
        paths.append(path)
    return paths
