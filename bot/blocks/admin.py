"""Block Kit for program administration: the settings modal and its home entry."""

from __future__ import annotations

from bot.blocks import kit
from bot.blocks.actions import ADMIN_SETTINGS_OPEN
from bot.services.admin import CERTIFICATION_REQUIRED
from bot.services.program import ProgramConfig

SETTINGS_VIEW = "admin.settings"

#: Setting -> the label of its input (block ids are the setting names, so the
#: service's InvalidInput lands on the right field).
LABELS = {
    "min_tenure_days": "Minimum tenure (days)",
    "min_performance_rating": "Minimum performance rating",
    "require_certification": "Certification",
    "default_capacity": "Default capacity",
    "max_capacity": "Maximum capacity",
    "skills": "Skills",
    "required_trainings": "Required trainings",
    "recognition_channel": "Recognition channel",
    "end_of_term_notice_days": "Ask to complete or extend (days before the end)",
    "auto_complete_after_days": "Complete by itself (days after the end)",
}


def settings_modal(config: ProgramConfig) -> kit.Block:
    rating = config.min_performance_rating
    blocks = [
        kit.section("*Who may mentor*"),
        kit.input_block(
            LABELS["min_tenure_days"],
            "min_tenure_days",
            kit.number_input("min_tenure_days", initial=config.min_tenure_days, min_value=0),
            hint="Days since the roster's hire date. 0 for no minimum.",
        ),
        kit.input_block(
            LABELS["min_performance_rating"],
            "min_performance_rating",
            kit.text_input(
                "min_performance_rating",
                initial=f"{rating:g}" if rating is not None else None,
                placeholder="e.g. 3.5 — empty for no minimum",
            ),
            optional=True,
            hint="Compared with the roster's performance_rating column.",
        ),
        kit.input_block(
            LABELS["require_certification"],
            "require_certification",
            kit.checkboxes(
                "require_certification",
                [kit.option("Mentors must be certified before they are matched", "required")],
                initial=[CERTIFICATION_REQUIRED] if config.require_certification else [],
            ),
            optional=True,
            hint="Uncertified people may still opt in; they wait until certified.",
        ),
        kit.section("*Capacity*"),
        kit.input_block(
            LABELS["default_capacity"],
            "default_capacity",
            kit.number_input("default_capacity", initial=config.default_capacity, min_value=1),
            hint="Pre-filled for new mentors.",
        ),
        kit.input_block(
            LABELS["max_capacity"],
            "max_capacity",
            kit.number_input("max_capacity", initial=config.max_capacity, min_value=1),
            hint="The most mentees anyone may take at once.",
        ),
        kit.section("*Expertise, training, recognition*"),
        kit.input_block(
            LABELS["skills"],
            "skills",
            kit.text_input("skills", initial="\n".join(config.skills), multiline=True),
            hint="One per line. Mentors choose their expertise from these; matching uses them.",
        ),
        kit.input_block(
            LABELS["required_trainings"],
            "required_trainings",
            kit.text_input(
                "required_trainings",
                initial="\n".join(t.name for t in config.required_trainings),
                multiline=True,
            ),
            optional=True,
            hint="One per line. A mentor who has done them all is certified automatically.",
        ),
        kit.input_block(
            LABELS["recognition_channel"],
            "recognition_channel",
            kit.channels_select("recognition_channel", initial=config.recognition_channel),
            optional=True,
            hint="Shout-outs for well-rated completed mentorships are posted here.",
        ),
        kit.section("*The end of a mentorship*"),
        _days(
            config,
            "end_of_term_notice_days",
            0,
            "Both sides and the manager get Complete / Extend this long before it.",
        ),
        _days(
            config,
            "auto_complete_after_days",
            1,
            "Nobody completed it this long after the end: it completes without feedback.",
        ),
    ]
    return kit.modal("Program settings", blocks, callback_id=SETTINGS_VIEW, submit="Save")


def _days(config: ProgramConfig, field: str, least: int, hint: str) -> kit.Block:
    initial = getattr(config, field)
    return kit.input_block(
        LABELS[field], field, kit.number_input(field, initial=initial, min_value=least), hint=hint
    )


def settings_saved(changed: list[str]) -> str:
    if not changed:
        return "Program settings: nothing changed."
    return "Program settings saved: " + ", ".join(LABELS.get(c, c) for c in changed) + "."


def admin_home_section() -> list[kit.Block]:
    return [
        kit.section(
            "*Program admin* · eligibility, capacity, skills, trainings, recognition.",
            accessory=kit.button("Program settings", ADMIN_SETTINGS_OPEN),
        )
    ]
