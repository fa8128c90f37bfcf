"""`mentorbot match-cohort`: who should mentor each new hire without a mentor, as one
proposal for the program admins to approve."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from bot.cli_errors import CliError
from bot.cli_runtime import AS_IF_AT, parse_instant, require_migrated
from bot.config import Settings


def add_parsers(sub: Any) -> None:
    """Register `match-cohort` on the `mentorbot` parser's sub-parsers."""
    cohort = sub.add_parser(
        "match-cohort",
        help="match every new hire without a mentor at once (optimal total), for admin approval",
    )
    cohort.add_argument(
        "--since",
        type=_iso_date,
        metavar="DATE",
        help="hires since this date, YYYY-MM-DD (default: the program's new-hire window)",
    )
    cohort.add_argument("--now", help=AS_IF_AT)
    cohort.set_defaults(handler=_match_cohort)


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2026-09-01") from exc


def _match_cohort(args: argparse.Namespace, settings: Settings) -> int:
    from bot.blocks.matching import cohort_pair_lines, cohort_summary
    from bot.listeners.matching import post_cohort_proposal
    from bot.runtime import Runtime
    from bot.services import cohorts
    from bot.services.errors import DomainError

    require_migrated(settings)
    runtime = Runtime.from_settings(settings)
    now = parse_instant(args.now) if args.now else runtime.now()
    try:
        with runtime.db() as db:
            proposal = cohorts.propose(db, actor_id=None, now=now, since=args.since)
    except DomainError as exc:
        raise CliError(str(exc)) from exc
    print(f"Cohort proposal {proposal.id}")
    for line in cohort_pair_lines(proposal):
        print(f"  {line}")
    print(cohort_summary(proposal))
    if proposal.unmatched:
        print("No mentor with a free slot for: " + ", ".join(proposal.unmatched))
    if not proposal.pairs:
        return 0
    if not settings.slack_bot_token:
        print("Set SLACK_BOT_TOKEN to send it to the program admins for one-click approval.")
        return 0
    from bot.slack_client import make_client

    sent_to = post_cohort_proposal(make_client(settings), runtime, proposal)
    if sent_to:
        print("Sent to the program admins for approval in Slack: " + ", ".join(sent_to))
    else:
        print("No program admin could be reached in Slack; nothing was sent.")
    return 0
