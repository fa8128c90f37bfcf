"""Block Kit for the curriculum (`/mentor curriculum`) and a mentor's resources
(`/mentor resources`)."""

from __future__ import annotations

from bot.blocks import kit
from bot.blocks.actions import CURRICULUM_EDIT
from bot.services.curriculum import Topic
from bot.services.mentorships import Mentorship

WEEK_VIEW = "curriculum.week"
RESOURCE_VIEW = "curriculum.resource"
#: A week takes one block (two with its Edit button): room for the rest in 50.
MOST_WEEKS = 20


def curriculum_message(weeks: dict[int, list[Topic]], admin: bool) -> tuple[str, list[kit.Block]]:
    """The curriculum week by week; Edit and Add buttons for admins."""
    blocks: list[kit.Block] = [
        kit.header("Curriculum"),
        kit.context(
            "Suggested topics for each week of a mentorship (week 1 is its first seven "
            "days): they appear in check-in nudges, the session log and the agenda."
        ),
    ]
    if not weeks:
        blocks.append(kit.section("No curriculum yet."))
    for week, topics in sorted(weeks.items())[:MOST_WEEKS]:
        lines = "\n".join(f"• {kit.link_or_text(t.title, t.url)}" for t in topics)
        blocks.append(kit.section(f"*Week {week}*\n{lines}"))
        if admin:
            blocks.append(kit.actions(kit.button(f"Edit week {week}", CURRICULUM_EDIT, str(week))))
    if len(weeks) > MOST_WEEKS:
        later = [f"week {w}" for w in sorted(weeks)[MOST_WEEKS:]]
        blocks.append(kit.left_out(later, then="`mentorbot curriculum export` for all of them"))
    if admin:
        blocks.append(kit.actions(kit.button("Add a week", CURRICULUM_EDIT, style="primary")))
    return f"Curriculum: {len(weeks)} week(s)", blocks


def week_modal(week: int | None, topics: list[Topic], next_week: int) -> kit.Block:
    """Edit one week's topics (week None: a new week, its number asked)."""
    typed = "\n".join(f"{t.title} | {t.url}" if t.url else t.title for t in topics)
    blocks: list[kit.Block] = []
    if week is None:
        blocks.append(
            kit.input_block(
                "Week",
                "week",
                kit.number_input("week", initial=next_week),
                hint="Week 1 is a mentorship's first seven days.",
            )
        )
    blocks.append(
        kit.input_block(
            "Topics",
            "topics",
            kit.text_input(
                "topics",
                initial=typed or None,
                multiline=True,
                placeholder="Product tour\nDiscovery calls | https://wiki.example.com/discovery",
            ),
            optional=week is not None,
            hint="One topic a line; add a link after a | . Leave empty to drop the week.",
        )
    )
    return kit.modal(
        f"Week {week} topics" if week is not None else "Add a week",
        blocks,
        callback_id=WEEK_VIEW,
        private_metadata=str(week) if week is not None else "",
    )


def week_saved_view(week: int, count: int) -> kit.Block:
    text = (
        f"Week {week} has {count} suggested topic(s) now."
        if count
        else f"Week {week} has no suggested topics now."
    )
    return kit.modal(
        "Curriculum saved",
        [kit.section(text)],
        callback_id="curriculum.saved",
        submit=None,
        close="Done",
    )


def resource_modal(mentorships: list[Mentorship]) -> kit.Block:
    """A mentor shares a resource with one of their mentorships."""
    blocks: list[kit.Block] = []
    if len(mentorships) > 1:
        options = [kit.option(m.other_name, str(m.assignment_id)) for m in mentorships]
        blocks.append(
            kit.input_block("Mentee", "assignment", kit.static_select("assignment", options))
        )
    else:
        blocks.append(kit.context(f"For *{kit.escape(mentorships[0].other_name)}*"))
    blocks += [
        kit.input_block("Title", "title", kit.text_input("title", max_length=200)),
        kit.input_block(
            "Link",
            "url",
            kit.text_input("url", placeholder="https://…"),
            optional=True,
        ),
    ]
    only = str(mentorships[0].assignment_id) if len(mentorships) == 1 else ""
    return kit.modal(
        "Share a resource", blocks, callback_id=RESOURCE_VIEW, submit="Share", private_metadata=only
    )


def resource_shared_view(mentee_name: str) -> kit.Block:
    return kit.modal(
        "Resource shared",
        [kit.section(f"Shared with {kit.escape(mentee_name)}: it shows in `/mentor status`.")],
        callback_id="curriculum.resource_shared",
        submit=None,
        close="Done",
    )


def resource_dm(mentor_name: str, resource: Topic) -> tuple[str, list[kit.Block]]:
    text = f"{mentor_name} shared a resource with you: {resource.title}"
    return text, [
        kit.section(
            f":books: *{kit.escape(mentor_name)}* shared a resource with you: "
            f"{kit.link_or_text(resource.title, resource.url)}"
        ),
        kit.context("`/mentor status` lists every resource your mentor shared."),
    ]
