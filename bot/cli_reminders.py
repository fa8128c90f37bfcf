"""`mentorbot reminders run` and `mentorbot scheduler`: the reminder sweep, once and
printed, or every few minutes."""

from __future__ import annotations

import argparse
from typing import Any

from bot.cli_errors import CliError
from bot.cli_runtime import apply_configured_admins, parse_instant, require_migrated
from bot.config import Settings


def add_parsers(sub: Any) -> None:
    """Register `reminders run` and `scheduler` on the `mentorbot` parser's sub-parsers."""
    reminders = sub.add_parser("reminders", help="the reminder sweep")
    reminders_sub = reminders.add_subparsers(
        dest="reminders_command", required=True, metavar="ACTION"
    )
    run = reminders_sub.add_parser("run", help="run one reminder sweep and print what it sent")
    run.add_argument(
        "--now", help="sweep as if at this instant (ISO-8601, e.g. 2026-11-17T14:00:00Z)"
    )
    run.set_defaults(handler=_reminders_run)

    scheduler = sub.add_parser("scheduler", help="run the reminder sweep every few minutes")
    scheduler.add_argument(
        "--interval", type=int, default=300, help="seconds between sweeps (default 300)"
    )
    scheduler.add_argument(
        "--now",
        help="start the sweep's clock at this ISO-8601 instant; it runs on from there "
        "(a rehearsal or a test; default: the real time)",
    )
    scheduler.set_defaults(handler=_scheduler)


def _reminders_run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.runtime import Runtime
    from bot.scheduler import refresh_summary
    from bot.slack_client import make_client
    from bot.sweep import run_sweep

    now = parse_instant(args.now) if args.now else None
    settings.require("SLACK_BOT_TOKEN")
    require_migrated(settings)
    runtime = Runtime.from_settings(settings)
    apply_configured_admins(runtime)
    report = run_sweep(runtime, make_client(settings), now=now)
    refresh_summary(runtime, now=report.now)  # App Home's figures, as the scheduled sweep
    print(f"reminder sweep at {report.now.isoformat()}")
    for delivery in report.deliveries:
        error = f" ({delivery.error})" if delivery.error else ""
        print(
            f"{delivery.status:<7} {delivery.kind:<18} -> {delivery.recipient_name} "
            f"({delivery.recipient_slack_id}) {delivery.period}{error}"
        )
    for due, until in report.held:
        print(
            f"{'held':<7} {due.kind:<18} -> {due.recipient.name} "
            f"({due.recipient.slack_user_id}) until {until.isoformat()}"
        )
    for kind, count in sorted(report.held_counts.items()):
        print(f"{'held':<7} {kind:<18} {count} in all, each until its recipient's working hours")
    print(report.summary())
    return 0


def _scheduler(args: argparse.Namespace, settings: Settings) -> int:
    from bot.runtime import Runtime
    from bot.scheduler import run_forever

    if args.interval < 1:
        raise CliError("--interval must be at least 1 second")
    starting_at = parse_instant(args.now) if args.now else None
    settings.require("SLACK_BOT_TOKEN")
    require_migrated(settings)
    apply_configured_admins(Runtime.from_settings(settings))
    run_forever(settings, interval_seconds=args.interval, starting_at=starting_at)
    return 0
