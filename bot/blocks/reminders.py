"""The reminder DMs: one pure builder per kind of `Due`, returning (fallback text, blocks)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from bot.blocks import actions as ids
from bot.blocks import dates, kit, questions, scheduling
from bot.blocks import term as term_blocks
from bot.services.reminders import Due

Rendered = tuple[str, list[kit.Block]]
REPORTS_PER_SECTION = 8
EVIDENCE_PREVIEW = 500


def _in_days(days: int) -> str:
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days > 0:
        return f"in {days} days"
    return "yesterday" if days == -1 else f"{-days} days ago"


def _hours(hours: int) -> str:
    return "1 hour" if hours == 1 else f"{hours} hours"


def checkin(due: Due) -> Rendered:
    f = due.facts
    other = kit.escape(f["other_name"])
    text = f"Time for your {f['cadence']} check-in with {f['other_name']}"
    if f["last_session"]:
        since = f"Your last logged session was on {dates.day(f['last_session'])}."
    else:
        since = f"No session logged yet since you started on {dates.day(f['start_date'])}."
    return text, [
        kit.section(f":wave: Time for your *{f['cadence']}* check-in with *{other}*. {since}"),
        *_week_topics(f.get("week"), f.get("topics") or []),
        kit.context(
            "Met already? Log it and the next nudge waits a full cadence period. "
            "Or put the next session in both calendars now."
        ),
        kit.actions(
            kit.button("Log session", ids.LOG_SESSION, f["assignment_id"], style="primary"),
            kit.button("Schedule next session", ids.SCHEDULE_OPEN, f["assignment_id"]),
            kit.button("Snooze a week", ids.SNOOZE_WEEK, f["assignment_id"]),
        ),
    ]


def _week_topics(week: int | None, topics: list[list[str | None]]) -> list[kit.Block]:
    """The curriculum's suggested topics for this week of the mentorship, if any."""
    if not topics:
        return []
    lines = [f"• {kit.link_or_text(title or '', url)}" for title, url in topics[:10]]
    return [kit.section(f"*Suggested topics for week {week}*\n" + "\n".join(lines))]


def _choice(primary: tuple[str, str], other: tuple[str, str], value: str) -> kit.Block:
    """The two buttons of a nudge: the thing to do (highlighted) and the alternative."""
    return kit.actions(
        kit.button(primary[0], primary[1], value, style="primary"),
        kit.button(other[0], other[1], value),
    )


def request_pending(due: Due) -> Rendered:
    f = due.facts
    asker = f"*{kit.escape(f['manager_name'])}*" if f.get("manager_name") else "Your program"
    mentee = kit.escape(f["mentee_name"])
    text = f"Waiting for your answer: mentor {f['mentee_name']}?"
    return text, [
        kit.section(
            f":hourglass_flowing_sand: {asker} asked you to mentor *{mentee}* "
            f"{_hours(f['hours_waiting'])} ago and is waiting for your answer "
            f"({f['cadence']} check-ins from {dates.day(f['start_date'])})."
        ),
        kit.context(
            "Requests are answered within 48 hours; after that the manager is offered "
            "another mentor."
        ),
        _choice(("Accept", ids.ACCEPT), ("Decline", ids.DECLINE), f["assignment_id"]),
    ]


def review_waiting(due: Due) -> Rendered:
    f = due.facts
    mentee, milestone = kit.escape(f["mentee_name"]), kit.escape(f["milestone_name"])
    text = f"{f['mentee_name']}'s {f['milestone_name']} is waiting for your review"
    evidence = kit.truncate(f.get("evidence") or "", EVIDENCE_PREVIEW)
    blocks = [
        kit.section(
            f":inbox_tray: *{mentee}* submitted *{milestone}* for your review "
            f"{_hours(f['hours_waiting'])} ago."
        ),
    ]
    if evidence:
        blocks.append(kit.section("> " + kit.escape(evidence).replace("\n", "\n> ")))
    blocks += [
        kit.context("Reviews are expected within 24-48 hours; after 48 the program lead is told."),
        _choice(
            ("Approve", ids.MILESTONE_APPROVE),
            ("Request changes", ids.MILESTONE_REQUEST_CHANGES),
            f["submission_id"],
        ),
    ]
    return text, blocks


def review_escalation(due: Due) -> Rendered:
    f = due.facts
    text = f"A milestone review is overdue: {f['mentee_name']}'s {f['milestone_name']}"
    blocks = [
        kit.section(
            f":rotating_light: *{kit.escape(f['mentee_name'])}*'s submission for "
            f"*{kit.escape(f['milestone_name'])}* has waited {_hours(f['hours_waiting'])} for "
            f"*{kit.escape(f['mentor_name'])}*'s review; the standard is 48 hours."
        ),
        kit.context(
            "You get this because you are a program admin. Perhaps check in with the mentor."
        ),
    ]
    return text, blocks


def _milestone_subject(due: Due) -> str:
    f = due.facts
    milestone = f"*{kit.escape(f['milestone_name'])}*"
    if f["role"] == "mentor":
        return f"*{kit.escape(f['mentee_name'])}*'s milestone {milestone}"
    return f"Your milestone {milestone}"


def milestone_soon(due: Due) -> Rendered:
    f = due.facts
    when = _in_days(f["days_left"])
    text = f"{f['milestone_name']} is due {when}"
    blocks = [
        kit.section(
            f":calendar: {_milestone_subject(due)} is due {when} ({dates.day(f['target_date'])})."
        )
    ]
    if f["role"] == "mentee":
        blocks.append(kit.actions(kit.button("Submit", ids.MILESTONE_SUBMIT, f["milestone_id"])))
    return text, blocks


def milestone_overdue(due: Due) -> Rendered:
    f = due.facts
    text = f"{f['milestone_name']} is overdue"
    blocks = [
        kit.section(
            f":warning: {_milestone_subject(due)} was due {dates.day(f['target_date'])} "
            f"({_in_days(f['days_left'])}) and isn't achieved yet."
        ),
        kit.context(
            "Agree a new date with your mentor, or submit it when it's done."
            if f["role"] == "mentee"
            else "A word with your mentee may help."
        ),
    ]
    if f["role"] == "mentee":
        blocks.append(kit.actions(kit.button("Submit", ids.MILESTONE_SUBMIT, f["milestone_id"])))
    return text, blocks


def _action_item(due: Due, headline: str) -> Rendered:
    f = due.facts
    blocks = [
        kit.section(
            f"{headline} (from a session with *{kit.escape(f['other_name'])}*):\n"
            f"> {kit.escape(f['item'])}"
        ),
        kit.actions(kit.button("Done", ids.ACTION_ITEM_DONE, f"{f['session_id']}:{f['item_id']}")),
    ]
    return f"{headline}: {f['item']}", blocks


def item_tomorrow(due: Due) -> Rendered:
    return _action_item(due, f":pushpin: Action item due tomorrow, {dates.day(due.facts['due'])}")


def item_overdue(due: Due) -> Rendered:
    return _action_item(due, f":warning: Action item overdue since {dates.day(due.facts['due'])}")


def _report_line(report: dict[str, Any]) -> str:
    name = f"*{kit.escape(report['name'])}*"
    if report["status"] == "no mentor":
        hired = f" (hired {dates.day(report['hire_date'])})" if report["hire_date"] else ""
        return f"{name}{hired}: no mentor yet"
    mentor = kit.escape(report["mentor_name"] or "")
    if report["status"] == "pending":
        return f"{name}: waiting for {mentor} to accept"
    if report["status"] == "completed":
        parts = [f"{name}: mentorship with {mentor} completed"]
    else:
        parts = [f"{name}: mentored by {mentor}"]
        sessions = report["sessions_this_week"]
        parts.append(f"{sessions} session{'s' if sessions != 1 else ''} this week")
    if report["last_session"]:
        parts.append(f"last {dates.day(report['last_session'])}")
    if report["milestones_total"]:
        milestones = f"milestones {report['milestones_achieved']}/{report['milestones_total']}"
        if report["milestones_overdue"]:
            milestones += f" ({report['milestones_overdue']} overdue)"
        parts.append(milestones)
    if report["progress_flag"] == "at_risk":
        parts.append(":warning: at risk")
    elif report["progress_flag"] == "on_track":
        parts.append("on track")
    return " · ".join(parts)


def digest_manager(due: Due) -> Rendered:
    reports = due.facts["reports"]
    blocks = [kit.header(f"Your team's mentorships, week {due.facts['week'][-2:]}")]
    for start in range(0, len(reports), REPORTS_PER_SECTION):
        chunk = reports[start : start + REPORTS_PER_SECTION]
        blocks.append(kit.section("\n".join(_report_line(r) for r in chunk)))
    blocks = blocks[: kit.MAX_BLOCKS_MESSAGE - 1]
    blocks.append(kit.context("Status only: what mentors and mentees discuss stays between them."))
    return f"Your team's mentorships this week ({len(reports)} people)", blocks


ADMIN_FIGURES = (
    ("active_mentorships", "Active mentorships"),
    ("pending_requests", "Requests waiting for a mentor"),
    ("active_mentors", "Active mentors"),
    ("mentors_with_room", "Mentors with a free slot"),
    ("sessions_this_week", "Sessions logged in 7 days"),
    ("new_hires_without_mentor", "New hires without a mentor"),
    ("reviews_waiting", "Milestone reviews waiting"),
    ("milestones_overdue", "Milestones overdue"),
)


def digest_admin(due: Due) -> Rendered:
    f = due.facts
    blocks = [
        kit.header(f"Mentorship program, week {f['week'][-2:]}"),
        kit.fields(*(f"*{label}*\n{f[key]}" for key, label in ADMIN_FIGURES)),
        kit.context("`/mentor analytics` has the full picture."),
    ]
    text = (
        f"Program this week: {f['active_mentorships']} active mentorships, "
        f"{f['new_hires_without_mentor']} new hires without a mentor"
    )
    return text, blocks


#: Due.kind -> builder. Every DM kind a finder yields has one.
RENDERERS: dict[str, Callable[[Due], Rendered]] = {
    "checkin": checkin,
    "request_pending": request_pending,
    "review_waiting": review_waiting,
    "review_escalation": review_escalation,
    "milestone_soon": milestone_soon,
    "milestone_overdue": milestone_overdue,
    "item_tomorrow": item_tomorrow,
    "item_overdue": item_overdue,
    "digest_manager": digest_manager,
    "digest_admin": digest_admin,
    **scheduling.RENDERERS,
    **questions.RENDERERS,
    "end_of_term": term_blocks.end_of_term,
    "term_closed": term_blocks.term_closed,
}


def snoozed(original: list[kit.Block], other_name: str, until_day: date) -> Rendered:
    """The nudge after "Snooze a week": its text stays, the buttons give way to the outcome."""
    kept = [b for b in original if b.get("type") != "actions"]
    note = (
        f":zzz: Snoozed. The next nudge to you and {kit.escape(other_name)} comes "
        f"from {dates.day(until_day)}."
    )
    return f"Snoozed until {dates.day(until_day)}", [*kept, kit.context(note)]
