"""The `mentorbot` command (also `python -m bot`): its parser, made of one module per
command group (`bot/cli_*.py`), and how a command's errors reach the terminal."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from bot.cli_errors import CliError, explain
from bot.cli_runtime import Handler, parse_instant
from bot.config import MissingSetting, Settings, default_database_url


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mentorbot",
        description="MentorBot: a Slack bot that runs a mentorship program.",
        epilog=f"database: $DATABASE_URL, by default {default_database_url()}",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    from bot import (
        cli_analytics,
        cli_api,
        cli_cohort,
        cli_data,
        cli_db,
        cli_reminders,
        cli_serve,
        cli_settings,
    )

    # In the order `mentorbot --help` lists them.
    cli_serve.add_parser(sub)
    cli_db.add_parsers(sub)
    cli_data.add_parsers(sub)
    cli_reminders.add_parsers(sub)
    cli_analytics.add_parsers(sub)
    cli_cohort.add_parsers(sub)
    cli_api.add_parsers(sub)
    cli_settings.add_parsers(sub)

    demo = sub.add_parser("demo", help="the whole workflow against a local fake Slack")
    demo.add_argument("--database-url", help="default: a throw-away SQLite file")
    demo.add_argument(
        "--now", help="run the whole demo at this ISO-8601 instant (default: the current one)"
    )
    demo.set_defaults(handler=_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # The demo prints what people see; log lines would only get in the way there.
    level = logging.WARNING if args.command == "demo" else logging.INFO
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Alembic logs its set-up at INFO on every schema check; only `db` should show
    # the migration steps it runs, and nothing should show the plugin set-up.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    if args.command != "db":
        logging.getLogger("alembic").setLevel(logging.WARNING)
    settings: Settings | None = None
    try:
        settings = Settings()
        handler: Handler = args.handler
        return handler(args, settings)
    except (CliError, MissingSetting) as exc:
        print(f"mentorbot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        line = explain(exc, settings.database_url if settings else None)
        if line is None:
            raise
        print(f"mentorbot: {line}", file=sys.stderr)
        return 2


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from bot.demo import run_demo

    now = parse_instant(args.now) if args.now else None
    return run_demo(database_url=args.database_url, now=now)
