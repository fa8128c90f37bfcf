"""Topic circles: the host's "new circle" modal, the list with Join / Leave (and, for
the host or an admin, Log a session / Close circle), the log and close modals."""

from __future__ import annotations

from typing import Any

from bot.blocks import dates, kit
from bot.blocks.actions import CIRCLE_CLOSE, CIRCLE_JOIN, CIRCLE_LEAVE, CIRCLE_LOG
from bot.services.assignment_views import CADENCE_LABELS
from bot.services.circle_sessions import (
    FAREWELL_LIMIT,
    NOTES_LIMIT,
    CircleClosed,
    CircleLogForm,
    CircleLogged,
)
from bot.services.circles import CircleView
from bot.services.sessions import MAX_DURATION_MINUTES
from models.circles import (
    CIRCLE_NAME_LIMIT,
    CIRCLE_SESSION_TOPICS_LIMIT,
    CIRCLE_TOPIC_LIMIT,
    MAX_SEATS,
)

NEW_VIEW = "circle.open"
LOG_VIEW = "circle.log_session"
CLOSE_VIEW = "circle.close"
#: Circles listed in one message (each is at most two blocks; Slack allows 50 a message).
LISTED = 20
#: A checkboxes element holds ten options; a bigger circle ticks its members in a
#: multi-select instead.
CHECKBOXES_HOLD = 10


def new_modal() -> dict[str, Any]:
    """Name, topic, seats and cadence of a new circle."""
    cadences = [kit.option(label, value) for value, label in CADENCE_LABELS.items()]
    return kit.modal(
        "New topic circle",
        [
            kit.section("Host a group on one topic: anyone in the program can join a seat."),
            kit.input_block(
                "Name",
                "name",
                kit.text_input("name", placeholder="Renewals clinic", max_length=CIRCLE_NAME_LIMIT),
            ),
            kit.input_block(
                "Topic",
                "topic",
                kit.text_input(
                    "topic", placeholder="Renewals & QBRs", max_length=CIRCLE_TOPIC_LIMIT
                ),
            ),
            kit.input_block(
                "Seats",
                "seats",
                kit.number_input("seats", initial=6, min_value=1, max_value=MAX_SEATS),
                hint=f"How many people may join: 1 to {MAX_SEATS}.",
            ),
            kit.input_block(
                "Cadence",
                "cadence",
                kit.static_select("cadence", cadences, initial="biweekly"),
            ),
        ],
        callback_id=NEW_VIEW,
        submit="Open circle",
    )


def opened_view(circle: CircleView) -> dict[str, Any]:
    text = (
        f":busts_in_silhouette: *{kit.escape(circle.name)}* is open: {circle.seats} seat(s), "
        f"{_cadence(circle)}. People join from `/mentor circles`."
    )
    return kit.modal("Circle opened", [kit.section(text)], callback_id="notice", submit=None)


def circles_message(circles: list[CircleView]) -> tuple[str, list[kit.Block]]:
    """Every open circle with its seats and a Join or Leave button for the viewer."""
    if not circles:
        text = "No topic circles are open. Mentors open one with `/mentor circles new`."
        return text, [kit.section(text)]
    blocks: list[kit.Block] = [kit.header("Topic circles")]
    for circle in circles[:LISTED]:
        blocks += circle_blocks(circle)
    if len(circles) > LISTED:
        blocks.append(kit.left_out([c.name for c in circles[LISTED:]], "circles"))
    return f"{len(circles)} topic circle(s) open.", blocks


def circle_blocks(circle: CircleView) -> list[kit.Block]:
    members = ", ".join(circle.members) if circle.members else "nobody yet"
    text = (
        f"*{kit.escape(circle.name)}* · {kit.escape(circle.topic)}\n"
        f"Host: {kit.escape(circle.host_name)} · {_cadence(circle)} · "
        f"seats taken: {circle.taken}/{circle.seats}"
        + (" (full)" if circle.full else "")
        + f"\nMembers: {kit.escape(members)}"
    )
    if circle.sessions:
        text += f" · sessions logged: {circle.sessions}"
    button: kit.Block | None = None
    if circle.hosting:
        text += "\n_You host this circle._"
    elif circle.joined:
        button = kit.button("Leave", CIRCLE_LEAVE, str(circle.id))
    else:
        button = kit.button("Join", CIRCLE_JOIN, str(circle.id), style="primary")
    blocks = [kit.section(text, accessory=button)]
    if circle.manages:
        blocks.append(
            kit.actions(
                kit.button("Log a session", CIRCLE_LOG, str(circle.id), style="primary"),
                kit.button("Close circle", CIRCLE_CLOSE, str(circle.id), style="danger"),
            )
        )
    return blocks


def _cadence(circle: CircleView) -> str:
    return CADENCE_LABELS.get(circle.cadence, circle.cadence).lower()


def log_modal(form: CircleLogForm) -> dict[str, Any]:
    """Day, duration, topics (the circle's, to start with), who attended (a box per
    member, every one ticked to start with) and notes."""
    options = [kit.option(m.name, str(m.user_id)) for m in form.members]
    everyone = [str(m.user_id) for m in form.members]
    ticks = (
        kit.checkboxes("attended", options, initial=everyone)
        if len(options) <= CHECKBOXES_HOLD
        else kit.multi_static_select("attended", options, initial=everyone)
    )
    return kit.modal(
        "Log a circle session",
        [
            kit.section(f"*{kit.escape(form.name)}* · {kit.escape(form.topic)}"),
            kit.input_block("Date", "day", kit.datepicker("day", initial=form.today.isoformat())),
            kit.input_block(
                "Duration (minutes)",
                "duration",
                kit.number_input(
                    "duration", initial=60, min_value=1, max_value=MAX_DURATION_MINUTES
                ),
            ),
            kit.input_block(
                "Topics",
                "topics",
                kit.text_input(
                    "topics", initial=form.topic, max_length=CIRCLE_SESSION_TOPICS_LIMIT
                ),
            ),
            # Optional, so an empty choice gets the service's message, not Slack's.
            kit.input_block(
                "Attended",
                "attended",
                ticks,
                optional=True,
                hint="Untick the members who did not come.",
            ),
            kit.input_block(
                "Notes",
                "notes",
                kit.text_input("notes", multiline=True, max_length=NOTES_LIMIT),
                optional=True,
                hint="Seen only by the circle's host and members.",
            ),
        ],
        callback_id=LOG_VIEW,
        submit="Log session",
        private_metadata=str(form.circle_id),
    )


def logged_view(logged: CircleLogged) -> dict[str, Any]:
    text = (
        f":white_check_mark: Logged the session of *{kit.escape(logged.circle_name)}* on "
        f"{dates.day(logged.day)}: {logged.attended} of {logged.members} member(s) attended."
    )
    return kit.modal("Session logged", [kit.section(text)], callback_id="notice", submit=None)


def close_modal(circle: CircleView) -> dict[str, Any]:
    """Are you sure: what closing does, before it is done."""
    text = (
        f"Close *{kit.escape(circle.name)}*? Its {circle.taken} member(s) are told by DM; "
        "it is no longer listed nor joinable. Its sessions stay in the analytics."
    )
    return kit.modal(
        "Close the circle",
        [
            kit.section(text),
            kit.input_block(
                "A word to the members",
                "farewell",
                kit.text_input("farewell", multiline=True, max_length=FAREWELL_LIMIT),
                optional=True,
                hint="Added to the DM they get.",
            ),
        ],
        callback_id=CLOSE_VIEW,
        submit="Close circle",
        private_metadata=str(circle.id),
    )


def closed_view(closed: CircleClosed) -> dict[str, Any]:
    text = (
        f"*{kit.escape(closed.name)}* is closed after {closed.sessions} session(s); "
        f"its {len(closed.members)} member(s) are told."
    )
    return kit.modal("Circle closed", [kit.section(text)], callback_id="notice", submit=None)


def closed_dm(closed: CircleClosed) -> str:
    """To each member of a circle that closed."""
    text = (
        f":busts_in_silhouette: {closed.closed_by} closed the topic circle “{closed.name}”. "
        "Thank you for taking part! `/mentor circles` lists the circles still open."
    )
    if closed.farewell:
        text += f"\n> {closed.farewell}"
    return text
