"""The chart beside a mentor's own figures: theirs against the program's."""

from __future__ import annotations

from bot.charts.style import INK, MENTORED, OTHERS, Chart, new_figure, not_enough, titled


def mentor_chart(
    completion: float | None,
    program_completion: float | None,
    rating: float | None,
    program_rating: float | None,
    completion_target: float,
) -> Chart:
    """A mentor's own session completion and mentee rating beside the program's."""
    title = "Your mentoring beside the program's"
    if completion is None and rating is None:
        return not_enough(
            "my_figures", title, "none of your mentorships has run a check-in period yet"
        )
    figure, (rate_ax, rating_ax) = new_figure(ncols=2)
    for ax, values, scale, target, ylabel, heading in (
        (
            rate_ax,
            (completion, program_completion),
            100,
            completion_target * 100,
            "% of expected sessions",
            "Session completion",
        ),
        (rating_ax, (rating, program_rating), 1, None, "Average mentee rating (1-5)", "Rating"),
    ):
        heights = [0.0 if v is None else v * scale for v in values]
        bars = ax.bar(
            ["You", "Program"],
            heights,
            color=[MENTORED["color"], OTHERS["color"]],
            edgecolor=INK,
            linewidth=0.5,
            gid=heading,
        )
        bars[1].set_hatch(OTHERS["hatch"])
        ax.bar_label(
            bars,
            labels=[
                "not enough data"
                if v is None
                else f"{v * scale:.0f}%"
                if scale == 100
                else f"{v:.2f}"
                for v in values
            ],
            fontsize=9,
            color=INK,
        )
        if target is not None:
            ax.axhline(target, color=INK, linestyle="--", linewidth=1.2)
            ax.text(1.45, target, f"target {target:.0f}%", va="bottom", ha="right", fontsize=8)
        ax.set_ylim(0, 105 if scale == 100 else 5.5)
        ax.set_ylabel(ylabel)
        ax.set_title(heading, fontsize=10)
    titled(figure, title, "Only you see your own figures")
    return Chart("my_figures", title, title, figure)


def _value(value: float | None, scale: int) -> str:
    if value is None:
        return "not enough data"
    return f"{value * scale:.0f}%" if scale == 100 else f"{value:.2f}"
