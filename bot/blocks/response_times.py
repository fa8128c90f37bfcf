"""The Mentor Role's response-time standards in `/mentor analytics`: each mentor's
share met and median time per standard (admins see every mentor, a mentor their own)."""

from __future__ import annotations

from bot.blocks import kit
from bot.services.analytics.response_times import MentorResponseTimes, Standard

MENTORS_SHOWN = 15
HEADING = "*Response times* (Mentor Role standards, last 90 days: share met, median)"


def _cell(standard: Standard) -> str:
    if not standard.responses:
        return f"{standard.name.lower()} —"
    return (
        f"{standard.name.lower()} {standard.met_rate:.0%} of {standard.responses} "
        f"({standard.median_hours:g} h)"
    )


def _line(mentor: MentorResponseTimes) -> str:
    return " · ".join(_cell(s) for s in mentor.standards)


def standards_note(mentor: MentorResponseTimes) -> str:
    return ", ".join(f"{s.name.lower()} {s.target_hours} h" for s in mentor.standards)


def program_blocks(mentors: list[MentorResponseTimes]) -> list[kit.Block]:
    """Every mentor, the furthest from the standards first."""
    if not mentors:
        return [kit.section(f"{HEADING}\nNothing to measure yet.")]
    worst_first = sorted(
        mentors, key=lambda m: (m.met_rate if m.met_rate is not None else 1.0, m.name)
    )
    lines = [f"*{kit.escape(m.name)}*: {_line(m)}" for m in worst_first[:MENTORS_SHOWN]]
    if len(mentors) > MENTORS_SHOWN:
        lines.append(f"…and {len(mentors) - MENTORS_SHOWN} more (`mentorbot analytics --json`).")
    return [
        kit.section(HEADING + "\n" + "\n".join(lines)),
        kit.context(f"Standards: {standards_note(mentors[0])}."),
    ]


def mentor_blocks(mine: MentorResponseTimes | None) -> list[kit.Block]:
    """A mentor's own figures."""
    if mine is None:
        return [kit.context("Response times: nothing to measure yet.")]
    return [
        kit.section(f"*Your response times* (last 90 days)\n{_line(mine)}"),
        kit.context(f"Standards: {standards_note(mine)}."),
    ]
