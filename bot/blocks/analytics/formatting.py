"""The analytics' small formatters: percentages, ratings, days, dates, tables and
the "not enough data yet" every figure falls back to."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, tzinfo

from bot.blocks import dates, kit
from bot.services.analytics import (
    GroupStats,
    Metric,
)

NOT_ENOUGH = "not enough data yet"

#: Rows of a table that fit a section (3000 characters) with room to spare.
TABLE_ROWS = 20


def figures_age(computed_at: datetime | None, now: datetime, tz: tzinfo) -> kit.Block:
    """How old the program-wide figures on a home are ("figures as of 09:05", with the
    day when it isn't today), in the viewer's timezone; or that they are on their way."""
    if computed_at is None:
        return kit.context(
            "Program figures are being computed; they appear here within a few minutes."
        )
    local = computed_at.astimezone(tz)
    day = "" if local.date() == now.astimezone(tz).date() else f"{local:%-d %b} "
    return kit.context(
        f"Program figures as of {day}{local:%H:%M} · refreshed every few minutes when "
        "anything changed · `/mentor analytics` computes them now"
    )


def pct(value: float | None, digits: int = 0) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def rating(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}/5"


def days(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} d"


def signed_pct(value: float | None) -> str:
    return "—" if value is None else f"{value:+.0f}%"


def when(day: date | None) -> str:
    return dates.day(day, missing="no hire date")


def metric_value(metric: Metric) -> str:
    if metric.value is None:
        return NOT_ENOUGH
    return pct(metric.value) if metric.unit == "share" else rating(metric.value)


def metric_target(metric: Metric) -> str:
    return pct(metric.target) if metric.unit == "share" else rating(metric.target)


def metric_mark(metric: Metric) -> str:
    return {True: ":white_check_mark:", False: ":warning:", None: ":hourglass:"}[metric.met]


def table(header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[int]) -> str:
    """A monospaced table in a code block, cut to TABLE_ROWS rows."""

    def line(cells: Sequence[str]) -> str:
        return "  ".join(kit.truncate(c, w).ljust(w) for c, w in zip(cells, widths, strict=True))

    shown = [line(r) for r in rows[:TABLE_ROWS]]
    more = len(rows) - len(shown)
    body = "\n".join([line(header), *shown] + ([f"… and {more} more"] if more > 0 else []))
    return f"```{body.rstrip()}```"


def names_list(names: Sequence[str], total: int) -> str:
    more = total - len(names)
    return ", ".join(names) + (f" and {more} more" if more > 0 else "")


#: Images shown beside the figures they illustrate, by chart key (bot/charts).
Images = Mapping[str, kit.Block]


def images_of(images: Images | None, *keys: str) -> list[kit.Block]:
    """The image blocks of these charts that were given, in this order."""
    return [images[k] for k in keys if images and k in images]


def group_cell(stats: GroupStats) -> str:
    return f"{days(stats.median_days)} ({stats.reached}/{stats.hires})"


def rating_or_wait(value: float | None) -> str:
    return NOT_ENOUGH if value is None else rating(value)


def pct_or_wait(value: float | None) -> str:
    return NOT_ENOUGH if value is None else pct(value)
