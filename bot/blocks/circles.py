"""Topic circles: the host's "new circle" modal and the list with Join / Leave."""

from __future__ import annotations

from typing import Any

from bot.blocks import kit
from bot.blocks.actions import CIRCLE_JOIN, CIRCLE_LEAVE
from bot.services.assignments import CADENCE_LABELS
from bot.services.circles import CircleView
from models.circles import CIRCLE_NAME_LIMIT, CIRCLE_TOPIC_LIMIT, MAX_SEATS

NEW_VIEW = "circle.open"
#: Circles listed in one message (each is two blocks; Slack allows 50 a message).
LISTED = 20


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
    if circle.hosting:
        return [kit.section(text + "\n_You host this circle._")]
    if circle.joined:
        button = kit.button("Leave", CIRCLE_LEAVE, str(circle.id))
    else:
        button = kit.button("Join", CIRCLE_JOIN, str(circle.id), style="primary")
    return [kit.section(text, accessory=button)]


def _cadence(circle: CircleView) -> str:
    return CADENCE_LABELS.get(circle.cadence, circle.cadence).lower()
