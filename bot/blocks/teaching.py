"""The "Topics you teach" modal (`/mentor teach`) and what it says once saved."""

from __future__ import annotations

from bot.blocks import kit
from bot.services.reverse import TeachingTopics

TEACH_VIEW = "mentor.teach"


def teach_modal(form: TeachingTopics) -> kit.Block:
    """The program skills to choose from, pre-filled with the topics taught now."""
    options = [kit.option(skill, skill) for skill in form.skills]
    intro = (
        "Newer hires often know a tool or a market best. Say what you can teach: managers "
        "find you with `/mentor match @person reverse <topic>` for a *reverse mentorship*, "
        "with no tenure rule."
        if form.reverse_only
        else "These are the expertise areas of your mentor profile: the standard matching "
        "and the reverse matching both use them."
    )
    return kit.modal(
        "Topics you teach",
        [
            kit.section(intro),
            kit.input_block(
                "Topics you can teach",
                "expertise",
                kit.multi_static_select("expertise", options, initial=form.topics),
                hint="Choose from the program's skills.",
            ),
        ],
        callback_id=TEACH_VIEW,
        submit="Save",
    )


def teach_saved(saved: TeachingTopics) -> tuple[str, kit.Block]:
    """The modal's last word: what was saved (or that nothing changed)."""
    if not saved.changed:
        text = "Nothing changed: your topics are as they were."
    else:
        text = "Saved. You teach: " + ", ".join(saved.topics) + "."
    return text, kit.modal(
        "Topics you teach",
        [kit.section(kit.escape(text))],
        callback_id="notice",
        submit=None,
        close="Close",
    )
