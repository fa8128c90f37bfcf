"""The whole program's analytics (admins): the success metrics, ramp, workload,
sessions, satisfaction, the ranking and coverage, each chart beside its figures,
and the admin's App Home section."""

from __future__ import annotations

from collections.abc import Sequence

from bot.blocks import kit
from bot.blocks import response_times as response_blocks
from bot.blocks.analytics.circles import circle_blocks, host_lines
from bot.blocks.analytics.formatting import (
    NOT_ENOUGH,
    Images,
    days,
    group_cell,
    images_of,
    metric_mark,
    metric_target,
    metric_value,
    names_list,
    pct,
    rating,
    rating_or_wait,
    signed_pct,
    table,
    when,
)
from bot.services.analytics import (
    Coverage,
    Effectiveness,
    Metric,
    MonthSessions,
    ProgramHeadlines,
    ProgramReport,
    RampComparison,
    RampRow,
    Satisfaction,
    SessionFrequency,
    Workload,
)


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
        kit.section("*Success metrics against the program's targets*"),
        metrics_fields(headlines.metrics),
    ]


def program_report(report: ProgramReport, images: Images | None = None) -> list[kit.Block]:
    """The whole program: every FR-5 figure, for admins, each chart (when given)
    right after the figures it pictures."""

    def beside(*keys: str) -> list[kit.Block]:
        return images_of(images, *keys)

    return [
        *program_summary(report.headlines),
        kit.divider(),
        *ramp_blocks(report.ramp),
        *beside("ramp", "ramp_by_quarter"),
        kit.divider(),
        *workload_blocks(report.workload),
        *beside("workload"),
        *session_blocks(report.sessions),
        *monthly_blocks(report.sessions_by_month),
        *beside("sessions"),
        *circle_blocks(report.circles),
        *satisfaction_blocks(report.satisfaction),
        *beside("satisfaction"),
        kit.divider(),
        *effectiveness_blocks(report.effectiveness),
        *response_blocks.program_blocks(report.response_times),
        kit.divider(),
        *coverage_blocks(report.coverage, whose="new hires"),
        *reverse_blocks(report.reverse_mentorships),
    ]


def reverse_blocks(count: int) -> list[kit.Block]:
    """Reverse mentorships, counted apart (nothing when there are none)."""
    if not count:
        return []
    return [
        kit.context(
            f"*Reverse mentorships: {count}* (a newer hire teaches a veteran a topic), "
            "counted apart: not in the ramp comparison nor the new-hire coverage."
        )
    ]


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
    return [label, group_cell(row.mentored), group_cell(row.not_mentored), difference]


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
    return blocks + host_lines(workload.circle_hosts)


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


def monthly_blocks(months: Sequence[MonthSessions]) -> list[kit.Block]:
    """Sessions attended per calendar month, the current one last."""
    if not any(m.sessions for m in months):
        return []
    return [
        kit.context(
            "Sessions attended per month (UTC): "
            + " · ".join(f"{m.month} {m.sessions}" for m in months)
        )
    ]


def satisfaction_blocks(satisfaction: Satisfaction) -> list[kit.Block]:
    return [
        kit.section("*Satisfaction*"),
        kit.fields(
            f"*Mentee rating*\n{rating_or_wait(satisfaction.mentee_average)} "
            f"({satisfaction.mentee_ratings} ratings)",
            f"*Mentor satisfaction*\n{rating_or_wait(satisfaction.mentor_average)} "
            f"({satisfaction.mentor_ratings} ratings)",
        ),
    ]


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


def home_program(headlines: ProgramHeadlines) -> list[kit.Block]:
    """The admin's App Home section: the success metrics and where to see more."""
    return [
        *program_summary(headlines),
        kit.context(
            "Type `/mentor analytics` for ramp by cohort, workload, sessions, the mentor "
            "ranking and who has no mentor yet."
        ),
    ]


def home_program_pending() -> list[kit.Block]:
    """The admin's App Home section before the program's figures were first stored."""
    return [kit.header("Program analytics")]


def home_program_with(section: list[kit.Block], images: Images) -> list[kit.Block]:
    """The admin's App Home section with the ramp chart beside the headlines (after
    the success metrics, before the pointer to the full report)."""
    return section[:-1] + images_of(images, "ramp") + section[-1:]
