"""Block Kit for the ramp milestone templates editor (`/mentor milestones templates`)."""

from __future__ import annotations

from bot.blocks import kit
from bot.blocks.actions import TEMPLATE_EDIT, TEMPLATE_RETIRE, TEMPLATE_UP
from bot.services.milestone_templates import VERIFIED_BY, TemplateView

EDIT_VIEW = "milestone_template.edit"
APPLY = "apply"
FINAL = "final"
#: Two blocks a template, under Slack's 50 blocks a message with room for the rest.
MOST_SHOWN = 20

LABELS = {
    "name": "Name",
    "description": "Description",
    "days_from_hire": "Target (days from hire)",
    "skill": "Skill",
    "verification": "How it is verified",
    "is_final": "Fully ramped",
    "apply": "Hires already given it",
}


def templates_message(templates: list[TemplateView]) -> tuple[str, list[kit.Block]]:
    """The program's ramp, in order, with Edit / Move up / Retire on each."""
    current = [t for t in templates if t.is_active]
    retired = [t for t in templates if not t.is_active]
    blocks: list[kit.Block] = [
        kit.header("Ramp milestone templates"),
        kit.context(
            "Every new hire is given these, in this order. Changes reach new hires; "
            "hires already given a milestone keep theirs unless you apply the change."
        ),
    ]
    for place, template in enumerate(current[:MOST_SHOWN]):
        blocks.append(kit.section(_line(place + 1, template)))
        buttons = [kit.button("Edit", TEMPLATE_EDIT, template.key)]
        if place:
            buttons.append(kit.button("Move up", TEMPLATE_UP, template.key))
        if not template.fields.is_final:
            buttons.append(
                kit.button(
                    "Retire",
                    TEMPLATE_RETIRE,
                    template.key,
                    style="danger",
                    confirm=_retire_confirm(template),
                )
            )
        blocks.append(kit.actions(*buttons))
    if len(current) > MOST_SHOWN:
        blocks.append(kit.left_out([t.fields.name for t in current[MOST_SHOWN:]], "templates"))
    if retired:
        blocks.append(
            kit.context("Retired: " + ", ".join(kit.escape(t.fields.name) for t in retired))
        )
    blocks.append(kit.actions(kit.button("Add a template", TEMPLATE_EDIT, style="primary")))
    return f"Ramp milestone templates: {len(current)}", blocks


def _line(place: int, template: TemplateView) -> str:
    f = template.fields
    parts = [f"day {f.days_from_hire}", f"verified: {VERIFIED_BY[f.verification]}"]
    if f.skill:
        parts.append(f"skill: {kit.escape(f.skill)}")
    final = " · *means fully ramped*" if f.is_final else ""
    text = f"*{place}. {kit.escape(f.name)}* — {' · '.join(parts)}{final}"
    if f.description:
        text += f"\n{kit.escape(f.description)}"
    return text


def _retire_confirm(template: TemplateView) -> kit.Block:
    return {
        "title": kit.plain("Retire this milestone?"),
        "text": kit.mrkdwn(
            f"New hires will no longer be given *{kit.escape(template.fields.name)}*. "
            "Hires who have it keep it."
        ),
        "confirm": kit.plain("Retire"),
        "deny": kit.plain("Keep it"),
    }


def edit_modal(template: TemplateView | None, skills: list[str], behind: int) -> kit.Block:
    """Add (template None) or edit one template; `behind` is how many hires an
    "apply" would reach, told before the admin chooses."""
    f = template.fields if template else None
    skill_options = [kit.option(s, s) for s in skills[:100]]
    blocks: list[kit.Block] = [
        kit.input_block(
            LABELS["name"],
            "name",
            kit.text_input("name", initial=f.name if f else None, max_length=200),
        ),
        kit.input_block(
            LABELS["description"],
            "description",
            kit.text_input("description", initial=f.description if f else None, multiline=True),
            optional=True,
        ),
        kit.input_block(
            LABELS["days_from_hire"],
            "days_from_hire",
            kit.number_input("days_from_hire", initial=f.days_from_hire if f else 30),
            hint="The target date is the hire date plus this many days.",
        ),
    ]
    if skill_options:
        blocks.append(
            kit.input_block(
                LABELS["skill"],
                "skill",
                kit.static_select("skill", skill_options, initial=f.skill if f else None),
                optional=True,
            )
        )
    blocks += [
        kit.input_block(
            LABELS["verification"],
            "verification",
            kit.radio_buttons(
                "verification",
                [kit.option(text.capitalize(), value) for value, text in VERIFIED_BY.items()],
                initial=f.verification if f else "mentor_verified",
            ),
        ),
        kit.input_block(
            LABELS["is_final"],
            "is_final",
            kit.checkboxes(
                "is_final",
                [kit.option("Reaching this means the hire is fully ramped", FINAL)],
                initial=[FINAL] if f and f.is_final else [],
            ),
            optional=True,
            hint="One template means fully ramped; marking this one unmarks the other.",
        ),
    ]
    if behind:
        what = "this change" if template else "this milestone"
        blocks += [
            kit.section(f"Apply {what} to the {behind} hire(s) who haven't reached it?"),
            kit.input_block(
                LABELS["apply"],
                "apply",
                kit.checkboxes("apply", [kit.option(f"Apply to {behind} hire(s)", APPLY)]),
                optional=True,
                hint="Left unticked, only new hires get it; achieved milestones never change.",
            ),
        ]
    return kit.modal(
        "Edit milestone" if template else "Add a milestone",
        blocks,
        callback_id=EDIT_VIEW,
        private_metadata=template.key if template else "",
    )


def saved_view(template: TemplateView, changed: list[str], applied: int) -> kit.Block:
    """What the save did, in the modal that made it."""
    if not changed and not applied:
        text = f"Nothing changed in *{kit.escape(template.fields.name)}*."
    elif changed == ["added"]:
        text = f"Added *{kit.escape(template.fields.name)}*: new hires are given it."
    else:
        names = ", ".join(LABELS.get(c, c).lower() for c in changed) or "nothing"
        text = f"Saved *{kit.escape(template.fields.name)}* ({names} changed)."
    if applied:
        text += f" Applied to {applied} hire(s) who hadn't reached it."
    elif changed:
        text += " Hires already given it keep the milestone they have."
    return kit.modal(
        "Milestone saved",
        [kit.section(text)],
        callback_id="milestone_template.saved",
        submit=None,
        close="Done",
    )
