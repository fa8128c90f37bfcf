"""Scheduling a session ahead: the propose modal, the "It didn't happen" modal, and the
DMs of the `schedule`, `session_reminder` and `session_followup` reminder kinds (each
time already placed in the recipient's timezone by the finder)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from bot.blocks import actions as ids
from bot.blocks import dates, kit
from bot.services.reminders import Due
from bot.services.schedule_times import MAX_OPTIONS, option_field, slot
from bot.services.scheduling import ProposalForm, Proposed

Rendered = tuple[str, list[kit.Block]]
PROPOSE_CALLBACK = "schedule.propose"
NO_SHOW_CALLBACK = "schedule.no_show"
OUTSIDE = ":warning: outside your working hours"
AGENDA_PREVIEW = 1200


# -- modals -----------------------------------------------------------------------------------
def propose_modal(form: ProposalForm, metadata: str) -> kit.Block:
    """Up to three times (date, time, duration; the first required) and the agenda."""
    other = kit.escape(form.other_name)
    blocks: list[kit.Block] = [
        kit.section(
            f"Propose up to {MAX_OPTIONS} times to *{other}*, in your own timezone; "
            "they see each in theirs and confirm one."
        )
    ]
    for index in range(1, MAX_OPTIONS + 1):
        optional = index > 1
        initial = form.day.isoformat() if index == 1 else None
        blocks += [
            kit.input_block(
                f"Date {index}",
                option_field(index, "day"),
                kit.datepicker(option_field(index, "day"), initial=initial),
                optional=optional,
            ),
            kit.input_block(
                f"Time {index}",
                option_field(index, "time"),
                kit.timepicker(
                    option_field(index, "time"), initial="10:00" if index == 1 else None
                ),
                optional=optional,
            ),
            kit.input_block(
                f"Duration {index} (minutes)",
                option_field(index, "minutes"),
                kit.number_input(
                    option_field(index, "minutes"), initial=45 if index == 1 else None
                ),
                optional=True,
            ),
        ]
    blocks += [
        kit.input_block(
            "Objectives",
            "objectives",
            kit.text_input("objectives", initial=form.objectives, multiline=True, max_length=2000),
            optional=True,
            hint="What you want to get out of this session.",
        ),
        kit.input_block(
            "Materials to prepare",
            "materials",
            kit.text_input("materials", initial=form.materials, multiline=True, max_length=2000),
            optional=True,
        ),
    ]
    title = "Propose another time" if form.replaces_id else "Schedule a session"
    return kit.modal(
        title, blocks, callback_id=PROPOSE_CALLBACK, submit="Propose", private_metadata=metadata
    )


def proposed_view(result: Proposed) -> kit.Block:
    times = "time" if len(result.options) == 1 else f"{len(result.options)} times"
    return kit.modal(
        "Proposal sent",
        [
            kit.section(
                f":calendar: I sent your {times} to *{kit.escape(result.other_name)}*. "
                "You'll both get the confirmed time with a calendar link."
            )
        ],
        callback_id="schedule.proposed",
        submit=None,
        close="Done",
    )


def no_show_modal(scheduled_id: str, mentor_name: str, mentee_name: str) -> kit.Block:
    options = [
        kit.option(f"{mentee_name} couldn't come", "mentee"),
        kit.option(f"{mentor_name} couldn't come", "mentor"),
        kit.option("Let's reschedule", "reschedule"),
    ]
    return kit.modal(
        "It didn't happen",
        [
            kit.input_block(
                "What happened", "what_happened", kit.radio_buttons("what_happened", options)
            )
        ],
        callback_id=NO_SHOW_CALLBACK,
        submit="Save",
        private_metadata=scheduled_id,
    )


# -- the DMs ----------------------------------------------------------------------------------
def _when(due: Due, when: dict[str, Any]) -> str:
    """A time in the recipient's timezone, marked when outside their working hours."""
    shown = slot(when, due.recipient.timezone, due.facts["work_day"])
    start, end, zone = shown["start"], shown["end"], shown["zone"]
    label = f"{dates.moment(start, zone)}-{dates.clock(end, zone)} ({zone})"
    return f"*{kit.escape(label)}*" + (f"  {OUTSIDE}" if shown["outside"] else "")


def _agenda(facts: dict[str, Any]) -> list[kit.Block]:
    parts = []
    if facts.get("objectives"):
        parts.append(
            f"*Objectives*\n{kit.escape(kit.truncate(facts['objectives'], AGENDA_PREVIEW))}"
        )
    if facts.get("materials"):
        parts.append(
            "*Materials to prepare*\n"
            + kit.escape(kit.truncate(facts["materials"], AGENDA_PREVIEW))
        )
    return [kit.section("\n".join(parts))] if parts else []


def calendar_link(facts: dict[str, Any]) -> str:
    """A Google Calendar "add event" template link: no credentials needed."""
    start = datetime.fromisoformat(facts["when"]["starts_at"])
    end = start + timedelta(minutes=int(facts["when"]["minutes"]))
    stamp = "%Y%m%dT%H%M%SZ"
    query = {
        "action": "TEMPLATE",
        "text": f"Mentorship session with {facts['other_name']}",
        "dates": f"{start:{stamp}}/{end:{stamp}}",
        "details": kit.truncate(facts.get("objectives") or "Mentorship session (MentorBot)", 800),
    }
    return "https://calendar.google.com/calendar/render?" + urlencode(query)


def schedule_proposal(due: Due) -> Rendered:
    f = due.facts
    other = kit.escape(f["other_name"])
    late = f" (waiting {f['hours_waiting']} hours)" if f.get("late") else ""
    verb = "asks to move your session to" if f.get("replaces") else "proposes"
    text = f"{f['other_name']} {verb} a session{late}"
    blocks = [kit.section(f":calendar: *{other}* {verb} a mentorship session{late}. Pick a time:")]
    for option in f["options"][:MAX_OPTIONS]:
        blocks.append(
            kit.section(
                _when(due, option),
                kit.button(
                    "Confirm",
                    ids.SCHEDULE_CONFIRM,
                    f"{f['scheduled_id']}:{option['index']}",
                    style="primary",
                ),
            )
        )
    blocks += _agenda(f)
    blocks += [
        kit.context("Times are in your timezone. Sessions are confirmed within 48 hours."),
        kit.actions(
            kit.button("Propose another", ids.SCHEDULE_PROPOSE_OTHER, f["scheduled_id"]),
        ),
    ]
    return text, blocks


def schedule_escalation(due: Due) -> Rendered:
    f = due.facts
    text = f"A session proposal has waited {f['hours_waiting']} hours for {f['asked_name']}"
    return text, [
        kit.section(
            f":hourglass: A session proposal between *{kit.escape(f['mentor_name'])}* and "
            f"*{kit.escape(f['mentee_name'])}* has waited {f['hours_waiting']} hours for "
            f"*{kit.escape(f['asked_name'])}*'s answer; the standard is 48 hours."
        ),
        kit.context("You get this as the mentor or a program admin, once per proposal."),
    ]


def _session_buttons(scheduled_id: str) -> kit.Block:
    return kit.actions(
        kit.button("Reschedule", ids.SCHEDULE_RESCHEDULE, scheduled_id),
        kit.button("Cancel", ids.SCHEDULE_CANCEL, scheduled_id, style="danger"),
    )


def schedule_confirmed(due: Due) -> Rendered:
    f = due.facts
    text = f"Session with {f['other_name']} confirmed"
    return text, [
        kit.section(
            f":white_check_mark: Your session with *{kit.escape(f['other_name'])}* is confirmed "
            f"for {_when(due, f['when'])}. <{calendar_link(f)}|Add to calendar>"
        ),
        *_agenda(f),
        _session_buttons(f["scheduled_id"]),
    ]


def schedule_cancelled(due: Due) -> Rendered:
    f = due.facts
    what = (
        f"your session of {_when(due, f['when'])}" if f.get("when") else "the times they proposed"
    )
    text = f"{f['other_name']} cancelled a session"
    return text, [
        kit.section(f":x: *{kit.escape(f['other_name'])}* cancelled {what}."),
        kit.actions(kit.button("Schedule next session", ids.SCHEDULE_OPEN, f["assignment_id"])),
    ]


def session_reminder(due: Due) -> Rendered:
    f = due.facts
    text = f"Your session with {f['other_name']} starts in {f['minutes_to_go']} minutes"
    return text, [
        kit.section(
            f":alarm_clock: Your session with *{kit.escape(f['other_name'])}* starts in "
            f"{f['minutes_to_go']} minutes: {_when(due, f['when'])}."
        ),
        *_agenda(f),
        _session_buttons(f["scheduled_id"]),
    ]


def session_followup(due: Due) -> Rendered:
    f = due.facts
    text = f"How did your session with {f['other_name']} go?"
    return text, [
        kit.section(
            f":speech_balloon: How did your session with *{kit.escape(f['other_name'])}* "
            f"go ({_when(due, f['when'])})?"
        ),
        kit.actions(
            kit.button("Log session", ids.SCHEDULE_LOG, f["scheduled_id"], style="primary"),
            kit.button("It didn't happen", ids.SCHEDULE_DIDNT_HAPPEN, f["scheduled_id"]),
        ),
    ]


RENDERERS = {
    "schedule_proposal": schedule_proposal,
    "schedule_escalation": schedule_escalation,
    "schedule_confirmed": schedule_confirmed,
    "schedule_cancelled": schedule_cancelled,
    "session_reminder": session_reminder,
    "session_followup": session_followup,
}


def no_show_recorded(missed_by: str) -> str:
    """What the person who said "It didn't happen" is told was saved."""
    return (
        f"Noted: the session didn't happen because the {missed_by} couldn't come. "
        "Propose a new time with `/mentor schedule`."
    )
