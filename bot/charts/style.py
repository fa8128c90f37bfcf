"""How every analytics chart looks: one figure per question, rendered on the server
with matplotlib's Agg backend (no display), readable in Slack's light and dark themes
and by colour-blind readers.

- An opaque light card (not a transparent background): dark text on it reads the
  same whichever theme Slack shows around it.
- The Okabe-Ito palette, which stays distinct under the common colour-vision
  deficiencies, and never colour alone: mentored hires are blue bars with circles,
  other hires orange hatched bars with squares, and values are written on the bars."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import matplotlib

matplotlib.use("Agg")  # before pyplot is imported anywhere: no display on a server

from matplotlib.figure import Figure

#: Okabe-Ito colours.
BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
VERMILLION = "#D55E00"
SKY = "#56B4E9"
PURPLE = "#CC79A7"
GREY = "#6B6B6B"
INK = "#1D1C1D"  # Slack's own text colour
CARD = "#FFFFFF"

#: The two groups of the ramp comparison, told apart by colour, hatch and marker.
MENTORED = {"color": BLUE, "hatch": "", "marker": "o", "linestyle": "-"}
OTHERS = {"color": ORANGE, "hatch": "//", "marker": "s", "linestyle": "--"}

WIDTH_IN, HEIGHT_IN, DPI = 8.0, 4.5, 100
FORMATS = ("png", "svg")
NOT_ENOUGH = "Not enough data yet"


@dataclass
class Chart:
    """One chart: `key` names the file, `title` says what it shows, `alt_text` is what
    a screen reader (and Slack's image block) says; `drawn` is False when it only says
    "not enough data yet"."""

    key: str
    title: str
    alt_text: str
    figure: Figure
    drawn: bool = True
    notes: list[str] = field(default_factory=list)

    def render(self, fmt: str = "png") -> bytes:
        """The chart as PNG or SVG bytes."""
        if fmt not in FORMATS:
            raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
        out = io.BytesIO()
        # Light PNG compression: a chart is drawn on demand, and size hardly differs.
        options = {"pil_kwargs": {"compress_level": 1}} if fmt == "png" else {}
        self.figure.savefig(out, format=fmt, dpi=DPI, facecolor=CARD, **options)
        return out.getvalue()

    @property
    def filename(self) -> str:
        return f"{self.key}.png"


def new_figure(
    ncols: int = 1, *, left: float = 0.1, right: float = 0.97, **kwargs: Any
) -> tuple[Figure, list[Any]]:
    """A figure on the light card, its axes styled alike (no pyplot: no global state,
    so charts can render in threads). Fixed margins (`left` for long labels), not a
    layout engine: measuring every label to place the axes doubled the drawing time."""
    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, facecolor=CARD)
    figure.subplots_adjust(left=left, right=right, top=0.86, bottom=0.27, wspace=0.3)
    axes = figure.subplots(1, ncols, squeeze=False, **kwargs)[0]
    for ax in axes:
        ax.set_facecolor(CARD)
        ax.tick_params(colors=INK, labelsize=9)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        for side in ("left", "bottom"):
            ax.spines[side].set_color(GREY)
        ax.xaxis.label.set_color(INK)
        ax.yaxis.label.set_color(INK)
    return figure, list(axes)


def titled(figure: Figure, title: str, subtitle: str | None = None) -> None:
    """The chart's title (what it shows) and an optional line of detail under it."""
    figure.suptitle(title, color=INK, fontsize=13, fontweight="bold")
    if subtitle:
        # A figure-level x label: the layout keeps it clear of the axes' own labels.
        figure.supxlabel(subtitle, color=GREY, fontsize=8.5, y=0.01)


def legend_below(ax: Any) -> None:
    """The legend under the axes, so it never covers a bar or its label."""
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, fontsize=8.5, frameon=False)


def not_enough(key: str, title: str, reason: str) -> Chart:
    """A chart that says there isn't enough to draw, rather than drawing from too few."""
    figure, (ax,) = new_figure()
    ax.set_axis_off()
    ax.text(
        0.5,
        0.5,
        f"{NOT_ENOUGH}\n{reason}",
        ha="center",
        va="center",
        color=INK,
        fontsize=13,
        wrap=True,
        transform=ax.transAxes,
    )
    titled(figure, title)
    return Chart(key, title, f"{title}: {NOT_ENOUGH.lower()} ({reason})", figure, drawn=False)


def note(ax: Any, text: str) -> None:
    """A warning written on the chart itself (absurd figures, left-out groups)."""
    ax.text(
        0.99,
        0.98,
        text,
        ha="right",
        va="top",
        color=VERMILLION,
        fontsize=8.5,
        transform=ax.transAxes,
        bbox={"facecolor": CARD, "edgecolor": VERMILLION, "boxstyle": "round,pad=0.3"},
    )
