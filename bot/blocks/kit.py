"""The Block Kit vocabulary every builder uses. Text limits are enforced here, once,
so a long name or note can never make Slack reject a message. Lists (blocks, options,
elements) are never cut here: a cut list loses what it cut without a word, so a
builder whose list can grow summarises it within Slack's counts itself."""

from __future__ import annotations

from typing import Any

Block = dict[str, Any]

SECTION_TEXT_LIMIT = 3000
BUTTON_TEXT_LIMIT = 75
BUTTON_VALUE_LIMIT = 2000
HEADER_LIMIT = 150
CONTEXT_LIMIT = 2000
OPTION_TEXT_LIMIT = 75
MODAL_TITLE_LIMIT = 24
MAX_BLOCKS_MESSAGE = 50
MAX_BLOCKS_VIEW = 100


def truncate(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, ending in an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plain(text: str, limit: int = SECTION_TEXT_LIMIT) -> dict[str, Any]:
    return {"type": "plain_text", "text": truncate(text, limit), "emoji": True}


def mrkdwn(text: str, limit: int = SECTION_TEXT_LIMIT) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": truncate(text, limit)}


def escape(text: str) -> str:
    """Escape user text for mrkdwn so `<`, `>` and `&` show as typed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link_or_text(text: str, url: str | None) -> str:
    """`text` as a mrkdwn link to `url` (a checked web link), or plain when there is none."""
    return f"<{url}|{escape(text)}>" if url else escape(text)


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text, HEADER_LIMIT)}


def section(text: str, accessory: Block | None = None, block_id: str | None = None) -> Block:
    block: Block = {"type": "section", "text": mrkdwn(text)}
    if accessory is not None:
        block["accessory"] = accessory
    if block_id:
        block["block_id"] = block_id
    return block


def fields(*texts: str) -> Block:
    """A section of up to ten short two-column fields."""
    return {"type": "section", "fields": [mrkdwn(t, 2000) for t in texts]}


def context(*texts: str) -> Block:
    return {"type": "context", "elements": [mrkdwn(t, CONTEXT_LIMIT) for t in texts]}


def left_out(names: list[str], what: str = "", then: str = "") -> Block:
    """A context naming what a list left out: "…and 4 more mentorships: A, B, C, D",
    so nothing is dropped without a word (`then` says where to find them)."""
    listed = ", ".join(escape(n) for n in names)
    noun = f" {what}" if what else ""
    return context(f"…and {len(names)} more{noun}: {listed}" + (f" · {then}" if then else ""))


def line_sections(lines: list[str], *, most: int, more: str = "…and {n} more.") -> list[Block]:
    """`lines` packed into as few sections as the text limit allows, at most `most`
    blocks; when they need more, the last block counts the lines left out (`more`)."""
    packed: list[list[str]] = []
    for line in lines:
        if packed and len("\n".join([*packed[-1], line])) <= SECTION_TEXT_LIMIT:
            packed[-1].append(line)
        else:
            packed.append([line])
    if len(packed) <= most:
        return [section("\n".join(group)) for group in packed]
    kept = packed[: most - 1]
    left_out = len(lines) - sum(len(group) for group in kept)
    return [section("\n".join(group)) for group in kept] + [context(more.format(n=left_out))]


IMAGE_TEXT_LIMIT = 2000


def image_file(file_id: str, alt_text: str, title: str) -> Block:
    """An image block showing a file uploaded to Slack (`slack_file`), e.g. a chart."""
    return {
        "type": "image",
        "slack_file": {"id": file_id},
        "alt_text": truncate(alt_text, IMAGE_TEXT_LIMIT),
        "title": plain(title, IMAGE_TEXT_LIMIT),
    }


def divider() -> Block:
    return {"type": "divider"}


def actions(*elements: Block, block_id: str | None = None) -> Block:
    block: Block = {"type": "actions", "elements": list(elements)}
    if block_id:
        block["block_id"] = block_id
    return block


def button(
    label: str,
    action_id: str,
    value: str | None = None,
    *,
    style: str | None = None,
    confirm: Block | None = None,
) -> Block:
    """A button; `value` (1 to 2,000 characters) is left out when the click needs none,
    because Slack refuses an empty one. A longer value is a builder's mistake, never
    cut: a cut value would no longer parse. Keep big state on the server, send its key."""
    element: Block = {
        "type": "button",
        "text": plain(label, BUTTON_TEXT_LIMIT),
        "action_id": action_id,
    }
    if value:
        if len(value) > BUTTON_VALUE_LIMIT:
            raise ValueError(f"a button value holds at most {BUTTON_VALUE_LIMIT} characters")
        element["value"] = value
    if style in ("primary", "danger"):
        element["style"] = style
    if confirm:
        element["confirm"] = confirm
    return element


def option(text: str, value: str) -> Block:
    return {"text": plain(text, OPTION_TEXT_LIMIT), "value": value}


def modal(
    title: str,
    blocks: list[Block],
    *,
    callback_id: str,
    submit: str | None = "Save",
    close: str = "Cancel",
    private_metadata: str = "",
) -> Block:
    view: Block = {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title, MODAL_TITLE_LIMIT),
        "close": plain(close, MODAL_TITLE_LIMIT),
        "blocks": blocks,
        "private_metadata": private_metadata,
    }
    if submit:
        view["submit"] = plain(submit, MODAL_TITLE_LIMIT)
    return view


def home(blocks: list[Block]) -> Block:
    return {"type": "home", "blocks": blocks}


def input_block(
    label: str,
    block_id: str,
    element: Block,
    *,
    optional: bool = False,
    hint: str | None = None,
) -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label, 2000),
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = plain(hint, 2000)
    return block


def text_input(
    action_id: str,
    *,
    initial: str | None = None,
    multiline: bool = False,
    placeholder: str | None = None,
    max_length: int | None = None,
) -> Block:
    element: Block = {"type": "plain_text_input", "action_id": action_id, "multiline": multiline}
    if initial:
        element["initial_value"] = initial
    if placeholder:
        element["placeholder"] = plain(placeholder, 150)
    if max_length:
        element["max_length"] = max_length
    return element


def static_select(action_id: str, options: list[Block], *, initial: str | None = None) -> Block:
    element: Block = {"type": "static_select", "action_id": action_id, "options": options}
    chosen = [o for o in options if o["value"] == initial]
    if chosen:
        element["initial_option"] = chosen[0]
    return element


def multi_static_select(
    action_id: str, options: list[Block], *, initial: list[str] | None = None
) -> Block:
    element: Block = {
        "type": "multi_static_select",
        "action_id": action_id,
        "options": options,
    }
    chosen = [o for o in options if o["value"] in (initial or [])]
    if chosen:
        element["initial_options"] = chosen
    return element


def checkboxes(action_id: str, options: list[Block], *, initial: list[str] | None = None) -> Block:
    element: Block = {"type": "checkboxes", "action_id": action_id, "options": options}
    chosen = [o for o in options if o["value"] in (initial or [])]
    if chosen:
        element["initial_options"] = chosen
    return element


def radio_buttons(action_id: str, options: list[Block], *, initial: str | None = None) -> Block:
    element: Block = {"type": "radio_buttons", "action_id": action_id, "options": options}
    chosen = [o for o in options if o["value"] == initial]
    if chosen:
        element["initial_option"] = chosen[0]
    return element


def datepicker(action_id: str, *, initial: str | None = None) -> Block:
    element: Block = {"type": "datepicker", "action_id": action_id}
    if initial:
        element["initial_date"] = initial
    return element


def timepicker(action_id: str, *, initial: str | None = None) -> Block:
    element: Block = {"type": "timepicker", "action_id": action_id}
    if initial:
        element["initial_time"] = initial
    return element


def number_input(
    action_id: str,
    *,
    initial: float | None = None,
    min_value: float | None = None,
    max_value: float | None = None,
    decimal: bool = False,
) -> Block:
    element: Block = {"type": "number_input", "action_id": action_id, "is_decimal_allowed": decimal}
    if initial is not None:
        element["initial_value"] = number_text(initial)
    if min_value is not None:
        element["min_value"] = number_text(min_value)
    if max_value is not None:
        element["max_value"] = number_text(max_value)
    return element


def number_text(value: float) -> str:
    """40.0 -> '40', 0.35 -> '0.35': a number as a person would type it."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def users_select(action_id: str, *, initial: str | None = None) -> Block:
    element: Block = {"type": "users_select", "action_id": action_id}
    if initial:
        element["initial_user"] = initial
    return element


def multi_users_select(action_id: str, *, initial: list[str] | None = None) -> Block:
    element: Block = {"type": "multi_users_select", "action_id": action_id}
    if initial:
        element["initial_users"] = initial
    return element


def channels_select(action_id: str, *, initial: str | None = None) -> Block:
    element: Block = {"type": "channels_select", "action_id": action_id}
    if initial:
        element["initial_channel"] = initial
    return element


def view_values(view: dict[str, Any]) -> dict[str, Any]:
    """Flatten a submitted view's state to {block_id: value}: strings for text,
    dates and selects, lists for multi-selects and checkboxes, None when empty."""
    flattened: dict[str, Any] = {}
    for block_id, by_action in view.get("state", {}).get("values", {}).items():
        for element in by_action.values() if isinstance(by_action, dict) else []:
            flattened[block_id] = _element_value(element) if isinstance(element, dict) else None
    return flattened


def _element_value(element: dict[str, Any]) -> Any:
    kind = element.get("type")
    if kind in ("plain_text_input", "number_input", "url_text_input", "email_text_input"):
        return element.get("value")
    # A crafted request may send any shape; it is refused later on the field
    # (listeners/parsing.submitted_errors), so reading it must not raise first.
    if kind in ("static_select", "radio_buttons", "external_select"):
        selected = element.get("selected_option")
        return selected.get("value") if isinstance(selected, dict) else None
    if kind in ("multi_static_select", "checkboxes", "multi_external_select"):
        chosen = element.get("selected_options")
        return (
            [o.get("value") for o in chosen if isinstance(o, dict)]
            if isinstance(chosen, list)
            else []
        )
    if kind == "datepicker":
        return element.get("selected_date")
    if kind == "timepicker":
        return element.get("selected_time")
    if kind == "users_select":
        return element.get("selected_user")
    if kind == "multi_users_select":
        return list(element.get("selected_users") or [])
    if kind == "conversations_select":
        return element.get("selected_conversation")
    if kind == "channels_select":
        return element.get("selected_channel")
    return element.get("value")
