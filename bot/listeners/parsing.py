"""Pure parsing of what people send: the text after `/mentor`, and a submitted modal's
values checked against the inputs the modal offered (every form goes through
`submitted_errors` before its service sees a value)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.services import inputs

MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
USER_ID = re.compile(r"[UW][A-Z0-9]{1,30}")
CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{1,30}")
TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
#: Slack's own cap on a plain_text_input without a max_length.
SLACK_TEXT_LIMIT = 3000
#: Past this a number no longer fits the database's integer columns.
LARGEST_NUMBER = 10**9
#: What a request Slack's client could never send (a choice the form doesn't offer, a
#: value of the wrong kind) gets: one message, nothing saved.
CRAFTED = (
    "This form came back with a value it doesn't offer; nothing was saved. "
    "Close it and open it again."
)

Block = dict[str, Any]


def parse_subcommand(text: str | None) -> tuple[str, str]:
    """Split `"match <@U1> focus: QBRs"` into `("match", "<@U1> focus: QBRs")`.
    The sub-command is case-insensitive; the rest is kept as typed, less any control
    character no keyboard types (a NUL byte would not even reach the database)."""
    typed = inputs.without_control_characters(text or "")
    stripped = typed.strip()
    if not stripped:
        return "", ""
    head, _, rest = stripped.partition(" ")
    return head.lower(), rest.strip()


def mentioned_user_ids(text: str) -> list[str]:
    """Slack user ids mentioned as `<@U123>` or `<@U123|name>`, in order."""
    return MENTION.findall(text or "")


def submitted_errors(view: Block) -> dict[str, str]:
    """What is wrong with a submitted modal's values, keyed by the input's block_id,
    judged from the inputs the modal itself offered: text over its limit or holding a
    NUL byte, a number too large for any column, a date outside 1900-2100, a link that
    doesn't parse. A value only a crafted request could send is refused in one message."""
    errors: dict[str, str] = {}
    block_id = ""
    try:
        state = (view.get("state") or {}).get("values") or {}
        for block in view.get("blocks") or []:
            if block.get("type") != "input":
                continue
            block_id = str(block.get("block_id", ""))
            element = block["element"]
            sent = (state.get(block_id) or {}).get(element.get("action_id", ""))
            if not isinstance(sent, dict) or sent.get("type") != element.get("type"):
                return {block_id: CRAFTED}
            problem = _element_problem(element, sent)
            if problem == CRAFTED:
                return {block_id: CRAFTED}
            if problem:
                errors[block_id] = problem
    except (TypeError, KeyError, AttributeError, ValueError):  # a view of the wrong shape
        return {block_id or "_": CRAFTED}
    return errors


def _element_problem(element: Block, sent: Block) -> str | None:
    kind = element["type"]
    if kind in ("plain_text_input", "url_text_input", "email_text_input"):
        return _text_problem(element, sent.get("value"))
    if kind == "number_input":
        return _number_problem(element, sent.get("value"))
    if kind == "datepicker":
        return _date_problem(sent.get("selected_date"))
    if kind == "timepicker":
        value = sent.get("selected_time")
        return None if value is None or TIME.fullmatch(value) else CRAFTED
    if kind in ("static_select", "radio_buttons"):
        chosen = sent.get("selected_option")
        return None if chosen is None or _offered(element, chosen) else CRAFTED
    if kind in ("multi_static_select", "checkboxes"):
        chosen_all = sent.get("selected_options") or []
        return None if all(_offered(element, c) for c in chosen_all) else CRAFTED
    if kind == "users_select":
        return _ids_problem([sent.get("selected_user")], USER_ID)
    if kind == "multi_users_select":
        return _ids_problem(list(sent.get("selected_users") or []), USER_ID)
    if kind == "channels_select":
        return _ids_problem([sent.get("selected_channel")], CHANNEL_ID)
    return None


def _text_problem(element: Block, value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        return CRAFTED
    if len(value) > int(element.get("max_length") or SLACK_TEXT_LIMIT):
        return CRAFTED
    if inputs.has_control_characters(value):
        return inputs.CONTROL_MESSAGE
    if element["type"] == "url_text_input" and not inputs.is_web_link(value):
        return "Enter a full link starting with https://."
    return None


def _number_problem(element: Block, value: object) -> str | None:
    # The range and the wording of a bad number are each form's own (its service
    # says "from 1 to 20"); here only what no number column can hold is refused.
    if value is None:
        return None
    if not isinstance(value, str):
        return CRAFTED
    if inputs.has_control_characters(value):
        return inputs.CONTROL_MESSAGE
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        return None
    if number.is_finite() and abs(number) <= LARGEST_NUMBER:
        return None
    low, high = element.get("min_value"), element.get("max_value")
    span = f" from {low} to {high}" if low is not None and high is not None else ""
    return f"Enter a number{span}."


def _date_problem(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        return CRAFTED
    try:
        inputs.iso_date(value)
    except inputs.OutOfRange as exc:
        return str(exc)
    except ValueError:
        return CRAFTED
    return None


def _offered(element: Block, chosen: object) -> bool:
    values = {o.get("value") for o in element.get("options") or []}
    for group in element.get("option_groups") or []:
        values |= {o.get("value") for o in group.get("options") or []}
    return isinstance(chosen, dict) and chosen.get("value") in values


def _ids_problem(ids: list[object], pattern: re.Pattern[str]) -> str | None:
    ok = all(i is None or (isinstance(i, str) and pattern.fullmatch(i)) for i in ids)
    return None if ok else CRAFTED
