"""The analytics charts, one per question, drawn from the very results the text
report shows (bot/services/analytics), so a figure and its picture cannot disagree.

Each chart says what it shows in its title, labels its axes, writes its values on
the bars and its sample sizes in the legend, and says "not enough data yet" rather
than drawing from too few."""

from __future__ import annotations

from collections.abc import Sequence

from bot.charts.style import (
    BLUE,
    GREEN,
    GREY,
    INK,
    MENTORED,
    OTHERS,
    PURPLE,
    SKY,
    VERMILLION,
    Chart,
    legend_below,
    new_figure,
    not_enough,
    note,
    titled,
)
from bot.services.analytics import (
    GroupStats,
    MonthSessions,
    RampComparison,
    Satisfaction,
    SessionFrequency,
    Workload,
)

#: Beyond this a median ramp is implausible (a mistyped hire date, most likely).
ABSURD_RAMP_DAYS = 2 * 365
RAMP = "ramp"
RAMP_BY_QUARTER = "ramp_by_quarter"
WORKLOAD = "workload"
SESSIONS = "sessions"
SATISFACTION = "satisfaction"


def _drawable(stats: GroupStats, min_sample: int) -> bool:
    return stats.median_days is not None and stats.reached >= min_sample


def ramp_chart(ramp: RampComparison) -> Chart:
    """(a) Median days from hire to each milestone, with the middle half of hires as
    whiskers, mentored hires against others."""
    title = "Days from hire to each ramp milestone: mentored vs other hires"
    rows = ramp.milestones
    if not rows or not any(
        _drawable(r.mentored, ramp.min_sample) or _drawable(r.not_mentored, ramp.min_sample)
        for r in rows
    ):
        return not_enough(
            RAMP, title, f"a milestone needs {ramp.min_sample} hires who reached it in a group"
        )
    figure, (ax,) = new_figure(left=0.28)
    names = [r.milestone_name for r in rows]
    positions = list(range(len(rows)))
    height = 0.38
    first = rows[0]
    for offset, side, style, label in (
        (-height / 2, "mentored", MENTORED, f"Mentored hires (n={first.mentored.hires})"),
        (height / 2, "not_mentored", OTHERS, f"Other hires (n={first.not_mentored.hires})"),
    ):
        groups: list[GroupStats] = [getattr(r, side) for r in rows]
        widths = [g.median_days if _drawable(g, ramp.min_sample) else 0.0 for g in groups]
        bars = ax.barh(
            [p + offset for p in positions],
            widths,
            height=height,
            color=style["color"],
            hatch=style["hatch"],
            edgecolor=INK,
            linewidth=0.5,
            label=label,
            gid=side,
        )
        spread = [
            (bar, g) for bar, g in zip(bars, groups, strict=True) if _drawable(g, ramp.min_sample)
        ]
        if spread:
            # Whiskers over the middle half of the hires who reached the milestone.
            ax.errorbar(
                [g.median_days for _bar, g in spread],
                [bar.get_y() + bar.get_height() / 2 for bar, _g in spread],
                xerr=[
                    [g.median_days - (g.p25_days or g.median_days) for _b, g in spread],
                    [(g.p75_days or g.median_days) - g.median_days for _b, g in spread],
                ],
                fmt="none",
                ecolor=INK,
                elinewidth=1,
                capsize=3,
                gid=f"{side}_spread",
            )
        for bar, group in zip(bars, groups, strict=True):
            text = (
                f" {group.median_days:.0f} d ({group.reached}/{group.hires} reached)"
                if _drawable(group, ramp.min_sample)
                else f" too few to show ({group.reached} reached)"
            )
            ax.text(
                max(bar.get_width(), group.p75_days or 0),
                bar.get_y() + bar.get_height() / 2,
                text,
                va="center",
                fontsize=8,
                color=INK,
            )
    ax.set_yticks(positions, names)
    ax.invert_yaxis()  # the program's first milestone on top
    ax.set_xlabel("Median days from hire date")
    ax.set_ylabel("Ramp milestone")
    ax.margins(x=0.35)
    legend_below(ax)
    longest = max((r.mentored.median_days or 0, r.not_mentored.median_days or 0) for r in rows)
    if max(longest) > ABSURD_RAMP_DAYS:
        note(ax, f"A median over {ABSURD_RAMP_DAYS // 365} years: check hire dates")
    titled(
        figure,
        title,
        "Bars: median days; whiskers: the middle half of hires (25th-75th percentile)\n"
        f"A bar needs {ramp.min_sample} hires who reached the milestone; "
        "hires who have not are counted, not dropped",
    )
    return Chart(RAMP, title, _ramp_alt(ramp), figure)


def _ramp_alt(ramp: RampComparison) -> str:
    fully = ramp.fully_ramped
    if fully is None:
        return "Ramp milestones, mentored vs other hires"
    return (
        f"{fully.milestone_name}: mentored hires median "
        f"{_days(fully.mentored.median_days)}, other hires {_days(fully.not_mentored.median_days)}"
    )


def _days(value: float | None) -> str:
    return "not enough data" if value is None else f"{value:.0f} days"


def cohort_chart(ramp: RampComparison) -> Chart:
    """(b) Median days to fully ramped per hire quarter, mentored against others."""
    final = [r for r in ramp.by_cohort if r.is_final]
    name = final[0].milestone_name if final else "fully ramped"
    title = f"Days to {name} by hire quarter: mentored vs other hires"
    drawable = [
        r
        for r in final
        if _drawable(r.mentored, ramp.min_sample) or _drawable(r.not_mentored, ramp.min_sample)
    ]
    if not drawable:
        return not_enough(
            RAMP_BY_QUARTER,
            title,
            f"a quarter needs {ramp.min_sample} hires who ramped in a group",
        )
    figure, (ax,) = new_figure()
    quarters = [r.cohort for r in drawable]
    for side, style, label in (
        ("mentored", MENTORED, "Mentored hires"),
        ("not_mentored", OTHERS, "Other hires"),
    ):
        groups: list[GroupStats] = [getattr(r, side) for r in drawable]
        points = [
            (q, g) for q, g in zip(quarters, groups, strict=True) if _drawable(g, ramp.min_sample)
        ]
        if not points:
            continue
        total = sum(g.reached for _q, g in points)
        ax.plot(
            [q for q, _g in points],
            [g.median_days for _q, g in points],
            color=style["color"],
            marker=style["marker"],
            linestyle=style["linestyle"],
            linewidth=2,
            markersize=7,
            label=f"{label} (n={total} ramped)",
            gid=side,
        )
        for quarter, group in points:
            ax.annotate(
                f"{group.median_days:.0f} d\nn={group.reached}",
                (quarter, group.median_days),
                textcoords="offset points",
                xytext=(0, 8),
                ha="center",
                fontsize=7.5,
                color=style["color"],
            )
    ax.set_xlabel("Hire quarter")
    ax.set_ylabel("Median days to fully ramped")
    ax.set_ylim(bottom=0)
    ax.margins(y=0.25)
    legend_below(ax)
    left_out = len(final) - len(drawable)
    if left_out:
        note(ax, f"{left_out} quarter(s) with too few ramped hires not shown")
    titled(figure, title, f"A point needs {ramp.min_sample} hires who ramped in its group")
    return Chart(RAMP_BY_QUARTER, title, title, figure)


def workload_chart(workload: Workload) -> Chart:
    """(c) Active mentees against capacity for the busiest mentors, sorted, and how
    many mentors are full, nearly full, partly busy and idle."""
    title = "Mentor workload: active mentees against capacity"
    if not workload.mentors:
        return not_enough(WORKLOAD, title, "nobody has opted in as a mentor")
    figure, (busy_ax, spread_ax) = new_figure(ncols=2, left=0.16, width_ratios=[3, 2])
    loads = workload.busiest
    if loads:
        positions = list(range(len(loads)))
        busy_ax.barh(
            positions,
            [m.capacity for m in loads],
            color="none",
            edgecolor=GREY,
            hatch="..",
            label="Capacity",
            gid="capacity",
        )
        bars = busy_ax.barh(
            positions,
            [m.active for m in loads],
            color=BLUE,
            edgecolor=INK,
            linewidth=0.5,
            label="Active mentees",
            gid="active",
        )
        for bar, load in zip(bars, loads, strict=True):
            full = " full" if load.active >= load.capacity else ""
            busy_ax.text(
                max(load.active, load.capacity),
                bar.get_y() + bar.get_height() / 2,
                f" {load.active}/{load.capacity}{full}",
                va="center",
                fontsize=8,
                color=INK,
            )
        busy_ax.set_yticks(positions, [m.name for m in loads], fontsize=8)
        busy_ax.invert_yaxis()
        busy_ax.margins(x=0.25)
        legend_below(busy_ax)
    else:
        busy_ax.text(0.5, 0.5, "No mentor has an active mentee yet", ha="center", color=INK)
        busy_ax.set_yticks([])
    busy_ax.set_xlabel("Mentees")
    busy_ax.set_title(f"Busiest {len(loads)} of {workload.mentors} mentors", fontsize=10)
    nearly_full = workload.over_80 - workload.full
    partly = workload.mentors - workload.idle - workload.over_80
    spread = [
        ("Full", workload.full, VERMILLION, "xx"),
        (">80 %", nearly_full, PURPLE, "\\\\"),
        ("Room", partly, SKY, ""),
        ("Idle", workload.idle, GREY, ".."),
    ]
    bars = spread_ax.bar(
        [label for label, *_rest in spread],
        [count for _label, count, *_rest in spread],
        color=[colour for _l, _c, colour, _h in spread],
        edgecolor=INK,
        linewidth=0.5,
        gid="spread",
    )
    for bar, (_label, _count, _colour, hatch) in zip(bars, spread, strict=True):
        bar.set_hatch(hatch)
    spread_ax.bar_label(bars, fontsize=8, color=INK)
    spread_ax.set_ylabel("Mentors")
    spread_ax.set_xlabel("Share of capacity taken")
    spread_ax.tick_params(axis="x", labelsize=8)
    spread_ax.set_title("All mentors", fontsize=10)
    utilisation = "—" if workload.utilisation is None else f"{workload.utilisation:.0%}"
    titled(
        figure,
        title,
        f"{workload.active_mentees} active mentees in {workload.capacity} seats ({utilisation})",
    )
    return Chart(
        WORKLOAD,
        title,
        f"{title}: {workload.full} full, {workload.idle} idle of {workload.mentors} mentors",
        figure,
    )


def sessions_chart(
    monthly: Sequence[MonthSessions], sessions: SessionFrequency, target: float
) -> Chart:
    """(d) Sessions attended per month, and session completion against its target."""
    title = "Sessions per month and completion against the target"
    if not sessions.expected and not any(m.sessions for m in monthly):
        return not_enough(
            SESSIONS, title, "no mentorship has been active for a full check-in period"
        )
    if monthly:
        figure, (month_ax, rate_ax) = new_figure(ncols=2, width_ratios=[3, 1])
        bars = month_ax.bar(
            [m.month for m in monthly],
            [m.sessions for m in monthly],
            color=GREEN,
            edgecolor=INK,
            linewidth=0.5,
            gid="monthly",
        )
        month_ax.bar_label(bars, fontsize=7.5, color=INK)
        month_ax.tick_params(axis="x", labelrotation=45, labelsize=7.5)
        month_ax.set_xlabel("Month (UTC)")
        month_ax.set_ylabel("Sessions attended")
        month_ax.set_title("Sessions attended per month", fontsize=10)
    else:
        # A team's or a mentor's figures have no monthly series: completion alone.
        title = "Session completion against the target"
        figure, (rate_ax,) = new_figure(left=0.35, right=0.65)
    rate = sessions.completion_rate
    if rate is None:
        rate_ax.text(0.5, 0.5, "Completion:\nnot enough\ndata yet", ha="center", color=INK)
        rate_ax.set_axis_off()
    else:
        bars = rate_ax.bar(
            ["Completion"],
            [rate * 100],
            color=BLUE if rate >= target else VERMILLION,
            hatch="" if rate >= target else "xx",
            edgecolor=INK,
            linewidth=0.5,
            gid="completion",
        )
        rate_ax.bar_label(bars, labels=[f"{rate:.0%}"], fontsize=9, color=INK)
        rate_ax.axhline(target * 100, color=INK, linestyle="--", linewidth=1.2, gid="target")
        rate_ax.text(0.45, target * 100, f" target {target:.0%}", va="bottom", fontsize=8)
        rate_ax.set_ylim(0, max(105, rate * 100 + 10))
        rate_ax.set_ylabel("% of expected sessions")
        rate_ax.set_title(f"{sessions.completed} of {sessions.expected} expected", fontsize=10)
    titled(figure, title, "Expected sessions follow each mentorship's agreed cadence")
    completion = "not enough data" if rate is None else f"{rate:.0%}"
    return Chart(SESSIONS, title, f"{title}: completion {completion}, target {target:.0%}", figure)


def satisfaction_chart(satisfaction: Satisfaction) -> Chart:
    """(e) How many mentee and mentor ratings gave each score, 1 to 5."""
    title = "Satisfaction: ratings from mentees and mentors (1-5)"
    if not satisfaction.mentee_ratings and not satisfaction.mentor_ratings:
        return not_enough(SATISFACTION, title, "nobody has rated a mentorship")
    figure, (ax,) = new_figure()
    scores = [1, 2, 3, 4, 5]
    width = 0.38
    for offset, counts, style, who, average, total in (
        (
            -width / 2,
            satisfaction.mentee_counts,
            MENTORED,
            "Mentee ratings",
            satisfaction.mentee_average,
            satisfaction.mentee_ratings,
        ),
        (
            width / 2,
            satisfaction.mentor_counts,
            OTHERS,
            "Mentor ratings",
            satisfaction.mentor_average,
            satisfaction.mentor_ratings,
        ),
    ):
        mean = "" if average is None else f", average {average:.2f}"
        bars = ax.bar(
            [s + offset for s in scores],
            list(counts),
            width=width,
            color=style["color"],
            hatch=style["hatch"],
            edgecolor=INK,
            linewidth=0.5,
            label=f"{who} (n={total}{mean})",
            gid=who,
        )
        ax.bar_label(bars, fontsize=8, color=INK)
    ax.set_xticks(scores, [f"{s} ★" for s in scores])
    ax.set_xlabel("Rating")
    ax.set_ylabel("Number of ratings")
    ax.margins(y=0.15)
    legend_below(ax)
    titled(figure, title)
    return Chart(
        SATISFACTION,
        title,
        f"{title}: mentees average {_rating(satisfaction.mentee_average)}, "
        f"mentors {_rating(satisfaction.mentor_average)}",
        figure,
    )


def _rating(value: float | None) -> str:
    return "not enough data" if value is None else f"{value:.2f} of 5"
