"""Mentor suggestions, coverage nudges and cohort proposals."""

from __future__ import annotations

import json
import uuid

from bot.blocks import kit
from bot.blocks.actions import ASSIGN, ASSIGN_REVERSE, COHORT_APPROVE
from bot.services.cohorts import CohortApproval, CohortProposalView
from bot.services.coverage import CoverageNudge
from bot.services.matching import MentorMatch, Ranking
from bot.services.reverse_matching import ReverseRanking

#: A message holds 50 blocks; a long cohort is listed in sections of this many pairs.
PAIRS_PER_SECTION = 6
MAX_PAIR_SECTIONS = 30


def assign_value(mentor_id: uuid.UUID, mentee_id: uuid.UUID, focus_key: str | None = None) -> str:
    """The "Assign" button's value: who to ask for whom, and the key of the focus it
    was ranked on (the skills themselves could outgrow the value's 2,000 characters)."""
    value = {"mentor": str(mentor_id), "mentee": str(mentee_id)}
    if focus_key:
        value["focus_key"] = focus_key
    return json.dumps(value)


def match_section(
    match: MentorMatch, mentee_id: uuid.UUID, position: int, focus_key: str | None = None
) -> kit.Block:
    """One mentor: name, score, each factor on its own line, and an Assign button."""
    lines = [f"*{position}. {kit.escape(match.name)}* · score *{match.score:.0f}*/100"]
    lines += [f"• {kit.escape(factor)}" for factor in match.factors]
    return kit.section(
        "\n".join(lines),
        accessory=kit.button(
            "Assign", ASSIGN, assign_value(match.mentor_id, mentee_id, focus_key), style="primary"
        ),
    )


def suggestions_text(ranking: Ranking) -> str:
    if not ranking.matches:
        return f"No mentor is available for {ranking.mentee_name} right now."
    names = ", ".join(m.name for m in ranking.matches)
    return f"Best mentors for {ranking.mentee_name}: {names}"


def suggestions(ranking: Ranking) -> list[kit.Block]:
    """The ranked mentors for one mentee, each with why and an Assign button (which
    carries the key of the focus they were ranked on)."""
    blocks: list[kit.Block] = [
        kit.header(f"Mentors for {ranking.mentee_name}"),
        kit.context(
            f"Skill gaps from {kit.escape(ranking.needs_source)}: "
            + (kit.escape(", ".join(ranking.needs)) or "none")
        ),
    ]
    if not ranking.matches:
        blocks.append(
            kit.section(
                "No mentor is available right now: every mentor is full, paused, or was "
                "already asked. Try again when a mentorship ends, or ask a program admin "
                "to recruit mentors."
            )
        )
        return blocks
    for position, match in enumerate(ranking.matches, 1):
        blocks.append(match_section(match, ranking.mentee_id, position, ranking.focus_key))
    blocks.append(
        kit.context(
            "Score out of 100: expertise overlap, timezone (hours apart) and past success "
            "(smoothed toward the program average), weighted by the program settings."
        )
    )
    return blocks


def reverse_suggestions_text(ranking: ReverseRanking) -> str:
    if not ranking.teachers:
        return f"Nobody can teach {ranking.topic} to {ranking.learner_name} right now."
    names = ", ".join(t.name for t in ranking.teachers)
    return f"Who can teach {ranking.topic} to {ranking.learner_name}: {names}"


def reverse_suggestions(ranking: ReverseRanking) -> list[kit.Block]:
    """The people who can teach the topic to the learner (reverse mentorship), each
    with why and an "Assign (reverse)" button."""
    blocks: list[kit.Block] = [
        kit.header(f"Reverse mentorship: {ranking.topic}"),
        kit.context(
            f"Who can teach *{kit.escape(ranking.topic)}* to "
            f"*{kit.escape(ranking.learner_name)}*, by expertise in the topic alone "
            "(no tenure or performance rule)."
        ),
    ]
    if not ranking.teachers:
        blocks.append(
            kit.section(
                f"Nobody lists {kit.escape(ranking.topic)} among the topics they teach or "
                "rates themselves 4/5 or more in it (or they can't be asked now). Anyone can "
                "add the topics they teach with `/mentor teach`."
            )
        )
        return blocks
    for position, teacher in enumerate(ranking.teachers, 1):
        lines = [f"*{position}. {kit.escape(teacher.name)}*"]
        lines += [f"• {kit.escape(reason)}" for reason in teacher.reasons]
        value = {
            "teacher": str(teacher.user_id),
            "learner": str(ranking.learner_id),
            "topic": ranking.topic,
        }
        blocks.append(
            kit.section(
                "\n".join(lines),
                accessory=kit.button(
                    "Assign (reverse)", ASSIGN_REVERSE, json.dumps(value), style="primary"
                ),
            )
        )
    return blocks


def coverage_nudge_text(nudge: CoverageNudge) -> str:
    return f"{nudge.mentee_name} has no mentor yet."


def coverage_nudge(nudge: CoverageNudge) -> list[kit.Block]:
    """To the manager: this hire has no mentor yet, here is who fits."""
    days = nudge.days_since_hire
    when = "starts today" if days <= 0 else f"started {days} day{'s' if days != 1 else ''} ago"
    blocks: list[kit.Block] = [
        kit.section(
            f":wave: *{kit.escape(nudge.mentee_name)}* (<@{nudge.mentee_slack_user_id}>) "
            f"{when} and has no mentor yet. Every new hire gets one: pick a mentor below."
        )
    ]
    return blocks + suggestions(nudge.ranking)


def cohort_proposal_text(view: CohortProposalView) -> str:
    return (
        f"Cohort proposal: {len(view.pairs)} of {view.hires} new hires matched, "
        f"total score {view.total:.1f} (greedy {view.greedy_total:.1f})."
    )


def cohort_summary(view: CohortProposalView) -> str:
    """The totals, optimal against greedy, in one sentence."""
    gain = view.total - view.greedy_total
    return (
        f"{len(view.pairs)} of {_hires(view.hires, 'new hire')} without a mentor matched. "
        f"Total score {view.total:.1f}, the best possible under every mentor's capacity; "
        f"matching one by one (greedy) reaches {view.greedy_total:.1f} "
        f"for {_hires(view.greedy_matched)} ({gain:+.1f})."
    )


def _hires(count: int, noun: str = "hire") -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def cohort_pair_lines(view: CohortProposalView) -> list[str]:
    """One line per proposed pair: who, whom, the score and each factor."""
    return [
        f"{p.mentee_name} → {p.match.name} · {p.match.score:.0f}/100 — "
        + "; ".join(p.match.factors)
        for p in view.pairs
    ]


def cohort_proposal(view: CohortProposalView) -> list[kit.Block]:
    """The optimal cohort assignment, each pair with its factors, the total against
    greedy matching, and one Approve button."""
    blocks: list[kit.Block] = [kit.header("Cohort matching proposal")]
    if view.hires == 0:
        blocks.append(kit.section("Every new hire in the window has a mentor or a request out."))
        return blocks
    blocks.append(kit.section(kit.escape(cohort_summary(view))))
    lines = [f"• {kit.escape(line)}" for line in cohort_pair_lines(view)]
    shown = PAIRS_PER_SECTION * MAX_PAIR_SECTIONS
    for start in range(0, min(len(lines), shown), PAIRS_PER_SECTION):
        blocks.append(kit.section("\n".join(lines[start : start + PAIRS_PER_SECTION])))
    if len(lines) > shown:
        blocks.append(kit.context(f"… and {len(lines) - shown} more pairs."))
    if view.unmatched:
        blocks.append(
            kit.section("No mentor with a free slot for: " + kit.escape(", ".join(view.unmatched)))
        )
    if view.pairs:
        blocks.append(
            kit.context(
                "Approving asks each mentor by DM (start today, the program's default duration "
                "and cadence) and confirms the program's expectations: "
                + kit.escape(view.expectations)
            )
        )
        blocks.append(
            kit.actions(kit.button("Approve", COHORT_APPROVE, str(view.id), style="primary"))
        )
    return blocks


def cohort_approved(approval: CohortApproval) -> tuple[str, list[kit.Block]]:
    """What replaces the proposal once approved."""
    count = len(approval.created)
    text = f"Approved: {count} mentor{'' if count == 1 else 's'} asked."
    lines = [
        f"• {kit.escape(r.assignment.mentee.name)} → {kit.escape(r.assignment.mentor.name)}"
        for r in approval.created
    ]
    blocks = [kit.section(f":white_check_mark: *{text}* I'll DM you as they answer.")]
    if lines:
        blocks.append(kit.section("\n".join(lines)))
    if approval.skipped:
        blocks.append(
            kit.section("Skipped:\n" + "\n".join(f"• {kit.escape(s)}" for s in approval.skipped))
        )
    return text, blocks
