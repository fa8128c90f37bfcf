"""Session log modal, its confirmation, the "a session was logged" DM, action items
and the mentorship cards of App Home."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from zoneinfo import ZoneInfo

from bot.blocks import dates, kit
from bot.blocks.actions import (
    ACTION_ITEM_DONE,
    COMPLETE,
    LOG_SESSION,
    PROGRESS_OPEN,
    SCHEDULE_OPEN,
    SELF_ASSESS,
)
from bot.blocks.delivery import will_tell
from bot.services.action_items import OpenItem
from bot.services.mentorships import Mentorship
from bot.services.session_forms import LogForm
from bot.services.sessions import Logged, Recipient
from models import KIND_LABELS

LOG_CALLBACK = "session_log"
ITEMS_HINT = (
    "One per line, starting with who does it, e.g. "
    "'mentee: Draft the QBR deck by 2026-12-01' or 'mentor: Share the renewal playbook'."
)
RESOURCES_HINT = (
    "One per line: a title and the link, e.g. 'Renewal playbook https://wiki/renewals'."
)
FLAG_WORDS = {"on_track": "on track", "at_risk": ":warning: at risk"}


def _rating_input(label: str, block_id: str, initial: object) -> kit.Block:
    return kit.input_block(
        label,
        block_id,
        kit.number_input(
            block_id, initial=int(initial) if initial else None, min_value=1, max_value=5
        ),
        optional=True,
        hint="1 (low) to 5 (high)",
    )


def log_modal(form: LogForm, metadata: str) -> kit.Block:
    """The session log: mentorship (only when several), date, time, duration, topics,
    summary, action items, resources, confidence before/after and session quality."""
    values = form.values
    blocks: list[kit.Block] = []
    if form.note:
        blocks.append(kit.section(f":information_source: {kit.escape(form.note)}"))
    if form.group:
        mentees = [kit.option(m.other_name, str(m.assignment_id)) for m in form.mentorships]
        every = [str(m.assignment_id) for m in form.mentorships]
        # A multi-select, not checkboxes: those hold 10 options and a mentor may have 20.
        blocks += [
            kit.context("A group session: one log for several of your mentees."),
            kit.input_block(
                "Invited", "invited", kit.multi_static_select("invited", mentees, initial=every)
            ),
            kit.input_block(
                "Attended",
                "attended",
                kit.multi_static_select("attended", mentees, initial=every),
            ),
        ]
    elif len(form.mentorships) > 1 and form.editing_session_id is None:
        options = [
            kit.option(f"{m.other_name} (you are the {m.side})", str(m.assignment_id))
            for m in form.mentorships
        ]
        blocks.append(
            kit.input_block("Mentorship", "assignment", kit.static_select("assignment", options))
        )
    else:
        only = form.mentorships[0]
        blocks.append(kit.context(f"Your mentorship with *{kit.escape(only.other_name)}*"))
    topic_options = [kit.option(t, t) for t in form.topics]
    chosen = [t for t in values.get("topics", []) if t in form.topics]  # type: ignore[union-attr]
    others = [t for t in values.get("topics", []) if t not in form.topics]  # type: ignore[union-attr]
    blocks += [
        kit.input_block("Date", "day", kit.datepicker("day", initial=form.day.isoformat())),
        kit.input_block("Time", "time", kit.timepicker("time", initial=form.time), optional=True),
        kit.input_block(
            "Duration (minutes)",
            "duration",
            kit.number_input(
                "duration", initial=values.get("duration") or 30, min_value=1, max_value=600
            ),
        ),
        kit.input_block(
            "Topics",
            "topics",
            kit.multi_static_select("topics", topic_options, initial=chosen),
            optional=True,
        ),
        kit.input_block(
            "Other topics",
            "other_topics",
            kit.text_input("other_topics", initial=", ".join(others), max_length=500),
            optional=True,
            hint="Anything not in the list, separated by commas.",
        ),
        kit.input_block(
            "Summary",
            "summary",
            kit.text_input(
                "summary", initial=str(values.get("summary") or ""), multiline=True, max_length=3000
            ),
        ),
        kit.input_block(
            "Action items",
            "action_items",
            kit.text_input(
                "action_items", initial=str(values.get("action_items") or ""), multiline=True
            ),
            optional=True,
            hint=ITEMS_HINT,
        ),
        kit.input_block(
            "Resources",
            "resources",
            kit.text_input("resources", initial=str(values.get("resources") or ""), multiline=True),
            optional=True,
            hint=RESOURCES_HINT,
        ),
    ]
    if not form.group:
        blocks += [
            _rating_input(
                "Confidence before", "confidence_before", values.get("confidence_before")
            ),
            _rating_input("Confidence after", "confidence_after", values.get("confidence_after")),
        ]
    blocks.append(_rating_input("Session quality", "quality", values.get("quality")))
    if form.carried:
        blocks.append(kit.header("Open action items"))
        lines = []
        for i in form.carried:
            due = f" (due {dates.day(i.due)})" if i.due else ""
            lines.append(f"• {i.owner}: {kit.escape(i.text)}{due}")
        blocks.append(kit.section("\n".join(lines)))
        if form.carried_more:
            blocks.append(
                kit.context(
                    f"…and {form.carried_more} more open action items: they stay open, "
                    "to tick off next time or with Done on your Home tab."
                )
            )
        options = [kit.option(f"{i.owner}: {i.text}"[:75], i.key) for i in form.carried]
        blocks.append(
            kit.input_block(
                "Done since last session",
                "done_items",
                kit.checkboxes("done_items", options),
                optional=True,
                hint="Tick what is done; the rest stays open.",
            )
        )
    title = (
        "Edit session"
        if form.editing_session_id
        else ("Log group session" if form.group else "Log session")
    )
    return kit.modal(title, blocks, callback_id=LOG_CALLBACK, private_metadata=metadata)


def saved_view(logged: Logged, *, waiting: Sequence[str] = ()) -> kit.Block:
    """The modal after saving: it says the log is kept, whatever Slack does next, and
    who will be told once Slack answers (`waiting`: their Slack ids)."""
    verb = "updated" if logged.edited else "saved"
    lines = [f":white_check_mark: Session of {dates.day(logged.day)} {verb}."]
    if logged.group:
        present = sum(1 for r in logged.recipients if r.attended)
        lines.append(f"Logged for {len(logged.session_ids)} mentorships, {present} attended.")
    if logged.marked_done:
        lines.append(f"{logged.marked_done} open action item(s) marked done.")
    if waiting:
        lines.append(will_tell(waiting))
    return kit.modal(
        "Session saved",
        [kit.section("\n".join(lines))],
        callback_id="session_saved",
        submit=None,
        close="Done",
    )


def logged_notice(logged: Logged, recipient: Recipient) -> tuple[str, list[kit.Block]]:
    """The DM telling a participant that a session was logged (they may read it all)."""
    verb = "updated the log of" if logged.edited else "logged"
    text = f"{logged.logger_name} {verb} your session of {dates.day(logged.day)}."
    blocks = [
        kit.section(
            f":notebook: *{kit.escape(logged.logger_name)}* {verb} your session "
            f"of {dates.day(logged.day)}."
        ),
        kit.fields(
            f"*Duration*\n{logged.duration_minutes} min",
            f"*Topics*\n{kit.escape(', '.join(logged.topics))}",
        ),
        kit.section(f"*Summary*\n{kit.escape(logged.summary)}"),
    ]
    if recipient.their_items:
        lines = "\n".join(f"• {kit.escape(i)}" for i in recipient.their_items)
        blocks.append(kit.section(f"*Your action items*\n{lines}"))
    buttons = [kit.button("Schedule next session", SCHEDULE_OPEN, str(recipient.assignment_id))]
    if recipient.side == "mentee":
        buttons.append(kit.button("Rate my skills", SELF_ASSESS, str(recipient.assignment_id)))
    blocks.append(kit.actions(*buttons))
    return text, blocks


def skills_offer(assignment_id: str) -> tuple[str, list[kit.Block]]:
    """After a mentee logs a session: an invitation to rate their skills."""
    text = "Session saved. How do your skills feel now?"
    return text, [
        kit.section(":chart_with_upwards_trend: " + text),
        kit.actions(kit.button("Rate my skills", SELF_ASSESS, assignment_id)),
    ]


def already_logged_note(by_name: str, day: date) -> str:
    return (
        f"{by_name} already logged this mentorship's session of {dates.day(day)}. "
        "Here it is: change what you like and Save, or Cancel to keep it as it is."
    )


def item_rows(items: list[OpenItem], *, heading: str, limit: int = 5) -> list[kit.Block]:
    """Open action items, each with a Done button."""
    if not items:
        return []
    blocks: list[kit.Block] = [kit.section(f"*{heading}*")]
    for item in items[:limit]:
        due = f" · due {dates.day(item.due)}" if item.due else ""
        blocks.append(
            kit.section(
                f"{kit.escape(item.text)}{due}\n_with {kit.escape(item.other_name)}_",
                accessory=kit.button("Done", ACTION_ITEM_DONE, item.key),
            )
        )
    if len(items) > limit:
        blocks.append(kit.context(f"…and {len(items) - limit} more."))
    return blocks


HOME_CARDS = 5  # mentorships shown as cards on App Home; the rest are named


def mentorship_cards(cards: list[Mentorship], tz: ZoneInfo) -> list[kit.Block]:
    """The first mentorships as cards, the rest named (each is one `/mentor log` away)."""
    blocks = [block for card in cards[:HOME_CARDS] for block in mentorship_card(card, tz)]
    if len(cards) > HOME_CARDS:
        rest = [card.other_name for card in cards[HOME_CARDS:]]
        blocks.append(kit.left_out(rest, "mentorships", "`/mentor log` logs for any of them"))
    return blocks


def mentorship_card(card: Mentorship, tz: ZoneInfo) -> list[kit.Block]:
    """One mentorship on App Home, with its buttons for this viewer."""
    other = "Mentor" if card.side == "mentee" else "Mentee"
    last = dates.local_day(card.last_session, tz) if card.last_session else "none yet"
    flag = f" · {FLAG_WORDS[card.progress_flag]}" if card.progress_flag in FLAG_WORDS else ""
    buttons = [kit.button("Log session", LOG_SESSION, str(card.assignment_id), style="primary")]
    if card.side == "mentee":
        buttons.append(kit.button("Rate my skills", SELF_ASSESS, str(card.assignment_id)))
    else:
        buttons.append(kit.button("Progress", PROGRESS_OPEN, str(card.assignment_id)))
    buttons.append(kit.button("Schedule next session", SCHEDULE_OPEN, str(card.assignment_id)))
    buttons.append(kit.button("Complete", COMPLETE, str(card.assignment_id)))
    kind = f"*{KIND_LABELS[card.kind]}* · " if card.kind == "reverse" else ""
    return [
        kit.section(
            f"{kind}{other}: *{kit.escape(card.other_name)}* · "
            f"since {dates.day(card.start_date)} · "
            f"{card.cadence} check-ins{flag}\n"
            f"Sessions held: {card.sessions_held} (last: {last}) · "
            f"next check-in: {dates.day(card.next_check_in_for(tz))}"
        ),
        kit.actions(*buttons),
    ]
