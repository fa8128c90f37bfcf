"""The whole answer to `/mentor analytics`: what this person may see, by role."""

from __future__ import annotations

from collections.abc import Callable

from bot.blocks import kit
from bot.blocks.analytics.formatting import (
    Images,
)
from bot.blocks.analytics.people import manager_report, mentor_report
from bot.blocks.analytics.program import program_report
from bot.services.analytics import (
    Dashboard,
)


def dashboard(board: Dashboard, images: Images | None = None) -> tuple[str, list[kit.Block]]:
    """Text and blocks for what this person may see; `images` beside their figures."""
    if board.empty:
        return (
            f"Not enough data yet for you: {WHO_SEES}",
            [kit.section(f"*Analytics*\nNot enough data yet for you: {WHO_SEES}")],
        )
    parts: list[tuple[object, Callable[..., list[kit.Block]]]] = [
        (board.program, program_report),
        (board.manager, manager_report),
        (board.mentor, mentor_report),
    ]
    blocks: list[kit.Block] = []
    for report, build in parts:
        if report is not None:
            if blocks:
                blocks.append(kit.divider())
            blocks.extend(build(report, images))
    return "Mentorship analytics", blocks[: kit.MAX_BLOCKS_MESSAGE]


def charts_failed(reason: str) -> str:
    """One line for a person whose charts could not be drawn or uploaded."""
    return f"The charts could not be attached ({reason}); the figures above are complete."


WHO_SEES = (
    "analytics show the whole program to admins, their reports' mentorships to managers "
    "and their own figures to mentors, and you have none of these roles yet."
)
