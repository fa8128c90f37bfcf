"""Block Kit for program administration: the settings chooser, one modal per group of
settings, the summary of a change, and the admin's App Home entry.

Each input's block id is the setting's dotted name (`match_weights.expertise`), so the
check's InvalidInput lands on the field at fault."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.blocks import kit
from bot.blocks.actions import ADMIN_SETTINGS_OPEN, ADMIN_SETTINGS_SECTION
from bot.services import program
from bot.services.admin import CERTIFICATION_REQUIRED, Change
from bot.services.program import SHARE_TARGETS, ProgramConfig
from models import CADENCES

CHOOSER_VIEW = "admin.settings"
SECTION_VIEW = "admin.settings_section"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Field:
    """One setting in a modal: `kind` says which input edits it."""

    name: str
    label: str
    kind: str = "number"  # number, text, long_text, lines, rating, certification,
    # channel, cadence, days, ramp_skills, trainings
    hint: str = ""
    optional: bool = False


@dataclass(frozen=True)
class Section:
    key: str
    title: str  # the button on the chooser
    modal_title: str  # at most 24 characters
    what: str  # one line on the chooser
    fields: tuple[Field, ...]


def _f(name: str, label: str, hint: str = "", kind: str = "number", **more: Any) -> Field:
    return Field(name, label, kind, hint, **more)


SECTIONS: tuple[Section, ...] = (
    Section(
        "program",
        "Program",
        "Program",
        "Cadence and length of a mentorship, expectations, skills, trainings, recognition, "
        "the end of a term.",
        (
            _f("default_cadence", "Default check-in cadence", kind="cadence"),
            _f("default_duration_weeks", "Default length (weeks)", "Pre-filled when assigning."),
            _f(
                "expectations",
                "Expectations",
                "Shown to mentor and mentee when a mentorship starts.",
                kind="long_text",
            ),
            _f(
                "skills",
                "Skills",
                "One per line. Mentors choose their expertise from these; matching uses them.",
                kind="lines",
            ),
            _f(
                "required_trainings",
                "Required trainings",
                "One per line. A mentor who has done them all is certified automatically.",
                kind="trainings",
                optional=True,
            ),
            _f(
                "recognition_channel",
                "Recognition channel",
                "Shout-outs for well-rated completed mentorships are posted here.",
                kind="channel",
                optional=True,
            ),
            _f(
                "end_of_term_notice_days",
                "Ask to complete or extend (days before the end)",
                "Both sides and the manager get Complete / Extend this long before it.",
            ),
            _f(
                "auto_complete_after_days",
                "Complete by itself (days after the end)",
                "Nobody completed it this long after the end: it completes without feedback.",
            ),
        ),
    ),
    Section(
        "eligibility",
        "Eligibility",
        "Eligibility",
        "Who may mentor, capacity, who counts as a new hire and when one is flagged.",
        (
            _f("min_tenure_days", "Minimum tenure (days)", "Days since the roster's hire date."),
            _f(
                "min_performance_rating",
                "Minimum performance rating",
                "Compared with the roster's performance_rating column; empty for no minimum.",
                kind="rating",
                optional=True,
            ),
            _f(
                "require_certification",
                "Certification",
                "Uncertified people may still opt in; they wait until certified.",
                kind="certification",
                optional=True,
            ),
            _f("default_capacity", "Default capacity", "Pre-filled for new mentors."),
            _f("max_capacity", "Maximum capacity", "The most mentees anyone may take at once."),
            _f(
                "new_hire_window_days",
                "New-hire window (days)",
                "Hired this recently: a new hire, who should have a mentor.",
            ),
            _f(
                "coverage_days",
                "Coverage delay (days)",
                "A new hire still without a mentor this long after their hire date is flagged.",
            ),
        ),
    ),
    Section(
        "matching",
        "Matching",
        "Matching",
        "How mentors are suggested and how they are ranked.",
        (
            _f("match_weights.expertise", "Match weight: expertise", "Skills the hire needs."),
            _f("match_weights.timezone", "Match weight: location", "Timezones close together."),
            _f("match_weights.success", "Match weight: past success", "Completed, well rated."),
            _f(
                "success_smoothing",
                "Past success: mentorships at the average",
                "A mentor's record is blended with this many average mentorships.",
            ),
            _f(
                "default_ramp_skills",
                "Skills a new hire needs by default",
                "Matched on when a hire has not assessed their skills.",
                kind="ramp_skills",
                optional=True,
            ),
            _f("effectiveness_weights.rating", "Ranking weight: mentee rating"),
            _f("effectiveness_weights.completion", "Ranking weight: sessions held"),
            _f("effectiveness_weights.ramp", "Ranking weight: ramp time"),
            _f("effectiveness_weights.responsiveness", "Ranking weight: response times"),
            _f(
                "effectiveness_prior_mentorships",
                "Ranking: mentorships at the average",
                "Each mentor starts with this many average mentorships in the ranking.",
            ),
        ),
    ),
    Section(
        "reminders",
        "Reminders and working hours",
        "Reminders & hours",
        "When reminders may reach people, and how long each waits before it is sent.",
        (
            _f(
                "default_timezone",
                "Default timezone",
                "For people whose Slack profile has none, e.g. Europe/London.",
                kind="text",
            ),
            _f("work_start_hour", "Working hours start (hour, 0-23)", "In each person's zone."),
            _f("work_end_hour", "Working hours end (hour, 1-24)", "Reminders wait until then."),
            _f("work_days", "Working days", kind="days"),
            _f("request_reminder_hours", "Mentor request: remind after (hours)"),
            _f("request_fallback_hours", "Mentor request: offer others after (hours)"),
            _f("review_reminder_hours", "Milestone review: remind after (hours)"),
            _f("review_escalation_hours", "Milestone review: tell admins after (hours)"),
            _f("schedule_reminder_hours", "Session proposal: remind after (hours)"),
            _f("schedule_escalation_hours", "Session proposal: tell mentor after (hours)"),
            _f("session_reminder_minutes", "Session: remind before it (minutes)"),
            _f("question_reminder_hours", "Question: remind the mentor after (hours)"),
            _f("question_escalation_hours", "Question: tell admins after (hours)"),
            _f("milestone_notice_days", "Milestone due: announce (days ahead)"),
        ),
    ),
    Section(
        "targets",
        "Targets",
        "Targets",
        "What the analytics compare the program against, and when a figure is shown.",
        (
            _f("metric_targets.coverage", "Coverage target (%)", "New hires with a mentor."),
            _f(
                "metric_targets.ramp_reduction",
                "Ramp-time reduction target (%)",
                "How much sooner mentored hires reach fully ramped.",
            ),
            _f(
                "metric_targets.session_completion",
                "Session completion target (%)",
                "Sessions logged of those the cadence expects.",
            ),
            _f("metric_targets.mentee_satisfaction", "Mentee satisfaction target (1-5)"),
            _f("metric_targets.mentor_satisfaction", "Mentor satisfaction target (1-5)"),
            _f(
                "analytics_min_sample",
                "Minimum sample (hires per group)",
                "Below this a difference is \u201cnot enough data yet\u201d.",
            ),
        ),
    ),
)
BY_KEY = {section.key: section for section in SECTIONS}
LABELS = {f.name: f.label for section in SECTIONS for f in section.fields}


def chooser_modal(saved: list[Change] | None = None) -> kit.Block:
    """`/mentor admin`: one button per group of settings, each pushing its modal."""
    blocks: list[kit.Block] = []
    if saved:
        blocks.append(kit.context(":white_check_mark: " + changes_text(saved)))
    for section in SECTIONS:
        blocks.append(
            kit.section(
                f"*{section.title}*\n{section.what}",
                accessory=kit.button(section.title, ADMIN_SETTINGS_SECTION, section.key),
            )
        )
    blocks.append(
        kit.context(
            "Changes apply at once and are audited. "
            "`mentorbot settings export FILE.yaml` keeps them in a file."
        )
    )
    return kit.modal(
        "Program settings", blocks, callback_id=CHOOSER_VIEW, submit=None, close="Done"
    )


def section_modal(config: ProgramConfig, key: str, chooser_id: str) -> kit.Block:
    """The modal of one group of settings, filled with the settings in force."""
    section = BY_KEY[key]
    blocks = [_input(f, config) for f in section.fields]
    metadata = json.dumps({"section": key, "chooser": chooser_id})
    return kit.modal(
        section.modal_title,
        blocks,
        callback_id=SECTION_VIEW,
        submit="Save",
        close="Back",
        private_metadata=metadata,
    )


def _input(f: Field, config: ProgramConfig) -> kit.Block:
    value = program.value_at(config, f.name)
    return kit.input_block(
        f.label, f.name, _element(f, value, config), optional=f.optional, hint=f.hint or None
    )


def _element(f: Field, value: Any, config: ProgramConfig) -> kit.Block:
    if f.kind == "number":
        low, high = program.bounds(f.name)
        decimal = f.name not in program.WHOLE_NUMBERS
        if _is_share(f.name):
            value, low, high = value * 100, 0, 100
        return kit.number_input(
            f.name, initial=value, min_value=low, max_value=high, decimal=decimal
        )
    if f.kind == "text":
        return kit.text_input(f.name, initial=value)
    if f.kind == "long_text":
        return kit.text_input(
            f.name, initial=value, multiline=True, max_length=program.EXPECTATIONS_MAX
        )
    if f.kind == "lines":
        return kit.text_input(f.name, initial="\n".join(value), multiline=True)
    if f.kind == "trainings":
        return kit.text_input(f.name, initial="\n".join(t.name for t in value), multiline=True)
    if f.kind == "rating":
        return kit.text_input(
            f.name,
            initial=kit.number_text(value) if value is not None else None,
            placeholder="e.g. 3.5 — empty for no minimum",
        )
    if f.kind == "certification":
        option = kit.option("Mentors must be certified before they are matched", "required")
        return kit.checkboxes(f.name, [option], initial=[CERTIFICATION_REQUIRED] if value else [])
    if f.kind == "channel":
        return kit.channels_select(f.name, initial=value)
    if f.kind == "cadence":
        options = [kit.option(c.capitalize(), c) for c in CADENCES]
        return kit.static_select(f.name, options, initial=value)
    if f.kind == "days":
        options = [kit.option(day, str(n)) for n, day in enumerate(WEEKDAYS)]
        return kit.checkboxes(f.name, options, initial=[str(d) for d in value])
    if f.kind == "ramp_skills":
        options = [kit.option(s, s) for s in config.skills]  # at most 100 (MAX_SKILLS)
        return kit.multi_static_select(f.name, options, initial=value)
    raise ValueError(f"no input for a {f.kind} setting")


def _is_share(name: str) -> bool:
    return name.startswith("metric_targets.") and name.split(".")[1] in SHARE_TARGETS


def changes_text(changes: list[Change]) -> str:
    """'Saved: Working hours start (hour, 0-23) 9 → 8; Skills edited.'"""
    if not changes:
        return "Program settings: nothing changed."
    return "Program settings saved: " + "; ".join(_change(c) for c in changes) + "."


def _change(c: Change) -> str:
    label = LABELS.get(c.name, c.name)
    if isinstance(c.after, list) or c.name == "expectations":
        return f"{label} edited"
    return f"{label} {_shown(c.name, c.before)} → {_shown(c.name, c.after)}"


def _shown(name: str, value: Any) -> str:
    if value is None or value == "":
        return "none"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, int | float):
        return f"{kit.number_text(value * 100)} %" if _is_share(name) else kit.number_text(value)
    return str(value)


def admin_home_section() -> list[kit.Block]:
    return [
        kit.section(
            "*Program admin* · the program, eligibility, matching, reminders and targets.",
            accessory=kit.button("Program settings", ADMIN_SETTINGS_OPEN),
        )
    ]
