"""Skill self-assessment, the mentor's progress note, escalation, `/mentor status`,
and the completion and cancellation modals."""

from __future__ import annotations

import json
from datetime import date
from zoneinfo import ZoneInfo

from bot.blocks import dates, kit
from bot.blocks.actions import COMPLETE, ESCALATE
from bot.blocks.milestones import STATUS_WORDS
from bot.blocks.sessions import FLAG_WORDS
from bot.services.completion import Cancelled, Completed, FeedbackForm
from bot.services.progress import Escalated, NoteForm, NoteSaved, PrivateDetails, SkillForm, Status

SKILLS_CALLBACK = "skills_self_assess"
NOTE_CALLBACK = "progress_note"
COMPLETE_CALLBACK = "completion_feedback"
CANCEL_CALLBACK = "completion_cancel"


def trend(values: list[int | None]) -> str:
    """ "2 → 3 → 4 ↑" (the last five values, with the direction of travel)."""
    known = [v for v in values if v is not None]
    if not known:
        return "—"
    arrow = ""
    if len(known) > 1:
        arrow = " ↑" if known[-1] > known[0] else (" ↓" if known[-1] < known[0] else " →")
    return " → ".join(str(v) for v in known[-5:]) + arrow


# -- skills --------------------------------------------------------------------------------
def skills_modal(form: SkillForm) -> kit.Block:
    blocks: list[kit.Block] = [
        kit.context("Rate each skill from 1 (new to me) to 5 (I could teach it). Skip any.")
    ]
    for index, skill in enumerate(form.skills[:20]):
        history = form.history.get(skill, [])
        blocks.append(
            kit.input_block(
                skill,
                f"skill_{index}",
                kit.number_input(f"skill_{index}", min_value=1, max_value=5),
                optional=True,
                hint=f"So far: {trend(list(history))}" if history else None,
            )
        )
    return kit.modal(
        "Rate my skills",
        blocks,
        callback_id=SKILLS_CALLBACK,
        private_metadata=str(form.assignment_id),
    )


def skills_saved(count: int, history: dict[str, list[int]]) -> kit.Block:
    lines = [f":white_check_mark: {count} skill rating(s) saved. Your trend:"]
    lines += [f"• {kit.escape(skill)}: {trend(list(v))}" for skill, v in sorted(history.items())]
    return kit.modal(
        "Skills saved",
        [kit.section("\n".join(lines))],
        callback_id="skills_saved",
        submit=None,
        close="Done",
    )


# -- progress notes ------------------------------------------------------------------------
def note_modal(form: NoteForm, tz: ZoneInfo) -> kit.Block:
    flags = [kit.option("On track", "on_track"), kit.option("At risk", "at_risk")]
    blocks: list[kit.Block] = [
        kit.context(
            f"Your private notes on *{kit.escape(form.mentee_name)}*'s progress. "
            "Only you can read them; their manager sees the flag, never the note."
        ),
        kit.input_block(
            "Flag", "flag", kit.radio_buttons("flag", flags, initial=form.flag or "on_track")
        ),
        kit.input_block(
            "Note",
            "note",
            kit.text_input("note", multiline=True, max_length=3000),
            optional=True,
        ),
    ]
    if form.earlier:
        lines = [
            f"• {dates.local_day(when, tz)} · {FLAG_WORDS.get(flag, flag)}"
            + (f": {kit.escape(note)}" if note else "")
            for when, flag, note in form.earlier
        ]
        blocks += [kit.section("*Earlier notes*\n" + "\n".join(lines))]
    return kit.modal(
        "Progress", blocks, callback_id=NOTE_CALLBACK, private_metadata=str(form.assignment_id)
    )


def note_saved(saved: NoteSaved) -> kit.Block:
    text = f":white_check_mark: Noted: {kit.escape(saved.mentee_name)} is {FLAG_WORDS[saved.flag]}."
    if saved.flag == "at_risk":
        text += (
            "\nTheir manager is told the flag (never your note). If you need help, "
            "use *Escalate* in the DM I sent you."
        )
    return kit.modal(
        "Progress saved", [kit.section(text)], callback_id="note_saved", submit=None, close="Done"
    )


def escalation_offer(saved: NoteSaved) -> tuple[str, list[kit.Block]]:
    text = f"You flagged {saved.mentee_name} as at risk. Need a program admin's help?"
    return text, [
        kit.section(f":warning: {kit.escape(text)}"),
        kit.actions(kit.button("Escalate", ESCALATE, str(saved.note_id), style="danger")),
    ]


def flag_notice(saved: NoteSaved) -> tuple[str, list[kit.Block]]:
    """The manager's DM: the flag, never the note."""
    if saved.flag == "at_risk":
        text = (
            f"{saved.mentor_name} flagged {saved.mentee_name}'s mentorship as at risk. "
            f"A word with {saved.mentor_name} or {saved.mentee_name} may help."
        )
        return text, [kit.section(":warning: " + kit.escape(text))]
    text = f"{saved.mentee_name}'s mentorship with {saved.mentor_name} is back on track."
    return text, [kit.section(":large_green_circle: " + kit.escape(text))]


def escalation_notice(done: Escalated) -> tuple[str, list[kit.Block]]:
    """The admins' DM: who asks for help about whom (the note stays private)."""
    text = (
        f"{done.mentor_name} escalated their mentorship with {done.mentee_name}: "
        "it is at risk and they ask for a program admin's help."
    )
    return text, [kit.section(":rotating_light: " + kit.escape(text))]


# -- status --------------------------------------------------------------------------------
def status_card(status: Status, tz: ZoneInfo, today: date) -> list[kit.Block]:
    """One person's mentorship at a glance; the private part only when filled in."""
    pairing = "reverse mentorship" if status.kind == "reverse" else "mentorship"
    blocks: list[kit.Block] = [kit.header(f"{status.person_name}'s {pairing}")]
    if status.mentor_name is None:
        blocks.append(kit.section("No mentor yet."))
    else:
        flag = FLAG_WORDS.get(status.flag or "", "not flagged yet")
        blocks.append(
            kit.fields(
                f"*Mentor*\n{kit.escape(status.mentor_name)}",
                f"*Status*\n{status.assignment_status}",
                f"*Since*\n{dates.day(status.start_date)}",
                f"*On track?*\n{flag}",
                f"*Sessions held*\n{status.sessions_held}"
                + (f" ({status.sessions_missed} missed)" if status.sessions_missed else ""),
                f"*Last session*\n{dates.local_day(status.last_session, tz)}",
                "*Confidence (after sessions)*\n" + trend([a for _, a in status.confidence]),
                "*Ratings*\n"
                + (
                    f"mentee {status.mentee_rating or '—'}/5 · "
                    f"mentor {status.mentor_rating or '—'}/5"
                    if status.assignment_status == "completed"
                    else "—"
                ),
            )
        )
    achieved = sum(1 for m in status.milestones if m.status == "achieved")
    lines = []
    for m in status.milestones[:12]:
        late = m.status != "achieved" and m.target_date and m.target_date < today
        state = (
            f"achieved {dates.day(m.achieved_date)}"
            if m.status == "achieved"
            else STATUS_WORDS.get(m.status, m.status) + (" · past target" if late else "")
        )
        lines.append(f"• {kit.escape(m.name)} — target {dates.day(m.target_date)} · {state}")
    blocks.append(
        kit.section(
            f"*Milestones: {achieved} of {len(status.milestones)} achieved*\n" + "\n".join(lines)
        )
    )
    if status.skills:
        skill_lines = [
            f"• {kit.escape(skill)}: {trend(list(v))}" for skill, v in sorted(status.skills.items())
        ]
        blocks.append(kit.section("*Skills (self-assessed)*\n" + "\n".join(skill_lines)))
    private = status.private
    if private is not None:
        blocks.append(kit.context(":lock: Below: only the two of you can see this."))
        sessions = [
            f"• {dates.local_day(when, tz)}: {kit.escape(summary)}"
            for when, summary in private.recent_sessions
        ]
        if sessions:
            blocks.append(kit.section("*Recent sessions*\n" + "\n".join(sessions)))
        if private.open_items:
            items = "\n".join(f"• {kit.escape(i)}" for i in private.open_items[:10])
            blocks.append(kit.section("*Open action items*\n" + items))
        blocks += _curriculum(private)
        if private.notes:
            notes = [
                f"• {dates.local_day(when, tz)} · {FLAG_WORDS.get(flag, flag)}"
                + (f": {kit.escape(note)}" if note else "")
                for when, flag, note in private.notes
            ]
            blocks.append(kit.section("*Your progress notes*\n" + "\n".join(notes)))
    return blocks


def _curriculum(private: PrivateDetails) -> list[kit.Block]:
    """The pair's curriculum so far (covered, then still open) and the mentor's resources."""
    blocks: list[kit.Block] = []
    plan = private.curriculum
    if plan is not None:
        total = len(plan.covered) + len(plan.open)
        lines = [f":white_check_mark: {kit.link_or_text(t.title, t.url)}" for t in plan.covered]
        lines += [f":white_square: {kit.link_or_text(t.title, t.url)}" for t in plan.open]
        blocks.append(
            kit.section(
                f"*Curriculum through week {plan.week}: {len(plan.covered)} of {total} "
                "topics covered*\n" + "\n".join(lines[:15])
            )
        )
    if private.resources:
        shared = "\n".join(f"• {kit.link_or_text(r.title, r.url)}" for r in private.resources[:10])
        blocks.append(kit.section("*Resources from the mentor*\n" + shared))
    return blocks


#: Cards in one `/mentor status` answer, fewer when they would pass 50 blocks.
STATUS_CARDS = 8


def status_message(
    statuses: list[Status], tz: ZoneInfo, today: date
) -> tuple[str, list[kit.Block]]:
    """Text and blocks of `/mentor status`: a card per person while they fit in one
    message (a card with its private part takes 8 blocks), then the rest named."""
    if not statuses:
        return "Mentorship status: nobody to show", [
            kit.section(
                "Nobody to show: you have no new hires reporting to you and no mentorship. "
                "Try `/mentor status @person`."
            )
        ]
    blocks: list[kit.Block] = []
    shown = 0
    for status in statuses[:STATUS_CARDS]:
        card = ([kit.divider()] if blocks else []) + status_card(status, tz, today)
        if len(blocks) + len(card) > kit.MAX_BLOCKS_MESSAGE - 1:  # one left to name the rest
            break
        blocks += card
        shown += 1
    if shown < len(statuses):
        rest = [s.person_name for s in statuses[shown:]]
        blocks.append(kit.left_out(rest, then="`/mentor status @person` for one of them"))
    of = f" of {len(statuses)}" if shown < len(statuses) else ""
    return f"Mentorship status: {shown}{of} shown", blocks


# -- completion ----------------------------------------------------------------------------
def feedback_modal(form: FeedbackForm, tz: ZoneInfo) -> kit.Block:
    lines = []
    if form.ends_it:
        lines.append(
            f"This completes your mentorship with *{kit.escape(form.other_name)}* for both of you"
            + (" (earlier than planned, which is fine)." if form.early else ".")
        )
        lines.append(f"{kit.escape(form.other_name)} will be asked for their feedback too.")
    else:
        lines.append(
            f"Your mentorship with *{kit.escape(form.other_name)}* is complete. "
            "How did it go for you?"
        )
    return kit.modal(
        "Complete mentorship",
        [
            kit.section("\n".join(lines)),
            kit.input_block(
                "Feedback",
                "feedback",
                kit.text_input("feedback", multiline=True, max_length=3000),
                hint="Only the two of you can read it.",
            ),
            kit.input_block(
                "Rating",
                "rating",
                kit.number_input("rating", min_value=1, max_value=5),
                hint="1 (poor) to 5 (excellent)",
            ),
        ],
        callback_id=COMPLETE_CALLBACK,
        submit="Complete" if form.ends_it else "Send",
        private_metadata=str(form.assignment_id),
    )


def completed_view(done: Completed) -> kit.Block:
    other = "your mentor" if done.side == "mentee" else done.mentee_name
    text = f":tada: Your mentorship with {other} is complete. Thank you for your feedback!"
    return kit.modal(
        "Completed", [kit.section(text)], callback_id="completed", submit=None, close="Done"
    )


def feedback_request(actor_name: str, assignment_id: object) -> tuple[str, list[kit.Block]]:
    """A side's DM when someone else completed the mentorship: their feedback, please."""
    text = f"{actor_name} completed your mentorship. How did it go for you?"
    return text, [
        kit.section(":tada: " + kit.escape(text)),
        kit.actions(kit.button("Give feedback", COMPLETE, str(assignment_id))),
    ]


def completion_notice(done: Completed) -> tuple[str, list[kit.Block]]:
    """The manager's DM (no feedback text)."""
    text = f"{done.mentee_name}'s mentorship with {done.mentor_name} is complete."
    return text, [kit.section(":checkered_flag: " + kit.escape(text))]


def cancel_modal(assignment_id: str, other_name: str) -> kit.Block:
    return kit.modal(
        "Cancel mentorship",
        [
            kit.section(f"End the mentorship with *{kit.escape(other_name)}* now?"),
            kit.input_block(
                "Reason",
                "reason",
                kit.text_input("reason", multiline=True, max_length=1000),
            ),
        ],
        callback_id=CANCEL_CALLBACK,
        submit="Cancel it",
        close="Keep it",
        private_metadata=json.dumps({"assignment": assignment_id}),
    )


def cancelled_notice(done: Cancelled) -> tuple[str, list[kit.Block]]:
    text = (
        f"{done.actor_name} cancelled the mentorship of {done.mentee_name} with {done.mentor_name}."
    )
    return text, [kit.section(":no_entry_sign: " + kit.escape(text))]
