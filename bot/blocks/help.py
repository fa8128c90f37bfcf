"""The `/mentor help` message."""

from __future__ import annotations

from bot.blocks import kit


def help_text(unknown: str | None) -> str:
    prefix = f"I don't know `/mentor {unknown}`. " if unknown else ""
    return prefix + "Here is what `/mentor` can do."


def unknown_notice(unknown: str) -> kit.Block:
    """Said above the help when someone typed a sub-command there is none of."""
    return kit.section(f":thinking_face: I don't know `/mentor {kit.escape(unknown)}`.")


def command_list(entries: list[tuple[str, str]]) -> list[kit.Block]:
    """One line per sub-command, its usage and what it does: the same for everyone."""
    blocks: list[kit.Block] = [kit.header("MentorBot commands")]
    lines = [f"`{usage}` — {summary}" for usage, summary in entries]
    # A section holds 3000 characters; split long help over several.
    chunk: list[str] = []
    size = 0  # of the chunk joined so far, with a newline after each line
    for line in lines:
        if size + len(line) > 2900:
            blocks.append(kit.section("\n".join(chunk)))
            chunk, size = [], 0
        chunk.append(line)
        size += len(line) + 1
    if chunk:
        blocks.append(kit.section("\n".join(chunk)))
    blocks.append(
        kit.context(
            "Your App Home tab shows your mentorships, requests and next steps at a glance."
        )
    )
    return blocks
