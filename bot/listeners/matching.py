"""`/mentor match` (and `match @learner reverse <topic>`, whose "Assign (reverse)"
button is in listeners/assignments.py), `/mentor match-cohort` and its Approve
button, and the coverage nudge that tells a manager their new hire has no mentor yet."""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.blocks import matching as blocks
from bot.blocks.actions import COHORT_APPROVE
from bot.listeners.actor import Actor
from bot.listeners.assignments import queue_request
from bot.listeners.commands import Invocation, subcommand
from bot.listeners.guard import run_reporting
from bot.listeners.messaging import deliver_queued, enqueue_dm, send_dm
from bot.listeners.parsing import mentioned_user_ids
from bot.listeners.support import admit, answer, program_admins
from bot.runtime import Runtime
from bot.services import assignment_forms, cohorts, coverage, reverse_matching
from bot.services.errors import InvalidInput

_REVERSE = re.compile(r"\breverse\b\s*:?\s*(?P<topic>.*)$", re.IGNORECASE | re.DOTALL)
_FOCUS = re.compile(r"\bfocus\b\s*:?\s*(?P<skills>.*)$", re.IGNORECASE | re.DOTALL)
_DATE = re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}\b")


def register(app: App) -> None:
    app.action(COHORT_APPROVE)(on_cohort_approve)


def parse_match_args(args: str) -> tuple[str | None, list[str]]:
    """`<@U1> focus: Renewals, QBRs` -> ("U1", ["Renewals", "QBRs"])."""
    mentioned = mentioned_user_ids(args)
    found = _FOCUS.search(args)
    focus = [s.strip() for s in re.split(r"[,;]", found["skills"])] if found else []
    return (mentioned[0] if mentioned else None), [s for s in focus if s]


def parse_reverse_topic(args: str) -> str | None:
    """`<@U1> reverse CRM hygiene` -> "CRM hygiene"; None when `reverse` isn't there
    (the standard match), "" when no topic follows it."""
    focus = _FOCUS.search(args)
    # "reverse" inside a standard match's focus (a skill's name) is not the reverse mode.
    found = _REVERSE.search(args[: focus.start()] if focus else args)
    return found["topic"].strip() if found else None


@subcommand(
    "match",
    usage="/mentor match @user [focus: skill, skill]  ·  /mentor match @user reverse <topic>",
    summary="The best mentors for someone, and why, each with an Assign button. "
    "`reverse <topic>`: who can teach them the topic, by expertise alone (no tenure rule).",
    order=30,
)
def match_command(inv: Invocation) -> None:
    topic = parse_reverse_topic(inv.args)
    if topic is not None:
        reverse_match(inv, topic)
        return
    mentee, focus = parse_match_args(inv.args)
    if mentee is None:
        raise InvalidInput(
            {
                "user": "Tell me who needs a mentor, with an @mention: `/mentor match @newhire` "
                "(optionally `focus: Renewals, QBRs`)."
            }
        )
    # A ranking only reads: a transaction only to keep a focus for the Assign buttons.
    with inv.runtime.db() if focus else inv.runtime.reading() as db:
        ranking = assignment_forms.suggestions_for(
            db, actor_id=inv.actor.id, mentee_slack_id=mentee, focus=focus, now=inv.runtime.now()
        )
    inv.reply(blocks.suggestions_text(ranking), blocks.suggestions(ranking))


def reverse_match(inv: Invocation, topic: str) -> None:
    """`/mentor match @learner reverse <topic>`: who can teach the learner the topic."""
    mentioned = mentioned_user_ids(inv.args)
    if not mentioned:
        raise InvalidInput(
            {
                "user": "Tell me who wants to learn, with an @mention: "
                "`/mentor match @veteran reverse CRM hygiene`."
            }
        )
    with inv.runtime.db() as db:
        ranking = reverse_matching.suggest(
            db,
            actor_id=inv.actor.id,
            learner_slack_id=mentioned[0],
            topic=topic,
            now=inv.runtime.now(),
        )
    inv.reply(blocks.reverse_suggestions_text(ranking), blocks.reverse_suggestions(ranking))


def parse_since(args: str) -> date | None:
    """The optional hire date `/mentor match-cohort since 2026-09-01` starts from."""
    text = args.strip()
    if not text:
        return None
    found = _DATE.search(text)
    try:
        return date.fromisoformat(found.group(0)) if found else date.fromisoformat(text)
    except ValueError:
        pass
    raise InvalidInput(
        {
            "since": f"'{text}' is not a date. Type `/mentor match-cohort` for every new hire "
            "in the program window, or `/mentor match-cohort since 2026-09-01`."
        }
    )


@subcommand(
    "match-cohort",
    usage="/mentor match-cohort [since YYYY-MM-DD]",
    summary="Admins: match every new hire without a mentor at once, for one-click approval.",
    order=32,
)
def match_cohort_command(inv: Invocation) -> None:
    since = parse_since(inv.args)
    admit(inv.runtime, inv.actor, "match-cohort")
    with inv.runtime.db() as db:
        proposal = cohorts.propose(db, actor_id=inv.actor.id, now=inv.runtime.now(), since=since)
    inv.reply(blocks.cohort_proposal_text(proposal), blocks.cohort_proposal(proposal))


def on_cohort_approve(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
) -> None:
    ack()
    runtime: Runtime = context["runtime"]
    actor: Actor = context["actor"]

    def say(text: str) -> None:
        answer(body, client, text)

    def work() -> None:
        admit(runtime, actor, "cohort.approve")
        with runtime.db() as db:
            approval = cohorts.approve(
                db, proposal_id=uuid.UUID(action["value"]), actor_id=actor.id, now=runtime.now()
            )
            queued = [
                message
                for requested in approval.created
                for message in queue_request(db, requested, now=runtime.now())
            ]
        deliver_queued(client, runtime, queued)
        text, summary = blocks.cohort_approved(approval)
        container = body.get("container") or {}
        if body.get("response_url"):
            respond(text=text, blocks=summary, replace_original=True)
        elif container.get("type") != "message":
            send_dm(client, actor.slack_user_id, text, summary)

    run_reporting(say, work)


def nudge_manager_about_coverage(
    client: WebClient, runtime: Runtime, mentee_id: uuid.UUID, *, key: str | None = None
) -> bool:
    """DM the hire's manager (else the program admins) that this new hire has no mentor
    yet, with the best mentors and an Assign button each. Nothing is sent if the hire
    has a mentor or a pending request by now. The reminders sweep calls this for
    `coverage.uncovered_new_hires` (`key`: its ledger claim, so a sweep that died after
    queueing the DMs does not queue them twice), and `team_join` for a new hire who just
    joined. True if DMs are queued (posted now, or by the delivery worker later)."""
    now = runtime.now()
    with runtime.db() as db:
        nudge = coverage.coverage_nudge(db, mentee_id=mentee_id, now=now)
        if nudge is None:
            return False
        if nudge.manager_slack_user_id:
            recipients = [nudge.manager_slack_user_id]
        else:
            recipients = program_admins(runtime, db)
        text, dm_blocks = blocks.coverage_nudge_text(nudge), blocks.coverage_nudge(nudge)
        queued = [
            enqueue_dm(db, r, text, dm_blocks, purpose="coverage", now=now, key=key)
            for r in recipients
        ]
    deliver_queued(client, runtime, queued)
    return bool(recipients)


def post_cohort_proposal(
    client: WebClient, runtime: Runtime, proposal: cohorts.CohortProposalView
) -> list[str]:
    """DM a proposal made outside Slack (the command line) to every program admin, with
    its Approve button. Returns the Slack ids it reached."""
    admins = program_admins(runtime)
    text, proposal_blocks = blocks.cohort_proposal_text(proposal), blocks.cohort_proposal(proposal)
    return [a for a in admins if send_dm(client, a, text, proposal_blocks) is not None]
