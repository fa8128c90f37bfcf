"""Block Kit as the plain text a person reads: for the CLI's reports, the demo and test asserts."""

from __future__ import annotations

import re
from typing import Any

#: The emoji the reports use, as words a terminal shows.
EMOJI_WORDS = {"white_check_mark": "[met]", "warning": "[!]", "hourglass": "[waiting]"}


def element_text(obj: Any) -> str:
    """The text a person reads: mrkdwn's escapes (&amp; &lt; &gt;) shown as Slack shows them."""
    if isinstance(obj, dict):
        text = str(obj.get("text", ""))
        if obj.get("type") == "mrkdwn":
            text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        return text
    return str(obj or "")


def render_blocks(blocks: list[dict[str, Any]] | None) -> str:
    """Readable lines: headers in caps, sections, fields, context, [Buttons], inputs."""
    lines: list[str] = []
    for block in blocks or []:
        kind = block.get("type")
        if kind == "header":
            lines.append(element_text(block.get("text")).upper())
        elif kind == "section":
            if block.get("text"):
                lines.append(element_text(block["text"]))
            for field in block.get("fields") or []:
                lines.append("  " + element_text(field))
            accessory = block.get("accessory")
            if accessory and accessory.get("type") == "button":
                lines.append(f"  [{element_text(accessory.get('text'))}]")
        elif kind == "context":
            lines.append("  " + " · ".join(element_text(e) for e in block.get("elements", [])))
        elif kind == "image":
            lines.append(f"  [image: {element_text(block.get('title')) or block.get('alt_text')}]")
        elif kind == "divider":
            lines.append("  ----")
        elif kind == "actions":
            labels = [
                f"[{element_text(e.get('text'))}]"
                for e in block.get("elements", [])
                if e.get("type") == "button"
            ]
            others = [
                e.get("type", "") for e in block.get("elements", []) if e.get("type") != "button"
            ]
            lines.append("  " + " ".join(labels + [f"<{o}>" for o in others]))
        elif kind == "input":
            label = element_text(block.get("label"))
            element = block.get("element", {})
            initial = (
                element.get("initial_value")
                or element.get("initial_date")
                or element.get("initial_time")
                or (f"#{element['initial_channel']}" if element.get("initial_channel") else "")
                or element_text((element.get("initial_option") or {}).get("text"))
                or ", ".join(
                    element_text(o.get("text")) for o in element.get("initial_options") or []
                )
            )
            optional = " (optional)" if block.get("optional") else ""
            lines.append(f"  {label}{optional}: {initial or '____'}")
    return "\n".join(lines)


def render_view(view: dict[str, Any]) -> str:
    title = element_text(view.get("title"))
    head = f"┌ {title} ┐" if title else ""
    buttons = []
    if view.get("submit"):
        buttons.append(f"[{element_text(view['submit'])}]")
    return "\n".join(x for x in (head, render_blocks(view.get("blocks")), " ".join(buttons)) if x)


def terminal_text(text: str) -> str:
    """Rendered blocks as plain terminal text: no Slack markup (*bold*, _italic_,
    `code`, ```blocks```, :emoji:)."""
    text = text.replace("```", "")
    text = re.sub(r":([a-z0-9_+-]+):", lambda m: EMOJI_WORDS.get(m.group(1), ""), text)
    text = re.sub(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])", r"\1", text)
    text = re.sub(r"(?<!\w)_([^_\n]+)_(?!\w)", r"\1", text)
    return text.replace("`", "")
