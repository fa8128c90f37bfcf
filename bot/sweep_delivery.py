"""How is each claimed reminder delivered, and what is recorded of it (step 4 of
`bot/sweep.py`)? A plain reminder DM posted once, or a kind's own deliverer (the next
suggestion, a coverage nudge, a term closed); the outcome goes to the ledger, a person
who left is handled, and a refused token stops the sweep."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from slack_sdk import WebClient

from bot import slack_health
from bot.blocks.reminders import RENDERERS
from bot.delivery import outcome_of, post_once
from bot.listeners.assignments import offer_next_suggestion
from bot.listeners.departures import handle_departure
from bot.listeners.matching import nudge_manager_about_coverage
from bot.runtime import Runtime
from bot.services import ledger, program, term
from bot.services.ledger import Outcome
from bot.services.reminders import Due

# The sweep's logger, as before the sweep's modules were split: operators filter on it.
log = logging.getLogger("bot.sweep")


Deliverer = Callable[[WebClient, Runtime, Due, ledger.Claim], Outcome]


#: How far back Slack's history is searched for a reminder in doubt: its send was
#: attempted under a claim whose lease (or retry backoff, at most an hour) has run out.
DOUBT_WINDOW = timedelta(days=1)


@dataclass(frozen=True)
class Delivery:
    """One reminder this sweep tried to send, and how it ended."""

    kind: str
    recipient_name: str
    recipient_slack_id: str
    period: str
    status: str  # sent | failed | dead | refused (our token: given back unsent)
    error: str | None = None


def deliver_claim(
    runtime: Runtime,
    client: WebClient,
    claim: ledger.Claim,
    due: Due,
    now: datetime,
    watch: slack_health.TokenWatch | None,
) -> Delivery:
    """Send one claimed reminder with its kind's deliverer and record the outcome in
    its own transaction; a refused token is reported as `refused`, unrecorded."""
    send = DELIVERERS.get(due.kind, post_reminder_dm)
    refusals = watch.refusals if watch else 0
    try:
        outcome = send(client, runtime, due, claim)
    except Exception as exc:
        outcome = outcome_of(exc)
        if outcome.status == "rejected":
            log.exception("reminder %s to %s failed", due.kind, due.recipient.slack_user_id)
    if watch and watch.refusals > refusals and outcome.status != "refused":
        # A deliverer that logs Slack's errors itself met a refused token on the way.
        outcome = Outcome("refused", watch.last_error)
    if outcome.status == "refused":
        slack_health.token_refused(runtime, client, outcome.error or "invalid_auth")
        return Delivery(
            due.kind,
            due.recipient.name,
            due.recipient.slack_user_id,
            due.period,
            "refused",
            outcome.error,
        )
    try:
        with runtime.db() as db:
            status = ledger.record(db, claim, outcome, now=now)
    except Exception:
        # The claim keeps its lease and a later sweep takes it over.
        log.exception("could not record the outcome of reminder %s", claim.id)
        status = "failed"
    if outcome.status == "gone":
        handle_departure(
            client, runtime, due.recipient.slack_user_id, reason=outcome.error or "gone", now=now
        )
    if status != "sent":
        log.warning(
            "reminder %s to %s: %s (%s)",
            due.kind,
            due.recipient.slack_user_id,
            status,
            outcome.error,
        )
    return Delivery(
        due.kind,
        due.recipient.name,
        due.recipient.slack_user_id,
        due.period,
        status,
        outcome.error,
    )


def post_reminder_dm(client: WebClient, runtime: Runtime, due: Due, claim: ledger.Claim) -> Outcome:
    """The default delivery: the kind's message from bot/blocks/reminders.py, by DM,
    posted once (`post_once`, keyed by the claim: a claim in doubt is looked up in
    Slack first). Raises what the Slack client raises; the sweep turns it into an Outcome."""
    text_, blocks = RENDERERS[due.kind](due)
    post_once(
        client,
        channel=due.recipient.slack_user_id,
        text=text_,
        blocks=blocks,
        key=f"ledger:{claim.id}",
        in_doubt=claim.in_doubt,
        since=runtime.now() - DOUBT_WINDOW,
    )
    return ledger.SENT


def offer_fallback(client: WebClient, runtime: Runtime, due: Due, claim: ledger.Claim) -> Outcome:
    """A request unanswered at the fallback time: the manager gets the next suggestion
    (through the outbox, queued once per claim)."""
    sent = offer_next_suggestion(
        client, runtime, uuid.UUID(due.facts["assignment_id"]), key=f"ledger:{claim.id}"
    )
    return ledger.SENT if sent else NOT_DELIVERED


def nudge_about_coverage(
    client: WebClient, runtime: Runtime, due: Due, claim: ledger.Claim
) -> Outcome:
    """A new hire still without a mentor: their manager gets suggestions to assign
    (through the outbox, queued once per claim)."""
    sent = nudge_manager_about_coverage(
        client, runtime, uuid.UUID(due.facts["mentee_id"]), key=f"ledger:{claim.id}"
    )
    return ledger.SENT if sent else NOT_DELIVERED


def close_term(client: WebClient, runtime: Runtime, due: Due, claim: ledger.Claim) -> Outcome:
    """A mentorship nobody completed in time: it completes by itself (once, whichever
    side's reminder goes first, committed before any DM), then this side is offered the
    survey unless they have answered (or it was extended meanwhile)."""
    with runtime.db() as db:
        closed = term.close_without_feedback(
            db,
            assignment_id=uuid.UUID(due.facts["assignment_id"]),
            side=due.facts["role"],
            now=runtime.now(),
            after_days=program.load(db).auto_complete_after_days,
        )
    if not closed.owes_feedback:
        return ledger.SENT  # nothing left to ask
    return post_reminder_dm(client, runtime, due, claim)


#: Those deliveries queue their DMs in the outbox, which sends them; they say only
#: whether there was anyone to tell: a few more tries (the ledger's rejection limit),
#: and only while the finder still finds it due.
NOT_DELIVERED = Outcome("rejected", "no DM delivered")


#: Due.kind -> how it is delivered, for kinds that are not a plain reminder DM.
DELIVERERS: dict[str, Deliverer] = {
    "request_fallback": offer_fallback,
    "coverage": nudge_about_coverage,
    "term_closed": close_term,
}
