"""Topic circles in the analytics: their sessions and attendance (apart from the 1:1
figures) and the circles each mentor hosts (beside the 1:1 workload)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.blocks import kit
from bot.blocks.analytics.formatting import pct
from bot.services.analytics.circles import CircleFigures, CircleHost


def circle_blocks(circles: CircleFigures, *, whose: str = "Topic circles") -> list[kit.Block]:
    """Circles open, members, circle sessions, attendance and sessions per month; nothing
    when there has never been a circle session nor an open circle."""
    if not circles.sessions and not circles.open_circles:
        return []
    attendance = (
        f"{pct(circles.attendance_rate)} ({circles.attended} of {circles.places} member places)"
        if circles.places
        else "no session logged yet"
    )
    blocks: list[kit.Block] = [
        kit.section(f"*{whose}* (group sessions by topic, counted apart from 1:1 sessions)"),
        kit.fields(
            f"*Open circles*\n{circles.open_circles} ({circles.members} members)",
            f"*Circle sessions*\n{circles.sessions}",
            f"*Circle attendance*\n{attendance}",
        ),
    ]
    if any(m.sessions for m in circles.by_month):
        blocks.append(
            kit.context(
                "Circle sessions per month: "
                + " · ".join(f"{m.month} {m.sessions}" for m in circles.by_month)
            )
        )
    return blocks


def host_lines(hosts: Sequence[CircleHost]) -> list[kit.Block]:
    """Who hosts circles, beside the 1:1 workload (circles take no 1:1 capacity)."""
    if not hosts:
        return []
    return [
        kit.context(
            "Topic circles hosted (not counted against capacity): "
            + ", ".join(
                f"{kit.escape(h.name)} {h.circles} circle(s), {h.members} members" for h in hosts
            )
        )
    ]
