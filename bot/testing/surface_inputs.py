"""What a person can press or fill in on what they see: the buttons of a message, modal
or home tab with the text around them, and the `state.values` Slack sends for a modal
filled in by label."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.blocks.plaintext import element_text, render_blocks

Who = Any  # a Slack user id, or anything with `.id` holding one


def slack_id(who: Who) -> str:
    if isinstance(who, str):
        return who
    return str(who.id)


@dataclass
class Button:
    label: str
    action_id: str
    value: str
    block_id: str
    context: str


def interactive_elements(block: dict[str, Any]) -> list[dict[str, Any]]:
    """The elements of a block a person can act on (an actions block's, a section's
    accessory)."""
    if block.get("type") == "actions":
        return list(block.get("elements", []))
    if block.get("type") == "section" and block.get("accessory"):
        return [block["accessory"]]
    return []


def buttons_in(blocks: list[dict[str, Any]]) -> list[Button]:
    """Every button with the text around it (its block and the two before it)."""
    found: list[Button] = []
    for index, block in enumerate(blocks):
        around = render_blocks(blocks[max(0, index - 2) : index + 1])
        for element in interactive_elements(block):
            if element.get("type") == "button":
                found.append(
                    Button(
                        element_text(element.get("text")),
                        element["action_id"],
                        element.get("value", ""),
                        block.get("block_id", ""),
                        around,
                    )
                )
    return found


def fill_state(
    view: dict[str, Any], values: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The `state.values` Slack would send for `view` with inputs filled by label.
    Returns the state and a map block_id -> label (to report errors by label)."""
    state: dict[str, Any] = {}
    labels: dict[str, str] = {}
    remaining = dict(values)
    for block in view.get("blocks", []):
        if block.get("type") != "input":
            continue
        label = element_text(block.get("label"))
        block_id = block["block_id"]
        labels[block_id] = label
        element = block["element"]
        given = remaining.pop(label, _INITIAL)
        state[block_id] = {element["action_id"]: _element_state(element, given, label)}
    if remaining:
        raise AssertionError(
            f"no input labelled {sorted(remaining)}; the modal has {sorted(labels.values())}"
        )
    return state, labels


_INITIAL = object()


def _option_for(element: dict[str, Any], wanted: str, label: str) -> dict[str, Any]:
    for option in element.get("options", []):
        if element_text(option["text"]) == wanted or option["value"] == wanted:
            return option
    choices = [element_text(o["text"]) for o in element.get("options", [])]
    raise AssertionError(f"'{label}' has no option '{wanted}'; choices: {choices}")


def _element_state(element: dict[str, Any], given: Any, label: str) -> dict[str, Any]:
    kind = element["type"]
    state: dict[str, Any] = {"type": kind}
    use_initial = given is _INITIAL
    if kind in ("plain_text_input", "number_input", "url_text_input", "email_text_input"):
        value = element.get("initial_value") if use_initial else given
        state["value"] = None if value in (None, "") else str(value)
    elif kind in ("static_select", "radio_buttons"):
        if use_initial:
            state["selected_option"] = element.get("initial_option")
        else:
            state["selected_option"] = _option_for(element, given, label) if given else None
    elif kind in ("multi_static_select", "checkboxes"):
        if use_initial:
            state["selected_options"] = element.get("initial_options", [])
        else:
            state["selected_options"] = [_option_for(element, g, label) for g in given or []]
    elif kind == "datepicker":
        state["selected_date"] = element.get("initial_date") if use_initial else given
    elif kind == "timepicker":
        state["selected_time"] = element.get("initial_time") if use_initial else given
    elif kind == "users_select":
        state["selected_user"] = (
            element.get("initial_user") if use_initial else (slack_id(given) if given else None)
        )
    elif kind == "channels_select":
        state["selected_channel"] = element.get("initial_channel") if use_initial else given
    elif kind == "multi_users_select":
        state["selected_users"] = (
            element.get("initial_users", []) if use_initial else [slack_id(g) for g in given]
        )
    else:
        raise AssertionError(f"the driver cannot fill a '{kind}' input ('{label}')")
    return state
