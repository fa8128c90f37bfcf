"""The `mentorbot` command (also `python -m bot`)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from bot.config import MissingSetting, Settings

Handler = Callable[[argparse.Namespace, Settings], int]


class CliError(Exception):
    """A one-line problem to print (no traceback) with exit status 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mentorbot", description="MentorBot: a Slack bot that runs a mentorship program."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="serve Slack requests (HTTP, or Socket Mode)")
    serve.add_argument("--port", type=int, help="HTTP port (default: $PORT or 3000)")
    serve.add_argument("--host", default="0.0.0.0", help="interface to listen on")
    serve.add_argument("--socket-mode", action="store_true", help="connect with SLACK_APP_TOKEN")
    serve.add_argument("--no-scheduler", action="store_true", help="don't run the reminder sweep")
    serve.set_defaults(handler=_serve)

    db = sub.add_parser("db", help="database migrations")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    upgrade = db_sub.add_parser("upgrade", help="apply migrations (alembic upgrade head)")
    upgrade.add_argument("revision", nargs="?", default="head")
    upgrade.set_defaults(handler=_db_upgrade)
    downgrade = db_sub.add_parser("downgrade", help="revert migrations")
    downgrade.add_argument("revision", help="target revision, e.g. base")
    downgrade.set_defaults(handler=_db_downgrade)

    users = sub.add_parser("users", help="the roster")
    users_sub = users.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    import_ = users_sub.add_parser("import", help="upsert people from a roster CSV")
    import_.add_argument("file", type=Path)
    import_.set_defaults(handler=_users_import)

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
    cohort.set_defaults(handler=_match_cohort)

    demo = sub.add_parser("demo", help="the whole workflow against a local fake Slack")
    demo.add_argument("--database-url", help="default: a throw-away SQLite file")
    demo.set_defaults(handler=_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    args = build_parser().parse_args(argv)
    try:
        settings = Settings()
        handler: Handler = args.handler
        return handler(args, settings)
    except (CliError, MissingSetting) as exc:
        print(f"mentorbot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from models.migrate import upgrade

    upgrade(settings.database_url, args.revision)
    print(f"database at {args.revision}: {_safe_url(settings.database_url)}")
    return 0


def _db_downgrade(args: argparse.Namespace, settings: Settings) -> int:
    from models.migrate import downgrade

    downgrade(settings.database_url, args.revision)
    print(f"database downgraded to {args.revision}")
    return 0


def _users_import(args: argparse.Namespace, settings: Settings) -> int:
    from bot.runtime import Runtime
    from bot.services.roster import RosterError, import_csv

    try:
        text = args.file.read_text(encoding="utf-8")
    except OSError as exc:
        raise CliError(f"can't read {args.file}: {exc.strerror}") from exc
    runtime = Runtime.from_settings(settings)
    _require_migrated(settings)
    try:
        with runtime.db() as db:
            result = import_csv(db, text, now=runtime.now())
    except RosterError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(f"roster imported: {result.created} created, {result.updated} updated")
    if result.ignored_columns:
        print(f"ignored columns: {', '.join(result.ignored_columns)}")
    return 0


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from bot.server import serve

    if args.socket_mode:
        settings.require("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN")
    else:
        settings.require("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
    _require_migrated(settings)
    serve(
        settings,
        host=args.host,
        port=args.port or settings.port,
        socket_mode=args.socket_mode,
        scheduler=not args.no_scheduler,
    )
    return 0


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2026-09-01") from exc


def _match_cohort(args: argparse.Namespace, settings: Settings) -> int:
    from bot.blocks.matching import cohort_pair_lines, cohort_summary
    from bot.listeners.matching import post_cohort_proposal
    from bot.runtime import Runtime
    from bot.services import assignments
    from bot.services.errors import DomainError

    _require_migrated(settings)
    runtime = Runtime.from_settings(settings)
    try:
        with runtime.db() as db:
            proposal = assignments.propose_cohort(
                db, actor_id=None, now=runtime.now(), since=args.since
            )
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


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from bot.demo import run_demo

    return run_demo(database_url=args.database_url)


def _require_migrated(settings: Settings) -> None:
    from sqlalchemy.exc import OperationalError

    from models.migrate import pending_revisions

    try:
        pending = pending_revisions(settings.database_url)
    except OperationalError as exc:
        raise CliError(
            f"can't reach the database at {_safe_url(settings.database_url)}: "
            f"{str(exc.orig).strip().splitlines()[0]}"
        ) from exc
    if pending:
        raise CliError(
            f"the database is not up to date ({len(pending)} migration(s) pending): "
            "run `mentorbot db upgrade` first"
        )


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
