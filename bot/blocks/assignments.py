"""The assign modal, the request a mentor answers, and what everyone is told after."""

from __future__ import annotations

import json
from typing import Any

from bot.blocks import dates, kit
from bot.blocks.actions import ACCEPT, DECLINE
from bot.blocks.matching import match_section
from bot.services.answers import DECLINE_REASONS, NextSuggestion
from bot.services.assignment_forms import AssignForm
from bot.services.assignment_views import CADENCE_LABELS, AssignmentView, PersonRef
from models import KIND_LABELS

ASSIGN_VIEW = "assignment.create"
DECLINE_VIEW = "assignment.decline"
CONFIRMED = "confirmed"
CONFIRM_LABEL = "I confirm the expectations"


def goal_lines(goals: list[dict[str, Any]]) -> str:
    if not goals:
        return "_No goals written yet: agree on them in your first session._"
    return "\n".join(
        f"• {kit.escape(g['goal'])}"
        + (f" (by {dates.day(g['target_date'])})" if g.get("target_date") else "")
        for g in goals
    )


def _names(people: list[PersonRef]) -> str:
    return " and ".join(p.name for p in people)


def _why(why: list[str]) -> str:
    return "\n".join(f"• {kit.escape(w)}" for w in why)


# -- the manager's modal -----------------------------------------------------------------------


def assign_modal(form: AssignForm) -> dict[str, Any]:
    """Start date, expected end, cadence, goals and the expectations to confirm (FR-2.4, 2.5)."""
    metadata: dict[str, Any] = {"mentor": str(form.mentor_id), "mentee": str(form.mentee.user_id)}
    if form.focus_key:  # the skills stay on the server: they could outgrow the metadata
        metadata["focus_key"] = form.focus_key
    reverse = form.kind == "reverse"
    if reverse:
        metadata["kind"] = form.kind
        if form.focus and not form.focus_key:  # the reverse match's one topic
            metadata["focus"] = form.focus
    cadences = [kit.option(label, value) for value, label in CADENCE_LABELS.items()]
    topic = f": {kit.escape(', '.join(form.focus))}" if form.focus else ""
    ask = (
        f"*{KIND_LABELS['reverse']}:* ask *{kit.escape(form.mentor.name)}* to teach "
        f"*{kit.escape(form.mentee.name)}*{topic}."
        if reverse
        else f"Ask *{kit.escape(form.mentor.name)}* to mentor *{kit.escape(form.mentee.name)}*."
    )
    blocks: list[kit.Block] = [
        kit.section(
            ask + (f" Match score *{form.score:.0f}*/100." if form.score is not None else "")
        ),
    ]
    if form.why:
        blocks.append(kit.context(_why(form.why)))
    blocks += [
        kit.input_block(
            "Start date",
            "start_date",
            kit.datepicker("start_date", initial=form.start_date.isoformat()),
        ),
        kit.input_block(
            "Expected end",
            "expected_end",
            kit.datepicker("expected_end", initial=form.expected_end_date.isoformat()),
        ),
        kit.input_block(
            "Cadence", "cadence", kit.static_select("cadence", cadences, initial=form.cadence)
        ),
        kit.input_block(
            "Goals",
            "goals",
            kit.text_input(
                "goals",
                multiline=True,
                placeholder="Run a QBR solo by 2026-12-15",
                max_length=3000,
            ),
            optional=True,
            hint="One goal per line; end a line with “by YYYY-MM-DD” to give it a target date.",
        ),
        kit.header("Expectations"),
        kit.section(kit.escape(form.expectations)),
        kit.input_block(
            CONFIRM_LABEL,
            "confirm",
            kit.checkboxes("confirm", [kit.option(CONFIRM_LABEL, CONFIRMED)]),
        ),
    ]
    return kit.modal(
        KIND_LABELS["reverse"] if reverse else "Assign a mentor",
        blocks,
        callback_id=ASSIGN_VIEW,
        submit="Send request",
        private_metadata=json.dumps(metadata),
    )


# -- the mentor's request ----------------------------------------------------------------------


def _terms(a: AssignmentView) -> str:
    """Cadence and dates, after the kind when it is a reverse mentorship: every message
    about a pairing shows these, so a reverse one is labelled wherever it appears."""
    start, end = dates.day(a.start_date), dates.day(a.expected_end_date)
    kind = f"*{a.kind_label}* · " if a.kind == "reverse" else ""
    return f"{kind}*Cadence:* {a.cadence_label} · *From* {start} *to* {end}"


def request_text(a: AssignmentView) -> str:
    asker = a.asked_by.name if a.asked_by else "The program"
    return f"{asker} asks you to mentor {a.mentee.name}."


def mentor_request(a: AssignmentView) -> list[kit.Block]:
    """The DM a mentor answers: who, why they were matched, goals, cadence, expectations."""
    asker = f"*{kit.escape(a.asked_by.name)}*" if a.asked_by else "The program"
    verb = "teach" if a.kind == "reverse" else "mentor"
    blocks: list[kit.Block] = [
        kit.header(f"{a.kind_label} request" if a.kind == "reverse" else "Mentoring request"),
        kit.section(
            f"{asker} asks you to {verb} *{kit.escape(a.mentee.name)}* "
            f"(<@{a.mentee.slack_user_id}>)."
        ),
    ]
    if a.why:
        blocks.append(kit.section("*Why you:*\n" + _why(a.why)))
    blocks += [
        kit.section(_terms(a)),
        kit.section("*Goals:*\n" + goal_lines(a.goals)),
    ]
    if a.expectations:
        blocks.append(kit.context("Expectations: " + kit.escape(a.expectations)))
    blocks.append(
        kit.actions(
            kit.button("Accept", ACCEPT, str(a.id), style="primary"),
            kit.button("Decline", DECLINE, str(a.id)),
            block_id=f"request:{a.id}",
        )
    )
    return blocks


def outcome_text(a: AssignmentView) -> str:
    """The request once answered: replaces the buttons so it can't be clicked twice."""
    mentee = a.mentee.name
    return {
        "active": f"You accepted to mentor {mentee}. I've introduced you.",
        "completed": f"Your mentorship with {mentee} is completed.",
        "declined": f"You declined to mentor {mentee} ({a.decline_reason}). I've told "
        f"{_names(a.to_tell) or 'the program admins'}.",
        "cancelled": f"The request to mentor {mentee} was withdrawn"
        + (f": {a.cancel_reason}" if a.cancel_reason else "."),
    }.get(a.status, f"Mentoring request for {mentee}: {a.status}.")


def request_outcome(a: AssignmentView) -> list[kit.Block]:
    icon = {"active": ":white_check_mark:", "declined": ":no_entry_sign:"}.get(
        a.status, ":information_source:"
    )
    return [
        kit.section(f"{icon} {kit.escape(outcome_text(a))}"),
        kit.context(f"{_terms(a)}"),
    ]


# -- after an answer ---------------------------------------------------------------------------


def request_sent(a: AssignmentView) -> tuple[str, list[kit.Block]]:
    """To whoever asked, once the request is out."""
    text = f"I asked {a.mentor.name} to mentor {a.mentee.name}. I'll DM you when they answer."
    return text, [kit.section(f":outbox_tray: {kit.escape(text)}"), kit.context(_terms(a))]


def withdrawn_notice(a: AssignmentView) -> tuple[str, list[kit.Block]]:
    """To a mentor whose unanswered request was replaced by another."""
    text = (
        f"The request to mentor {a.mentee.name} was withdrawn: it had no answer in time "
        "and another mentor was asked. Nothing for you to do."
    )
    return text, [kit.section(kit.escape(text))]


def left_notice(a: AssignmentView) -> tuple[str, list[kit.Block]]:
    """To the mentor and whoever asked, when the mentee left the workspace."""
    text = f"{a.cancel_reason} Nothing for you to do."
    return text, [kit.section(f":wave: {kit.escape(text)}")]


def mentor_left_notice(a: AssignmentView) -> tuple[str, list[kit.Block]]:
    """To a mentee whose mentor left the workspace."""
    helper = a.manager.name if a.manager else "The program admins"
    text = (
        f"{a.mentor.name} left the workspace, so your mentorship has ended. "
        f"{helper} will help you find a new mentor."
    )
    return text, [kit.section(f":wave: {kit.escape(text)}")]


def mentee_intro(a: AssignmentView) -> tuple[str, list[kit.Block]]:
    """To the mentee: meet your mentor."""
    text = f"Meet your mentor: {a.mentor.name}!"
    blocks = [
        kit.header(f"{a.kind_label}: meet {a.mentor.name}")
        if a.kind == "reverse"
        else kit.header("Meet your mentor"),
        kit.section(
            f"*{kit.escape(a.mentor.name)}* (<@{a.mentor.slack_user_id}>) will mentor you. "
            "Say hello and set up your first session."
        ),
        kit.section(_terms(a)),
        kit.section("*Goals:*\n" + goal_lines(a.goals)),
    ]
    if a.expectations:
        blocks.append(kit.context("Expectations: " + kit.escape(a.expectations)))
    return text, blocks


def accepted_notice(a: AssignmentView) -> tuple[str, list[kit.Block]]:
    """To whoever asked: the mentor said yes."""
    text = f"{a.mentor.name} accepted to mentor {a.mentee.name}."
    return text, [kit.section(f":white_check_mark: {kit.escape(text)}"), kit.context(_terms(a))]


def next_suggestion(ns: NextSuggestion) -> tuple[str, list[kit.Block]]:
    """To whoever asked, after a decline or a request left unanswered: why, and who next."""
    a = ns.assignment
    if a.status == "declined":
        situation = (
            f"{a.mentor.name} declined to mentor {a.mentee.name}. Reason: {a.decline_reason}"
        )
    elif a.status == "cancelled" and a.cancel_reason:  # e.g. the mentor left the workspace
        situation = a.cancel_reason
    else:
        situation = (
            f"{a.mentor.name} hasn't answered the request to mentor {a.mentee.name} "
            f"for {ns.hours_waiting} hours. If you assign someone else, that request is withdrawn."
        )
    blocks: list[kit.Block] = [kit.section(f":information_source: {kit.escape(situation)}")]
    if ns.mentee_covered:
        blocks.append(kit.context(f"{a.mentee.name} has another mentor or request already."))
        return situation, blocks
    if ns.match is None:
        blocks.append(
            kit.section(
                "No other mentor is available right now. Try "
                f"`/mentor match <@{a.mentee.slack_user_id}>` later, or ask a program admin."
            )
        )
        return situation, blocks
    blocks.append(kit.section(f"*Next best mentor for {kit.escape(a.mentee.name)}:*"))
    blocks.append(match_section(ns.match, a.mentee.user_id, 1))
    return f"{situation} Next best: {ns.match.name}.", blocks


# -- the decline modal -------------------------------------------------------------------------


def decline_modal(a: AssignmentView, message: dict[str, str] | None) -> dict[str, Any]:
    """Reason (no capacity / skills mismatch / other) and details for the manager."""
    metadata = {"assignment": str(a.id), **(message or {})}
    reasons = [kit.option(label, value) for value, label in DECLINE_REASONS.items()]
    return kit.modal(
        "Decline request",
        [
            kit.section(
                f"Decline mentoring *{kit.escape(a.mentee.name)}*? "
                f"{kit.escape(_names(a.to_tell) or 'The program admins')} will get your "
                "reason and the next suggestion."
            ),
            kit.input_block("Reason", "reason", kit.radio_buttons("reason", reasons)),
            kit.input_block(
                "Details",
                "details",
                kit.text_input("details", multiline=True, max_length=1000),
                optional=True,
                hint="Required when you choose Other.",
            ),
        ],
        callback_id=DECLINE_VIEW,
        submit="Decline",
        private_metadata=json.dumps(metadata),
    )
