"""Block Kit for the analytics: each PRD success metric against its target, with
honest sample sizes, and "not enough data yet" wherever a figure would be a guess;
the charts (bot/charts) as image blocks beside the figures they picture.

- `formatting`: the small formatters every part uses;
- `program`: the whole program (admins) and the admin's App Home section;
- `people`: a manager's reports and a mentor's own figures;
- `dashboard`: the whole answer to `/mentor analytics` for one person."""

from bot.blocks.analytics.dashboard import WHO_SEES, charts_failed, dashboard
from bot.blocks.analytics.formatting import NOT_ENOUGH, Images, figures_age, images_of, when
from bot.blocks.analytics.people import manager_report, mentor_report, status_line
from bot.blocks.analytics.program import (
    coverage_blocks,
    effectiveness_blocks,
    home_program,
    home_program_pending,
    home_program_with,
    monthly_blocks,
    program_report,
    program_summary,
    ramp_blocks,
    satisfaction_blocks,
    session_blocks,
    workload_blocks,
)

__all__ = [
    "NOT_ENOUGH",
    "WHO_SEES",
    "Images",
    "charts_failed",
    "coverage_blocks",
    "dashboard",
    "effectiveness_blocks",
    "figures_age",
    "home_program",
    "home_program_pending",
    "home_program_with",
    "images_of",
    "manager_report",
    "mentor_report",
    "monthly_blocks",
    "program_report",
    "program_summary",
    "ramp_blocks",
    "satisfaction_blocks",
    "session_blocks",
    "status_line",
    "when",
    "workload_blocks",
]
