"""Slack's Block Kit rules as the fake applies them: each rule with a payload Slack
takes and one it refuses, worded as Slack words the refusal."""

from __future__ import annotations

from typing import Any

import pytest

from bot.testing import slack_rules as rules


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def section(text: str = "Hello", **more: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **more}


def button(label: str = "Go", **more: Any) -> dict[str, Any]:
    return {"type": "button", "text": plain(label), "action_id": "go", **more}


def option(text: str, value: str | None = None) -> dict[str, Any]:
    return {"text": plain(text), "value": text if value is None else value}


def options(n: int) -> list[dict[str, Any]]:
    return [option(f"Option {i}") for i in range(n)]


def messages(problems: list[rules.Problem]) -> list[str]:
    return [str(p) for p in problems]


def modal(blocks: list[dict[str, Any]], **more: Any) -> dict[str, Any]:
    return {"type": "modal", "title": plain("Log session"), "blocks": blocks, **more}


def text_input_block(block_id: str = "notes") -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "label": plain("Notes"),
        "element": {"type": "plain_text_input", "action_id": "notes"},
    }


# -- slack_sdk's models --------------------------------------------------------------------
def test_the_sdk_models_check_each_block() -> None:
    assert rules.sdk_block(section(), "/blocks/0") == []
    assert messages(rules.sdk_block({"type": "sparkles"}, "/blocks/0")) == [
        "unsupported type: sparkles [json-pointer:/blocks/0/type]"
    ]
    assert messages(rules.sdk_block({"type": "section"}, "/blocks/0")) == [
        "text or fields attribute must be specified [json-pointer:/blocks/0]"
    ]


def test_the_sdk_models_check_a_view() -> None:
    assert rules.sdk_view(modal([section()])) == []
    assert messages(rules.sdk_view(modal([]))) == [
        "views must contain between 1 and 100 blocks [json-pointer:/view]"
    ]


def test_unknown_element_types_are_refused() -> None:
    assert rules.known_element(button(), "/a") == []
    assert messages(rules.known_element({"type": "slider", "action_id": "x"}, "/a")) == [
        "unsupported type: slider [json-pointer:/a/type]"
    ]


# -- blocks --------------------------------------------------------------------------------
def test_a_message_holds_50_blocks_a_modal_and_home_100() -> None:
    assert rules.blocks_problems([section()] * 50, "message") == []
    assert messages(rules.blocks_problems([section()] * 51, "message")) == [
        "must provide no more than 50 items [json-pointer:/blocks]"
    ]
    assert rules.blocks_problems([section()] * 100, "home") == []
    assert rules.blocks_problems([section()] * 101, "modal")


def test_section_text_up_to_3000_and_ten_fields_of_2000() -> None:
    assert rules.section_limits(section("x" * 3000), "/s") == []
    assert messages(rules.section_limits(section("x" * 3001), "/s")) == [
        "must be less than 3001 characters [json-pointer:/s/text/text]"
    ]
    ten = {"type": "section", "fields": [{"type": "mrkdwn", "text": "y" * 2000}] * 10}
    assert rules.section_limits(ten, "/s") == []
    eleven = {"type": "section", "fields": [{"type": "mrkdwn", "text": "y"}] * 11}
    assert messages(rules.section_limits(eleven, "/s")) == [
        "must provide no more than 10 items [json-pointer:/s/fields]"
    ]
    long_field = {"type": "section", "fields": [{"type": "mrkdwn", "text": "y" * 2001}]}
    assert rules.section_limits(long_field, "/s")[0].pointer == "/s/fields/0/text"


def test_header_up_to_150() -> None:
    assert rules.header_limits({"type": "header", "text": plain("h" * 150)}, "/h") == []
    assert rules.header_limits({"type": "header", "text": plain("h" * 151)}, "/h")


def test_context_holds_one_to_ten_elements_actions_one_to_25() -> None:
    text = {"type": "mrkdwn", "text": "c"}
    assert rules.context_limits({"type": "context", "elements": [text] * 10}, "/c") == []
    assert rules.context_limits({"type": "context", "elements": [text] * 11}, "/c")
    assert messages(rules.context_limits({"type": "context", "elements": []}, "/c")) == [
        "must provide at least 1 items [json-pointer:/c/elements]"
    ]
    assert rules.actions_limits({"type": "actions", "elements": [button()] * 25}, "/a") == []
    assert rules.actions_limits({"type": "actions", "elements": [button()] * 26}, "/a")
    assert rules.actions_limits({"type": "actions", "elements": []}, "/a")


def test_ids_up_to_255_and_block_ids_unique() -> None:
    assert rules.id_limits({"block_id": "b" * 255, "action_id": "a" * 255}, "/x") == []
    assert [p.pointer for p in rules.id_limits({"block_id": "b" * 256}, "/x")] == ["/x/block_id"]
    assert [p.pointer for p in rules.id_limits({"action_id": "a" * 256}, "/x")] == ["/x/action_id"]
    assert rules.unique_block_ids([section(block_id="a"), section(block_id="b")], "/b") == []
    assert messages(rules.unique_block_ids([section(block_id="a"), section(block_id="a")], "/b"))
    assert messages(
        rules.unique_block_ids([section(block_id="a"), section(block_id="a")], "/b")
    ) == ["duplicate block_id: a [json-pointer:/b/1/block_id]"]


# -- elements ------------------------------------------------------------------------------
def test_button_text_75_value_1_to_2000_url_3000() -> None:
    assert rules.button_limits(button("b" * 75, value="v" * 2000, url="https://x"), "/e") == []
    assert rules.button_limits(button(), "/e") == []  # no value at all is fine
    assert messages(rules.button_limits(button(value=""), "/e")) == [
        "must be more than 0 characters [json-pointer:/e/value]"
    ]
    assert rules.button_limits(button(value="v" * 2001), "/e")[0].pointer == "/e/value"
    assert rules.button_limits(button("b" * 76), "/e")[0].pointer == "/e/text/text"
    assert rules.button_limits(button(url="u" * 3001), "/e")[0].pointer == "/e/url"


def test_option_text_75_value_150() -> None:
    ok = {"type": "static_select", "options": [option("o" * 75, "v" * 150)]}
    assert rules.option_limits(ok, "/e") == []
    long_text = {"type": "static_select", "options": [option("o" * 76)]}
    assert [p.pointer for p in rules.option_limits(long_text, "/e")] == ["/e/options/0/text/text"]
    grouped = {"option_groups": [{"label": plain("g"), "options": [option("o", "v" * 151)]}]}
    assert [p.pointer for p in rules.option_limits(grouped, "/e")] == [
        "/e/option_groups/0/options/0/value"
    ]


@pytest.mark.parametrize(
    ("kind", "most"),
    [
        ("static_select", 100),
        ("multi_static_select", 100),
        ("checkboxes", 10),
        ("radio_buttons", 10),
    ],
)
def test_option_counts(kind: str, most: int) -> None:
    assert rules.option_counts({"type": kind, "options": options(most)}, "/e") == []
    assert messages(rules.option_counts({"type": kind, "options": []}, "/e")) == [
        "must provide at least 1 items [json-pointer:/e/options]"
    ]
    assert messages(rules.option_counts({"type": kind, "options": options(most + 1)}, "/e")) == [
        f"must provide no more than {most} items [json-pointer:/e/options]"
    ]


def test_initial_options_are_among_the_options() -> None:
    choices = options(3)
    good = {"type": "checkboxes", "options": choices, "initial_options": choices[:2]}
    assert rules.initial_options_offered(good, "/e") == []
    stray = {"type": "checkboxes", "options": choices, "initial_options": [option("Other")]}
    assert messages(rules.initial_options_offered(stray, "/e")) == [
        "must match one of the options [json-pointer:/e/initial_options/0]"
    ]
    radio = {"type": "radio_buttons", "options": choices, "initial_option": option("Other")}
    assert rules.initial_options_offered(radio, "/e")[0].pointer == "/e/initial_option"


def test_placeholder_up_to_150() -> None:
    assert rules.placeholder_limits({"placeholder": plain("p" * 150)}, "/e") == []
    assert rules.placeholder_limits({"placeholder": plain("p" * 151)}, "/e")


def test_number_input_starts_within_its_range() -> None:
    number = {"type": "number_input", "min_value": "1", "max_value": "5"}
    assert rules.number_in_range({**number, "initial_value": "5"}, "/e") == []
    assert rules.number_in_range(number, "/e") == []
    assert messages(rules.number_in_range({**number, "initial_value": "6"}, "/e")) == [
        "must be less than or equal to max_value [json-pointer:/e/initial_value]"
    ]
    assert rules.number_in_range({**number, "initial_value": "0"}, "/e")


# -- messages and views --------------------------------------------------------------------
def test_blocks_need_a_fallback_text_beside_them() -> None:
    assert rules.text_beside_blocks({"blocks": [section()], "text": "Hello"}) == []
    assert rules.text_beside_blocks({"text": "Hello"}) == []
    assert messages(rules.text_beside_blocks({"blocks": [section()]})) == [
        "must be provided beside blocks as their fallback [json-pointer:/text]"
    ]


def test_view_title_submit_close_24_and_private_metadata_3000() -> None:
    fine = modal([section()], submit=plain("s" * 24), private_metadata="m" * 3000)
    assert rules.view_limits(fine) == []
    assert [p.pointer for p in rules.view_limits(modal([section()], close=plain("c" * 25)))] == [
        "/view/close/text"
    ]
    assert rules.view_limits(modal([section()], private_metadata="m" * 3001))[0].pointer == (
        "/view/private_metadata"
    )


def test_a_modal_has_a_title() -> None:
    assert rules.modal_needs_title(modal([section()])) == []
    assert messages(rules.modal_needs_title({"type": "modal", "blocks": [section()]})) == [
        "is required for a modal [json-pointer:/view/title]"
    ]
    assert rules.modal_needs_title({"type": "home", "blocks": [section()]}) == []


def test_a_modal_with_inputs_has_a_submit_button() -> None:
    assert rules.inputs_need_submit(modal([text_input_block()], submit=plain("Save"))) == []
    assert rules.inputs_need_submit(modal([section()])) == []
    assert messages(rules.inputs_need_submit(modal([text_input_block()]))) == [
        "is required when the view has input blocks [json-pointer:/view/submit]"
    ]


def test_attachments_are_checked_with_their_blocks() -> None:
    assert rules.attachments_problems([{"text": "hi", "color": "#36a64f"}]) == []
    assert rules.attachments_problems([{"blocks": [section()]}]) == []
    too_long = rules.attachments_problems([{"blocks": [section("x" * 3001)]}])
    assert "/attachments/0/blocks/0/text/text" in [p.pointer for p in too_long]
    assert rules.attachments_problems("not a list")


# -- Slack's answers -----------------------------------------------------------------------
def test_a_message_refusal_has_slacks_shape() -> None:
    assert rules.message_refusal({"text": "Hi", "blocks": [section()]}) is None
    refused = rules.message_refusal({"text": "Hi", "blocks": [section(), button()]})
    assert refused is not None and refused["ok"] is False
    assert refused["error"] == "invalid_blocks"
    assert refused["errors"] == ["unsupported type: button [json-pointer:/blocks/1/type]"]
    assert refused["response_metadata"]["messages"] == [
        "[ERROR] unsupported type: button [json-pointer:/blocks/1/type]"
    ]
    no_text = rules.message_refusal({"blocks": [section()]})
    assert no_text is not None and no_text["error"] == "invalid_arguments"
    assert rules.message_refusal({"text": "x" * 40001}) == {"ok": False, "error": "msg_too_long"}
    assert rules.message_refusal({"text": "x" * 40000}) is None
    bad_attachment = rules.message_refusal({"text": "Hi", "attachments": [{"color": 3}]})
    assert bad_attachment is not None and bad_attachment["error"] == "invalid_attachments"


def test_a_response_url_asks_no_fallback_text() -> None:
    assert rules.response_refusal({"blocks": [section()]}) is None
    assert rules.response_refusal({"blocks": [section("x" * 3001)]}) is not None


def test_a_view_refusal_is_invalid_arguments_with_the_pointer() -> None:
    assert rules.view_refusal(modal([section()])) is None
    refused = rules.view_refusal(modal([section()], title=plain("A title longer than 24 chars")))
    assert refused is not None and refused["error"] == "invalid_arguments"
    assert (
        "[ERROR] must be less than 25 characters [json-pointer:/view/title/text]"
        in (refused["response_metadata"]["messages"])
    )
    assert rules.view_refusal({"type": "message", "blocks": []}) is not None


def test_errors_name_input_blocks_of_the_view() -> None:
    view = modal([section(block_id="intro"), text_input_block("notes")], submit=plain("Save"))
    assert rules.errors_problems(view, {"notes": "Say more."}) == []
    assert messages(rules.errors_problems(view, {"intro": "No."})) == [
        "must be the block_id of an input block in the view [json-pointer:/errors/intro]"
    ]
    assert rules.errors_problems(view, {})
    assert rules.errors_refusal(view, {"notes": "Say more."}) is None
