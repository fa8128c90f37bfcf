"""Block Kit for the analytics: each PRD success metric against its target, with
honest sample sizes, and "not enough data yet" wherever a figure would be a guess."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from bot.blocks import kit
from bot.services.analytics import (
    Coverage,
    Dashboard,
    Effectiveness,
    GroupStats,
    ManagerReport,
    MentorReport,
    Metric,
    ProgramHeadlines,
    ProgramReport,
    RampComparison,
    RampRow,
    ReportStatus,
    Satisfaction,
    SessionFrequency,
    Workload,
)

NOT_ENOUGH = "not enough data yet"
#: Rows of a table that fit a section (3000 characters) with room to spare.
TABLE_ROWS = 20


# -- small formatters -----------------------------------------------------------------------
def pct(value: float | None, digits: int = 0) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def rating(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}/5"


def days(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} d"


def signed_pct(value: float | None) -> str:
    return "—" if value is None else f"{value:+.0f}%"


def when(day: date | None) -> str:
    return day.strftime("%-d %b %Y") if day else "no hire date"


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


# -- the program (admins) -------------------------------------------------------------------
def metrics_fields(metrics: Sequence[Metric]) -> kit.Block:
    return kit.fields(
        *[
            f"*{m.name}*\n{metric_mark(m)} {metric_value(m)} · target {metric_target(m)}\n"
            f"_{m.sample}_"
            for m in metrics
        ]
    )


def program_summary(headlines: ProgramHeadlines) -> list[kit.Block]:
    """The success metrics at a glance (the top of the report, and the admin's App Home)."""
    return [
        kit.header("Program analytics"),
        kit.context(
            f"As of {when(headlines.as_of)} · {headlines.hires} hires in the ramp program · "
            f"{headlines.mentors} mentors · {headlines.sessions_logged} sessions logged"
        ),
        kit.section("*Success metrics against the PRD's targets*"),
        metrics_fields(headlines.metrics),
    ]


def program_report(report: ProgramReport) -> list[kit.Block]:
    """The whole program: every FR-5 figure, for admins."""
    return [
        *program_summary(report.headlines),
        kit.divider(),
        *ramp_blocks(report.ramp),
        kit.divider(),
        *workload_blocks(report.workload),
        *session_blocks(report.sessions),
        *satisfaction_blocks(report.satisfaction),
        kit.divider(),
        *effectiveness_blocks(report.effectiveness),
        kit.divider(),
        *coverage_blocks(report.coverage, whose="new hires"),
    ]


def _group_cell(stats: GroupStats) -> str:
    return f"{days(stats.median_days)} ({stats.reached}/{stats.hires})"


def ramp_blocks(ramp: RampComparison, *, cohorts: bool = True) -> list[kit.Block]:
    title = "*Ramp: mentored vs not* (median days from hire; reached / hires)"
    if not ramp.milestones:
        reason = (
            "no ramp milestones are defined yet"
            if ramp.hires
            else "no hires with ramp milestones yet"
        )
        blocks = [kit.section(f"{title}\nNot enough data yet: {reason}.")]
        if ramp.missing_hire_date:
            blocks.append(kit.context(_missing_dates(ramp)))
        return blocks
    rows = [_ramp_cells(r, r.milestone_name) for r in ramp.milestones]
    blocks = [
        kit.section(title),
        kit.section(table(["Milestone", "Mentored", "Others", "Diff"], rows, [24, 14, 14, 7])),
    ]
    fully = ramp.fully_ramped
    notes = []
    if fully is not None:
        notes.append(
            f"Not fully ramped yet (counted, not dropped): {fully.mentored.not_yet} mentored, "
            f"{fully.not_mentored.not_yet} others"
        )
    notes.append(
        f"A difference needs at least {ramp.min_sample} hires who reached the milestone "
        f"in each group; below that it says {NOT_ENOUGH}"
    )
    if ramp.missing_hire_date:
        notes.append(_missing_dates(ramp))
    blocks.append(kit.context(*notes))
    final_rows = [r for r in ramp.by_cohort if r.is_final]
    if cohorts and final_rows:
        blocks.append(
            kit.section(
                f"*{final_rows[0].milestone_name}, by hire cohort*\n"
                + table(
                    ["Cohort", "Mentored", "Others", "Diff"],
                    [_ramp_cells(r, r.cohort) for r in reversed(final_rows)],
                    [9, 14, 14, 7],
                )
            )
        )
    return blocks


def _ramp_cells(row: RampRow, label: str) -> list[str]:
    difference = signed_pct(row.difference_pct) if row.difference_pct is not None else "n/a"
    return [label, _group_cell(row.mentored), _group_cell(row.not_mentored), difference]


def _missing_dates(ramp: RampComparison) -> str:
    return (
        f"{ramp.missing_hire_date} hire(s) have no hire date in the roster and are left out "
        "of ramp figures: add it with `mentorbot users import`"
    )


def workload_blocks(workload: Workload) -> list[kit.Block]:
    title = "*Mentor workload*"
    if not workload.mentors:
        return [kit.section(f"{title}\nNot enough data yet: nobody has opted in as a mentor.")]
    blocks = [
        kit.section(title),
        kit.fields(
            f"*Active mentees / capacity*\n{workload.active_mentees} / {workload.capacity} "
            f"({pct(workload.utilisation)})",
            f"*Mentors*\n{workload.mentors}",
            f"*Full*\n{workload.full}",
            f"*Over 80 %*\n{workload.over_80}",
            f"*Idle*\n{workload.idle}",
        ),
    ]
    if workload.busiest:
        blocks.append(
            kit.context(
                "Busiest: "
                + ", ".join(
                    f"{kit.escape(m.name)} {m.active}/{m.capacity}" for m in workload.busiest
                )
            )
        )
    return blocks


def session_blocks(sessions: SessionFrequency) -> list[kit.Block]:
    title = "*Session frequency*"
    if not sessions.expected and not sessions.logged:
        return [
            kit.section(
                f"{title}\nNot enough data yet: no mentorship has been active for a full "
                "check-in period."
            )
        ]
    group = (
        f"{sessions.group_sessions} sessions, {pct(sessions.attendance_rate)} of "
        f"{sessions.group_seats} seats attended"
        if sessions.group_seats
        else "none yet"
    )
    per_month = sessions.per_mentorship_month
    return [
        kit.section(title),
        kit.fields(
            f"*Completion rate*\n{pct(sessions.completion_rate)} "
            f"({sessions.completed} of {sessions.expected} expected by cadence)",
            f"*Sessions per mentorship per month*\n"
            f"{'—' if per_month is None else f'{per_month:.1f}'} "
            f"({sessions.mentorships} mentorships)",
            f"*Group sessions*\n{group}",
        ),
    ]


def satisfaction_blocks(satisfaction: Satisfaction) -> list[kit.Block]:
    return [
        kit.section("*Satisfaction*"),
        kit.fields(
            f"*Mentee rating*\n{_rating_or_wait(satisfaction.mentee_average)} "
            f"({satisfaction.mentee_ratings} ratings)",
            f"*Mentor satisfaction*\n{_rating_or_wait(satisfaction.mentor_average)} "
            f"({satisfaction.mentor_ratings} ratings)",
        ),
    ]


def _rating_or_wait(value: float | None) -> str:
    return NOT_ENOUGH if value is None else rating(value)


def effectiveness_blocks(effectiveness: Effectiveness) -> list[kit.Block]:
    title = "*Mentor effectiveness ranking*"
    if not effectiveness.mentors:
        return [kit.section(f"{title}\nNot enough data yet: no mentorship has started.")]
    rows = [
        [
            str(m.rank),
            m.name,
            f"{m.score:.0f}",
            str(m.mentorships),
            f"{rating(m.average_rating)} ({m.ratings})",
            pct(m.completion),
            f"{signed_pct(None if m.ramp_gain is None else m.ramp_gain * 100)} ({m.ramped})",
        ]
        for m in effectiveness.mentors
    ]
    return [
        kit.section(
            f"{title} (top {len(rows)} of {effectiveness.ranked})\n"
            + table(
                ["#", "Mentor", "Score", "n", "Rating", "Sessions", "Ramp"],
                rows,
                [3, 18, 5, 3, 11, 8, 10],
            )
        ),
        kit.context(_effectiveness_note(effectiveness)),
    ]


def _effectiveness_note(effectiveness: Effectiveness) -> str:
    baseline = (
        f"the non-mentored median of {days(effectiveness.baseline_days)}"
        if effectiveness.baseline_days
        else f"non-mentored hires ({NOT_ENOUGH}, so ramp counts the same for everyone)"
    )
    return (
        "Score 0-100 from mentee ratings, session completion and how much sooner mentees "
        f"ramped than {baseline}. n = mentorships; each mentor starts with "
        f"{effectiveness.prior_mentorships} pseudo-mentorships at the program average, "
        "so a small sample can't top or sink the list."
    )


def coverage_blocks(coverage: Coverage, *, whose: str) -> list[kit.Block]:
    title = "*Coverage*"
    if not coverage.new_hires:
        return [
            kit.section(
                f"{title}\nNot enough data yet: no {whose} hired in the last "
                f"{coverage.window_days} days."
            )
        ]
    line = (
        f"{title}\n{pct(coverage.rate)}: {coverage.covered} of {coverage.new_hires} {whose} "
        f"(hired in the last {coverage.window_days} days) have a mentor: a mentorship "
        "asked for, running or completed."
    )
    missing = coverage.new_hires - coverage.covered
    if not missing:
        return [kit.section(line + " Everyone is covered.")]
    names = [
        f"*{kit.escape(h.name)}* ({when(h.hire_date)}"
        + (f", manager {kit.escape(h.manager_name)})" if h.manager_name else ")")
        for h in coverage.without_mentor
    ]
    return [kit.section(f"{line}\nWithout a mentor: {names_list(names, missing)}")]


# -- a manager's reports ----------------------------------------------------------------------
def manager_report(report: ManagerReport) -> list[kit.Block]:
    """A manager's reports: coverage, each one's mentorship status and aggregates;
    statuses and counts only, never what was said in a session."""
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
            f"mentored {_group_cell(fully.mentored)}, others {_group_cell(fully.not_mentored)}"
        )
    blocks.append(
        kit.fields(
            f"*Session completion*\n{_pct_or_wait(report.sessions.completion_rate)}"
            f" ({report.sessions.completed} of {report.sessions.expected})",
            f"*Mentee rating*\n{_rating_or_wait(report.satisfaction.mentee_average)}"
            f" ({report.satisfaction.mentee_ratings} ratings)",
            f"*Days to fully ramped*\n{ramp_text}",
        )
    )
    return blocks


def _pct_or_wait(value: float | None) -> str:
    return NOT_ENOUGH if value is None else pct(value)


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


# -- a mentor's own figures -------------------------------------------------------------------
def mentor_report(report: MentorReport) -> list[kit.Block]:
    """A mentor's own figures beside the program's; nobody else's."""
    score = report.score
    standing = (
        f"{score.score:.0f}/100, #{score.rank} of {report.ranked} "
        f"(from {score.mentorships} mentorships)"
        if score is not None
        else f"{NOT_ENOUGH}: no mentorship has started"
    )
    return [
        kit.header("Your mentoring"),
        kit.fields(
            f"*Active mentees*\n{report.active} of {report.capacity}",
            f"*Session completion*\n{_pct_or_wait(report.sessions.completion_rate)} "
            f"(program {pct(report.program_completion)})",
            f"*Mentee rating*\n{_rating_or_wait(report.satisfaction.mentee_average)} "
            f"({report.satisfaction.mentee_ratings} ratings; program "
            f"{rating(report.program_mentee_average)})",
            f"*Effectiveness*\n{standing}",
        ),
        kit.context("Only you see your own figures and ranking."),
    ]


# -- the whole answer to `/mentor analytics` --------------------------------------------------
def dashboard(board: Dashboard) -> tuple[str, list[kit.Block]]:
    """Text and blocks for what this person may see."""
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
            blocks.extend(build(report))
    return "Mentorship analytics", blocks[: kit.MAX_BLOCKS_MESSAGE]


WHO_SEES = (
    "analytics show the whole program to admins, their reports' mentorships to managers "
    "and their own figures to mentors, and you have none of these roles yet."
)


def home_program(headlines: ProgramHeadlines) -> list[kit.Block]:
    """The admin's App Home section: the success metrics and where to see more."""
    return [
        *program_summary(headlines),
        kit.context(
            "Type `/mentor analytics` for ramp by cohort, workload, sessions, the mentor "
            "ranking and who has no mentor yet."
        ),
    ]
