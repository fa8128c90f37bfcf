"""The term of a mentorship: the end-of-term DM (Complete / Extend), the survey after it
closed by itself, and the modals that change its terms (`/mentor edit`, Extend)."""

from __future__ import annotations

from datetime import date, timedelta

from bot.blocks import dates, kit
from bot.blocks.actions import COMPLETE, COMPLETE_FOR_PAIR, EXTEND
from bot.services.assignment_views import CADENCE_LABELS
from bot.services.reminders import Due
from bot.services.term import Changed, ChangeForm, PairCompletion

EDIT_CALLBACK = "term_edit"
EXTEND_CALLBACK = "term_extend"
PAIR_COMPLETE_CALLBACK = "term_complete_for_pair"
#: The Extend modal proposes this much more time.
EXTENSION_PROPOSED = timedelta(weeks=4)

Rendered = tuple[str, list[kit.Block]]


def _when(days_left: int) -> str:
    if days_left > 1:
        return f"in {days_left} days"
    if days_left == 1:
        return "tomorrow"
    if days_left == 0:
        return "today"
    return f"{-days_left} day{'s' if days_left != -1 else ''} ago"


# -- the sweep's DMs (bot/services/reminders/end_of_term.py) ------------------------------
def end_of_term(due: Due) -> Rendered:
    """Both sides: complete (feedback and rating) or extend. The manager: complete it for
    the pair (who then give their feedback) or extend it."""
    f = due.facts
    mentor, mentee = kit.escape(f["mentor_name"]), kit.escape(f["mentee_name"])
    ends = f"{dates.day(f['end_date'])} ({_when(f['days_left'])})"
    if f["role"] == "manager":
        text = f"{f['mentee_name']}'s mentorship with {f['mentor_name']} is planned to end {ends}"
        lines = (
            f":hourglass_flowing_sand: *{mentee}*'s mentorship with *{mentor}* is planned to "
            f"end on *{ends}*. They are asked to complete it with their feedback; complete it "
            "for them, or extend it if they need more time."
        )
        buttons = [
            kit.button("Complete", COMPLETE_FOR_PAIR, f["assignment_id"]),
            kit.button("Extend", EXTEND, f["assignment_id"]),
        ]
    else:
        other = f["mentee_name"] if f["role"] == "mentor" else f["mentor_name"]
        text = f"Your mentorship with {other} is planned to end {ends}"
        lines = (
            f":hourglass_flowing_sand: Your mentorship with *{kit.escape(other)}* is planned "
            f"to end on *{ends}*. Complete it with your feedback and a 1-5 rating, or extend "
            "it if you need more time."
        )
        buttons = [
            kit.button("Complete", COMPLETE, f["assignment_id"], style="primary"),
            kit.button("Extend", EXTEND, f["assignment_id"]),
        ]
    return text, [
        kit.section(lines),
        kit.context(
            "Check-in nudges stop on the end date. If nobody completes it by "
            f"{dates.day(f['closes_after'])}, it completes by itself."
        ),
        kit.actions(*buttons),
    ]


def term_closed(due: Due) -> Rendered:
    """The survey, once, to a side who had not given feedback when it closed by itself."""
    f = due.facts
    other = kit.escape(f["other_name"])
    text = f"Your mentorship with {f['other_name']} is complete. How did it go for you?"
    return text, [
        kit.section(
            f":checkered_flag: Your mentorship with *{other}* is complete: it was planned to end "
            f"on {dates.day(f['end_date'])}, and as nobody completed it within {f['after_days']} "
            "days, it closed by itself. How did it go for you?"
        ),
        kit.actions(kit.button("Give feedback", COMPLETE, f["assignment_id"], style="primary")),
    ]


# -- changing the terms ------------------------------------------------------------------
def _end_input(label: str, initial: date | None) -> kit.Block:
    return kit.input_block(
        label,
        "expected_end",
        kit.datepicker("expected_end", initial=initial.isoformat() if initial else None),
    )


def extend_modal(form: ChangeForm, today: date) -> kit.Block:
    """A new end date; the others are told."""
    current = form.expected_end_date
    proposed = max(current or today, today) + EXTENSION_PROPOSED
    planned = f" It is planned to end on *{dates.day(current)}*." if current else ""
    return kit.modal(
        "Extend mentorship",
        [
            kit.section(f"Extend the mentorship with *{kit.escape(form.about)}*.{planned}"),
            _end_input("New end date", proposed),
            kit.context("The others in this mentorship are told the new date."),
        ],
        callback_id=EXTEND_CALLBACK,
        submit="Extend",
        private_metadata=str(form.assignment_id),
    )


def edit_modal(form: ChangeForm) -> kit.Block:
    """Cadence, goals and expected end of a pending or active mentorship."""
    cadences = [kit.option(label, value) for value, label in CADENCE_LABELS.items()]
    return kit.modal(
        "Change mentorship",
        [
            kit.section(
                f"The mentorship with *{kit.escape(form.about)}*, "
                f"since {dates.day(form.start_date)}."
            ),
            kit.input_block(
                "Cadence",
                "cadence",
                kit.static_select("cadence", cadences, initial=form.cadence),
            ),
            kit.input_block(
                "Goals",
                "goals",
                kit.text_input(
                    "goals", initial=form.goals_text or None, multiline=True, max_length=3000
                ),
                optional=True,
                hint="One goal per line; end a line with “by YYYY-MM-DD” to give it a target date.",
            ),
            _end_input("Expected end", form.expected_end_date),
            kit.context("The others in this mentorship are told what changed."),
        ],
        callback_id=EDIT_CALLBACK,
        submit="Save",
        private_metadata=str(form.assignment_id),
    )


def pair_completion_modal(form: PairCompletion) -> kit.Block:
    """The manager completes the mentorship; the feedback stays the pair's to give."""
    return kit.modal(
        "Complete mentorship",
        [
            kit.section(
                f"Complete the mentorship of *{kit.escape(form.about)}* now? Both are asked "
                "for their feedback and a rating."
            ),
            kit.input_block(
                "Completion notes",
                "notes",
                kit.text_input("notes", multiline=True, max_length=1000),
                hint="How it ended, for the program's records (not the pair's feedback).",
            ),
        ],
        callback_id=PAIR_COMPLETE_CALLBACK,
        submit="Complete",
        private_metadata=str(form.assignment_id),
    )


def pair_completed_view(done: PairCompletion) -> kit.Block:
    text = (
        f":checkered_flag: The mentorship of {kit.escape(done.about)} is complete; both are "
        "asked for their feedback."
    )
    return kit.modal(
        "Completed", [kit.section(text)], callback_id="term_completed", submit=None, close="Done"
    )


def _change_lines(changed: Changed) -> str:
    return "\n".join(f"• {kit.escape(line)}" for line in changed.changes)


def changed_view(changed: Changed) -> kit.Block:
    """The modal after saving: what changed (or that nothing did)."""
    if changed.changes:
        body = (
            f":white_check_mark: Saved. The mentorship with *{kit.escape(changed.about)}*:\n"
            + _change_lines(changed)
        )
    else:
        body = "Nothing changed: the terms are as they were."
    return kit.modal(
        "Saved", [kit.section(body)], callback_id="term_saved", submit=None, close="Done"
    )


def changed_notice(changed: Changed) -> Rendered:
    """The others' DM: who changed what."""
    text = f"{changed.actor_name} changed the mentorship with {changed.about}"
    return text, [kit.section(f":pencil2: {kit.escape(text)}:\n" + _change_lines(changed))]
