"""A manager's reports and a mentor's own figures: what each may see, nobody else's."""

from __future__ import annotations

from bot.blocks import kit
from bot.blocks import response_times as response_blocks
from bot.blocks.analytics.circles import circle_blocks
from bot.blocks.analytics.formatting import (
    NOT_ENOUGH,
    Images,
    group_cell,
    images_of,
    pct,
    pct_or_wait,
    rating,
    rating_or_wait,
    when,
)
from bot.blocks.analytics.program import coverage_blocks
from bot.services.analytics import (
    ManagerReport,
    MentorReport,
    ReportStatus,
)


def manager_report(report: ManagerReport, images: Images | None = None) -> list[kit.Block]:
    """A manager's reports: coverage, each one's mentorship status and aggregates;
    statuses and counts only, never what was said in a session; their team's charts."""
    blocks: list[kit.Block] = [
        kit.header("Your reports' mentorships"),
        kit.context(
            f"{report.reports} people report to you (directly or below) · statuses and counts "
            "only; session notes stay between mentor and mentee"
        ),
        *coverage_blocks(report.coverage, whose="new hires on your team"),
    ]
    if report.statuses:
        blocks.append(kit.section("\n".join(status_line(s) for s in report.statuses)))
    else:
        blocks.append(
            kit.section("Not enough data yet: none of your reports is in the program yet.")
        )
    fully = report.ramp.fully_ramped
    ramp_text = NOT_ENOUGH
    if fully is not None and (fully.mentored.reached or fully.not_mentored.reached):
        ramp_text = (
            f"mentored {group_cell(fully.mentored)}, others {group_cell(fully.not_mentored)}"
        )
    blocks.append(
        kit.fields(
            f"*Session completion*\n{pct_or_wait(report.sessions.completion_rate)}"
            f" ({report.sessions.completed} of {report.sessions.expected})",
            f"*Mentee rating*\n{rating_or_wait(report.satisfaction.mentee_average)}"
            f" ({report.satisfaction.mentee_ratings} ratings)",
            f"*Days to fully ramped*\n{ramp_text}",
        )
    )
    return blocks + images_of(images, "team_ramp", "team_sessions", "team_satisfaction")


FLAG_WORDS = {"on_track": "on track", "at_risk": ":warning: at risk"}


def status_line(status: ReportStatus) -> str:
    if status.status is None:
        mentorship = ":warning: no mentor yet"
    else:
        mentor = f"mentor *{kit.escape(status.mentor_name or 'unknown')}*"
        mentorship = f"{mentor}, {status.status}"
        if status.sessions_expected or status.sessions_logged:
            mentorship += f" · sessions {status.sessions_logged}/{status.sessions_expected}"
    parts = [f"*{kit.escape(status.name)}* ({when(status.hire_date)}) — {mentorship}"]
    if status.milestones_total:
        parts.append(f"milestones {status.milestones_achieved}/{status.milestones_total}")
    if status.progress_flag in FLAG_WORDS:
        parts.append(FLAG_WORDS[status.progress_flag])
    return " · ".join(parts)


def mentor_report(report: MentorReport, images: Images | None = None) -> list[kit.Block]:
    """A mentor's own figures beside the program's; nobody else's."""
    score = report.score
    standing = (
        f"{score.score:.0f}/100, #{score.rank} of {report.ranked} "
        f"(from {score.mentorships} mentorships)"
        if score is not None
        else f"{NOT_ENOUGH}: no mentorship has started"
        if report.ranked
        else "not ranked yet"
    )
    return [
        kit.header("Your mentoring"),
        kit.fields(
            f"*Active mentees*\n{report.active} of {report.capacity}",
            f"*Session completion*\n{pct_or_wait(report.sessions.completion_rate)} "
            f"(program {pct(report.program_completion)})",
            f"*Mentee rating*\n{rating_or_wait(report.satisfaction.mentee_average)} "
            f"({report.satisfaction.mentee_ratings} ratings; program "
            f"{rating(report.program_mentee_average)})",
            f"*Effectiveness*\n{standing}",
        ),
        *images_of(images, "my_figures"),
        *circle_blocks(report.circles, whose="Your topic circles"),
        *response_blocks.mentor_blocks(report.response_times),
        kit.context("Only you see your own figures and ranking."),
    ]
