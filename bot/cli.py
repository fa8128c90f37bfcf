"""The `mentorbot` command (also `python -m bot`)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
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

    analytics = sub.add_parser(
        "analytics", help="program analytics: ramp, workload, sessions, satisfaction, ranking"
    )
    analytics.add_argument("--json", action="store_true", help="print one JSON object")
    analytics.add_argument(
        "--now", type=_instant, help="as if at this ISO-8601 instant (default: now)"
    )
    analytics.set_defaults(handler=_analytics)

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


def _analytics(args: argparse.Namespace, settings: Settings) -> int:
    import json

    from bot.blocks import analytics as analytics_blocks
    from bot.runtime import Runtime
    from bot.services import analytics
    from bot.testing.render import render_blocks

    runtime = Runtime.from_settings(settings)
    _require_migrated(settings)
    now = args.now or runtime.now()
    with runtime.db() as db:
        report = analytics.program_report(db, now=now, ranking_limit=None if args.json else 10)
    if args.json:
        print(json.dumps(analytics.as_json(report), indent=2))
    else:
        print(render_blocks(analytics_blocks.program_report(report)).replace("```", ""))
    return 0


def _instant(text: str) -> datetime:
    """An ISO-8601 instant; one without an offset is taken as UTC."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not an ISO-8601 date or time, e.g. 2026-11-17T09:00:00+00:00"
        ) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


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
