"""Milestone lists, the submit modal, the review request with Approve / Request
changes, the decision DM, and App Home's milestones and waiting reviews."""

from __future__ import annotations

import json
from datetime import date
from zoneinfo import ZoneInfo

from bot.blocks import dates, kit
from bot.blocks.actions import MILESTONE_APPROVE, MILESTONE_REQUEST_CHANGES, MILESTONE_SUBMIT
from bot.services.milestone_views import MilestoneList, MilestoneView, ReviewRequest
from bot.services.milestones import Reviewed, Submitted

SUBMIT_CALLBACK = "milestone_submit"
CHANGES_CALLBACK = "milestone_changes"
STATUS_WORDS = {
    "open": "open",
    "submitted": "waiting for review",
    "changes_requested": "changes requested",
    "achieved": "achieved",
}
METHOD_WORDS = {
    "mentor_verified": "verified by mentor",
    "self_report": "self-reported",
    "system_tracked": "tracked by the system",
}


def milestone_line(m: MilestoneView, today: date) -> str:
    """ "First QBR run solo — target Mon 15 Jan · achieved Fri 12 Jan (verified by mentor)"."""
    if m.status == "achieved":
        how = f" ({METHOD_WORDS[m.verification_method]})" if m.verification_method else ""
        state = f":white_check_mark: achieved {dates.day(m.achieved_date)}{how}"
    else:
        late = m.target_date is not None and m.target_date < today
        state = STATUS_WORDS.get(m.status, m.status) + (
            " · :hourglass: past target" if late else ""
        )
    goal = " _(mentorship goal)_" if m.is_goal else ""
    line = f"*{kit.escape(m.name)}*{goal} — target {dates.day(m.target_date)} · {state}"
    if m.feedback:
        line += f"\n> {kit.escape(m.feedback)}"
    return line


def milestone_list(ml: MilestoneList, today: date) -> list[kit.Block]:
    """`/mentor milestones [@person]`: every milestone with target and achieved dates;
    Submit buttons when the person looks at their own."""
    achieved = sum(1 for m in ml.items if m.status == "achieved")
    whose = "Your" if ml.own else f"{kit.escape(ml.subject_name)}'s"
    title = "Your ramp milestones" if ml.own else f"{ml.subject_name}'s ramp milestones"
    blocks: list[kit.Block] = [
        kit.header(title),
        kit.context(
            f"{whose} milestones: {achieved} of {len(ml.items)} achieved"
            + (f" · reviewed by {kit.escape(ml.reviewer_name)}" if ml.reviewer_name else "")
        ),
    ]
    if not ml.items:
        blocks.append(kit.section("No milestones yet."))
    blocks += milestone_rows(ml.items, today, submit=ml.own, limit=40)
    return blocks


def milestone_rows(
    items: list[MilestoneView], today: date, *, submit: bool, limit: int = 10
) -> list[kit.Block]:
    rows: list[kit.Block] = []
    for m in items[:limit]:
        can_submit = submit and m.status in ("open", "changes_requested")
        rows.append(
            kit.section(
                milestone_line(m, today),
                accessory=kit.button("Submit", MILESTONE_SUBMIT, str(m.id)) if can_submit else None,
            )
        )
    if len(items) > limit:
        rows.append(kit.context(f"…and {len(items) - limit} more: `/mentor milestones`"))
    return rows


def submit_modal(milestone: MilestoneView) -> kit.Block:
    return kit.modal(
        "Submit milestone",
        [
            kit.section(f"*{kit.escape(milestone.name)}*"),
            kit.input_block(
                "Evidence",
                "evidence",
                kit.text_input("evidence", multiline=True, max_length=3000),
                hint="A link (https://…) or a few words on what you did.",
            ),
        ],
        callback_id=SUBMIT_CALLBACK,
        submit="Submit",
        private_metadata=str(milestone.id),
    )


def submitted_view(result: Submitted) -> kit.Block:
    if result.reviewer_slack_id:
        text = (
            f":outbox_tray: *{kit.escape(result.milestone_name)}* is submitted. "
            "Your mentor will review it and you'll hear the decision here."
        )
    else:
        text = (
            f":white_check_mark: *{kit.escape(result.milestone_name)}* is recorded as achieved "
            f"on {dates.day(result.achieved_date)} (self-reported)."
        )
    return kit.modal(
        "Milestone", [kit.section(text)], callback_id="milestone_done", submit=None, close="Done"
    )


def review_request(result: Submitted) -> tuple[str, list[kit.Block]]:
    """The mentor's DM: evidence and the two decisions."""
    text = f"{result.mentee_name} submitted the milestone {result.milestone_name} for review."
    return text, [
        kit.section(
            f":inbox_tray: *{kit.escape(result.mentee_name)}* submitted "
            f"*{kit.escape(result.milestone_name)}* for your review."
        ),
        kit.section(f"*Evidence*\n{kit.escape(result.evidence)}"),
        kit.context("Please review within 48 hours (program standard)."),
        kit.actions(
            kit.button("Approve", MILESTONE_APPROVE, str(result.submission_id), style="primary"),
            kit.button("Request changes", MILESTONE_REQUEST_CHANGES, str(result.submission_id)),
        ),
    ]


def review_outcome(result: Reviewed) -> tuple[str, list[kit.Block]]:
    """What replaces the mentor's review request once decided."""
    if result.decision == "approved":
        text = f"You approved {result.mentee_name}'s {result.milestone_name}."
    else:
        text = f"You asked {result.mentee_name} for changes to {result.milestone_name}."
    return text, [kit.section(":white_check_mark: " + kit.escape(text))]


def changes_modal(submission_id: str, channel: str, ts: str) -> kit.Block:
    return kit.modal(
        "Request changes",
        [
            kit.input_block(
                "Feedback",
                "feedback",
                kit.text_input("feedback", multiline=True, max_length=3000),
                hint="What should change before you approve it?",
            )
        ],
        callback_id=CHANGES_CALLBACK,
        submit="Send",
        private_metadata=json.dumps({"submission": submission_id, "channel": channel, "ts": ts}),
    )


def decision_notice(result: Reviewed) -> tuple[str, list[kit.Block]]:
    """The mentee's DM with the decision (and the feedback, theirs to read)."""
    if result.decision == "approved":
        text = (
            f"{result.reviewer_name} approved your milestone {result.milestone_name} "
            f"(achieved {dates.day(result.achieved_date)})."
        )
        blocks = [kit.section(":tada: " + kit.escape(text))]
    else:
        text = f"{result.reviewer_name} asked for changes to {result.milestone_name}."
        blocks = [
            kit.section(":memo: " + kit.escape(text)),
            kit.section(f"*Feedback*\n{kit.escape(result.feedback or '')}"),
            kit.context("Submit it again from your App Home when it's ready."),
        ]
    return text, blocks


def review_rows(requests: list[ReviewRequest], tz: ZoneInfo, limit: int = 5) -> list[kit.Block]:
    """App Home: the oldest submissions waiting for this mentor, each with its
    decisions; the rest counted (each is also in the mentor's DMs)."""
    if not requests:
        return []
    blocks: list[kit.Block] = [kit.section("*Milestone reviews waiting*")]
    for r in requests[:limit]:
        blocks += [
            kit.section(
                f"*{kit.escape(r.mentee_name)}* — *{kit.escape(r.milestone_name)}* "
                f"(submitted {dates.local_day(r.submitted_at, tz)})\n{kit.escape(r.evidence)}"
            ),
            kit.actions(
                kit.button("Approve", MILESTONE_APPROVE, str(r.submission_id), style="primary"),
                kit.button("Request changes", MILESTONE_REQUEST_CHANGES, str(r.submission_id)),
            ),
        ]
    if len(requests) > limit:
        blocks.append(
            kit.context(f"…and {len(requests) - limit} more waiting: each is also in your DMs.")
        )
    return blocks
