"""What Slack refuses in `blocks`, `view` and `attachments`, as pure functions.

Each rule takes a piece of a payload and the JSON pointer where it sits and returns
the problems Slack would name, worded as Slack words them ("must be less than 3001
characters [json-pointer:/blocks/1/text/text]"). slack_sdk's own models check what
they can; the rules here add the documented limits the models leave out (counts per
surface, empty button values, initial options outside the options, unique block
ids...). The fake Slack and the test driver answer with `refusal(...)`."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.attachments import Attachment, BlockAttachment
from slack_sdk.models.blocks import Block, BlockElement
from slack_sdk.models.views import View

Surface = Literal["message", "modal", "home"]
Node = dict[str, Any]

MAX_BLOCKS = {"message": 50, "modal": 100, "home": 100}
MESSAGE_TEXT = 40000
SECTION_TEXT = 3000
SECTION_FIELDS = 10
FIELD_TEXT = 2000
HEADER_TEXT = 150
CONTEXT_ELEMENTS = 10
ACTIONS_ELEMENTS = 25
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
URL = 3000
ID = 255
VIEW_TITLE = 24
PRIVATE_METADATA = 3000
OPTION_TEXT = 75
OPTION_VALUE = 150
SELECT_OPTIONS = 100
CHOICE_OPTIONS = 10
PLACEHOLDER = 150

_SELECTS = ("static_select", "multi_static_select")
_CHOICES = ("checkboxes", "radio_buttons")


@dataclass(frozen=True)
class Problem:
    pointer: str
    message: str

    def __str__(self) -> str:
        return f"{self.message} [json-pointer:{self.pointer}]"


def _text(node: Any) -> str:
    if isinstance(node, dict):
        return str(node.get("text", ""))
    return "" if node is None else str(node)


def _longer(value: str, limit: int, pointer: str) -> list[Problem]:
    if len(value) > limit:
        return [Problem(pointer, f"must be less than {limit + 1} characters")]
    return []


def _more(items: list[Any], limit: int, pointer: str) -> list[Problem]:
    if len(items) > limit:
        return [Problem(pointer, f"must provide no more than {limit} items")]
    return []


# -- rules on one block --------------------------------------------------------------------
def sdk_block(block: Node, at: str) -> list[Problem]:
    """slack_sdk's model of the block: unknown types and what its validators refuse."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the models warn about keys they don't model
        try:
            parsed = Block.parse(block)
            if parsed is None:
                return [Problem(f"{at}/type", f"unsupported type: {block.get('type')}")]
            parsed.to_dict()  # validates this block and every object inside it
        except (SlackObjectFormationError, TypeError, KeyError, AttributeError) as exc:
            return [Problem(at, str(exc) or type(exc).__name__)]
    return []


def section_limits(block: Node, at: str) -> list[Problem]:
    found = _longer(_text(block.get("text")), SECTION_TEXT, f"{at}/text/text")
    items = block.get("fields") or []
    found += _more(items, SECTION_FIELDS, f"{at}/fields")
    for index, item in enumerate(items):
        found += _longer(_text(item), FIELD_TEXT, f"{at}/fields/{index}/text")
    return found


def header_limits(block: Node, at: str) -> list[Problem]:
    return _longer(_text(block.get("text")), HEADER_TEXT, f"{at}/text/text")


def _fewer(items: Any, pointer: str) -> list[Problem]:
    if not isinstance(items, list) or not items:
        return [Problem(pointer, "must provide at least 1 items")]
    return []


def context_limits(block: Node, at: str) -> list[Problem]:
    """One to ten elements."""
    elements = block.get("elements")
    return _fewer(elements, f"{at}/elements") or _more(elements, CONTEXT_ELEMENTS, f"{at}/elements")


def actions_limits(block: Node, at: str) -> list[Problem]:
    """One to 25 elements."""
    elements = block.get("elements")
    return _fewer(elements, f"{at}/elements") or _more(elements, ACTIONS_ELEMENTS, f"{at}/elements")


def id_limits(node: Node, at: str) -> list[Problem]:
    """block_id and action_id are at most 255 characters."""
    found: list[Problem] = []
    for key in ("block_id", "action_id"):
        if key in node:
            found += _longer(str(node[key]), ID, f"{at}/{key}")
    return found


# -- rules on one element ------------------------------------------------------------------
def known_element(element: Node, at: str) -> list[Problem]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if BlockElement.parse(element) is None:
            return [Problem(f"{at}/type", f"unsupported type: {element.get('type')}")]
    return []


def button_limits(element: Node, at: str) -> list[Problem]:
    """Text up to 75, a value of 1 to 2,000 characters when there is one, url up to 3,000."""
    found = _longer(_text(element.get("text")), BUTTON_TEXT, f"{at}/text/text")
    if "value" in element:
        value = str(element["value"])
        if not value:
            found.append(Problem(f"{at}/value", "must be more than 0 characters"))
        found += _longer(value, BUTTON_VALUE, f"{at}/value")
    if "url" in element:
        found += _longer(str(element["url"]), URL, f"{at}/url")
    return found


def _options(element: Node) -> Iterator[tuple[str, Node]]:
    """Each option with its pointer suffix, also inside option groups."""
    for index, option in enumerate(element.get("options") or []):
        yield f"/options/{index}", option
    for g, group in enumerate(element.get("option_groups") or []):
        for index, option in enumerate(group.get("options") or []):
            yield f"/option_groups/{g}/options/{index}", option


def option_limits(element: Node, at: str) -> list[Problem]:
    """Every option's text up to 75 characters and value up to 150."""
    found: list[Problem] = []
    for suffix, option in _options(element):
        found += _longer(_text(option.get("text")), OPTION_TEXT, f"{at}{suffix}/text/text")
        found += _longer(str(option.get("value", "")), OPTION_VALUE, f"{at}{suffix}/value")
    return found


def option_counts(element: Node, at: str) -> list[Problem]:
    """Static and multi-static selects hold 1 to 100 options; checkboxes and radio
    buttons 1 to 10."""
    kind = element.get("type")
    offered = [o for _, o in _options(element)]
    if kind in _SELECTS:
        return _fewer(offered, f"{at}/options") or _more(offered, SELECT_OPTIONS, f"{at}/options")
    if kind in _CHOICES:
        options = element.get("options")
        return _fewer(options, f"{at}/options") or _more(options, CHOICE_OPTIONS, f"{at}/options")
    return []


def initial_options_offered(element: Node, at: str) -> list[Problem]:
    """An initial option must be one of the element's options, exactly."""
    offered = [json.dumps(o, sort_keys=True) for _, o in _options(element)]
    found: list[Problem] = []
    initial = element.get("initial_option")
    if initial is not None and json.dumps(initial, sort_keys=True) not in offered:
        found.append(Problem(f"{at}/initial_option", "must match one of the options"))
    for index, option in enumerate(element.get("initial_options") or []):
        if json.dumps(option, sort_keys=True) not in offered:
            found.append(Problem(f"{at}/initial_options/{index}", "must match one of the options"))
    return found


def placeholder_limits(element: Node, at: str) -> list[Problem]:
    if "placeholder" not in element:
        return []
    return _longer(_text(element["placeholder"]), PLACEHOLDER, f"{at}/placeholder/text")


def number_in_range(element: Node, at: str) -> list[Problem]:
    """A number input's initial value lies between its min and max."""
    if element.get("type") != "number_input" or element.get("initial_value") in (None, ""):
        return []
    try:
        initial = float(element["initial_value"])
        low = float(element["min_value"]) if element.get("min_value") not in (None, "") else None
        high = float(element["max_value"]) if element.get("max_value") not in (None, "") else None
    except ValueError:
        return [Problem(f"{at}/initial_value", "must be a number")]
    if low is not None and initial < low:
        return [Problem(f"{at}/initial_value", "must be greater than or equal to min_value")]
    if high is not None and initial > high:
        return [Problem(f"{at}/initial_value", "must be less than or equal to max_value")]
    return []


BLOCK_RULES: dict[str, list[Callable[[Node, str], list[Problem]]]] = {
    "section": [section_limits],
    "header": [header_limits],
    "context": [context_limits],
    "actions": [actions_limits],
}
ELEMENT_RULES: list[Callable[[Node, str], list[Problem]]] = [
    known_element,
    id_limits,
    option_limits,
    option_counts,
    initial_options_offered,
    placeholder_limits,
    number_in_range,
]


def _elements(block: Node, at: str) -> Iterator[tuple[Node, str]]:
    """The interactive elements of a block, with their pointers."""
    if block.get("type") == "actions":
        for index, element in enumerate(block.get("elements") or []):
            yield element, f"{at}/elements/{index}"
    if isinstance(block.get("accessory"), dict):
        yield block["accessory"], f"{at}/accessory"
    if block.get("type") == "input" and isinstance(block.get("element"), dict):
        yield block["element"], f"{at}/element"


def element_problems(element: Node, at: str) -> list[Problem]:
    found = [p for rule in ELEMENT_RULES for p in rule(element, at)]
    if element.get("type") == "button":
        found += button_limits(element, at)
    return found


def block_problems(block: Node, at: str) -> list[Problem]:
    """Everything Slack refuses in one block, its elements included."""
    if not isinstance(block, dict):
        return [Problem(at, "must be an object")]
    found = sdk_block(block, at) + id_limits(block, at)
    for rule in BLOCK_RULES.get(str(block.get("type")), []):
        found += rule(block, at)
    for element, where in _elements(block, at):
        found += element_problems(element, where)
    return found


# -- rules on a list of blocks, a message, a view ------------------------------------------
def unique_block_ids(blocks: list[Node], at: str) -> list[Problem]:
    """A block_id appears once per message or view."""
    seen: set[str] = set()
    found: list[Problem] = []
    for index, block in enumerate(blocks):
        block_id = block.get("block_id") if isinstance(block, dict) else None
        if block_id is None:
            continue
        if block_id in seen:
            found.append(Problem(f"{at}/{index}/block_id", f"duplicate block_id: {block_id}"))
        seen.add(block_id)
    return found


def blocks_problems(blocks: Any, surface: Surface, at: str = "/blocks") -> list[Problem]:
    """Everything Slack refuses in `blocks` on `surface` (50 blocks in a message,
    100 in a modal or the Home tab)."""
    if not isinstance(blocks, list):
        return [Problem(at, "must be an array")]
    found = _more(blocks, MAX_BLOCKS[surface], at)
    for index, block in enumerate(blocks):
        found += block_problems(block, f"{at}/{index}")
    return found + unique_block_ids(blocks, at)


def text_beside_blocks(args: Node) -> list[Problem]:
    """A message with blocks carries a top-level `text`: the notification and
    screen-reader fallback Slack asks for."""
    if args.get("blocks") and not str(args.get("text") or "").strip():
        return [Problem("/text", "must be provided beside blocks as their fallback")]
    return []


def view_limits(view: Node, at: str = "/view") -> list[Problem]:
    """Title, submit and close up to 24 characters; private_metadata up to 3,000."""
    found: list[Problem] = []
    for key in ("title", "submit", "close"):
        if key in view:
            found += _longer(_text(view[key]), VIEW_TITLE, f"{at}/{key}/text")
    found += _longer(
        str(view.get("private_metadata") or ""), PRIVATE_METADATA, f"{at}/private_metadata"
    )
    for key in ("callback_id", "external_id"):
        if key in view:
            found += _longer(str(view[key]), ID, f"{at}/{key}")
    return found


def inputs_need_submit(view: Node, at: str = "/view") -> list[Problem]:
    """A modal with an input block has a submit button, or nobody could send it."""
    has_input = any(
        isinstance(b, dict) and b.get("type") == "input" for b in view.get("blocks") or []
    )
    if view.get("type") == "modal" and has_input and not view.get("submit"):
        return [Problem(f"{at}/submit", "is required when the view has input blocks")]
    return []


def modal_needs_title(view: Node, at: str = "/view") -> list[Problem]:
    if view.get("type") == "modal" and not _text(view.get("title")):
        return [Problem(f"{at}/title", "is required for a modal")]
    return []


def sdk_view(view: Node, at: str = "/view") -> list[Problem]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            View(**view).to_dict()
        except (SlackObjectFormationError, TypeError, KeyError, AttributeError) as exc:
            return [Problem(at, str(exc) or type(exc).__name__)]
    return []


def view_problems(view: Any, at: str = "/view") -> list[Problem]:
    """Everything Slack refuses in a modal or Home tab view."""
    if not isinstance(view, dict):
        return [Problem(at, "must be an object")]
    kind = view.get("type")
    if kind not in ("modal", "home"):
        return [Problem(f"{at}/type", f"unsupported type: {kind}")]
    surface: Surface = "modal" if kind == "modal" else "home"
    found = blocks_problems(view.get("blocks"), surface, f"{at}/blocks")
    found += view_limits(view, at) + modal_needs_title(view, at) + inputs_need_submit(view, at)
    return _unique(found + sdk_view(view, at))


def errors_problems(view: Node, errors: Any) -> list[Problem]:
    """`response_action: errors` names input blocks of the submitted view: Slack can
    show a message only under an input, and refuses the answer otherwise."""
    if not isinstance(errors, dict) or not errors:
        return [Problem("/errors", "must be an object naming at least one input block")]
    inputs = {
        b.get("block_id")
        for b in view.get("blocks") or []
        if isinstance(b, dict) and b.get("type") == "input"
    }
    return [
        Problem(f"/errors/{block_id}", "must be the block_id of an input block in the view")
        for block_id in errors
        if block_id not in inputs
    ]


def attachments_problems(attachments: Any, at: str = "/attachments") -> list[Problem]:
    """Legacy attachments: slack_sdk's models, and Block Kit rules for their blocks."""
    if not isinstance(attachments, list):
        return [Problem(at, "must be an array")]
    found: list[Problem] = []
    for index, attachment in enumerate(attachments):
        where = f"{at}/{index}"
        if not isinstance(attachment, dict):
            found.append(Problem(where, "must be an object"))
            continue
        model: type[Attachment] | type[BlockAttachment]
        model = BlockAttachment if "blocks" in attachment else Attachment
        fields = {k: v for k, v in attachment.items() if k != "blocks"}
        if "blocks" in attachment:
            found += blocks_problems(attachment["blocks"], "message", f"{where}/blocks")
            fields["blocks"] = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                model(**fields).to_dict()  # type: ignore[arg-type]
            except (SlackObjectFormationError, TypeError) as exc:
                found.append(Problem(where, str(exc)))
    return found


def _unique(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


# -- Slack's answers -----------------------------------------------------------------------
def message_refusal(args: Node, *, fallback_required: bool = True) -> Node | None:
    """What chat.postMessage / postEphemeral / update answer for these arguments, or
    None when Slack takes them."""
    if "attachments" in args and args["attachments"] not in (None, "", []):
        problems = attachments_problems(args["attachments"])
        if problems:
            return refusal("invalid_attachments", problems)
    if args.get("blocks") not in (None, "", []):
        problems = blocks_problems(args["blocks"], "message")
        if problems:
            return refusal("invalid_blocks", problems, listed=True)
    if len(str(args.get("text") or "")) > MESSAGE_TEXT:
        return {"ok": False, "error": "msg_too_long"}
    problems = text_beside_blocks(args) if fallback_required else []
    return refusal("invalid_arguments", problems) if problems else None


def response_refusal(body: Node) -> Node | None:
    """What a response_url answers for this message body (HTTP 400 with the error),
    or None. It notifies nobody, so no fallback text is asked for."""
    return message_refusal(body, fallback_required=False)


def view_refusal(view: Any) -> Node | None:
    """What views.open / push / update / publish answer for this view, or None."""
    problems = view_problems(view)
    return refusal("invalid_arguments", problems) if problems else None


def errors_refusal(view: Node, errors: Any) -> Node | None:
    """What Slack does with a view submission answered `response_action: errors`."""
    problems = errors_problems(view, errors)
    return refusal("invalid_arguments", problems) if problems else None


def refusal(error: str, problems: list[Problem], *, listed: bool = False) -> Node:
    """Slack's `ok: false` body: the error, and each problem in
    response_metadata.messages (chat methods also list them under `errors`)."""
    body: Node = {
        "ok": False,
        "error": error,
        "response_metadata": {"messages": [f"[ERROR] {p}" for p in problems]},
    }
    if listed:
        body["errors"] = [str(p) for p in problems]
    return body
