"""`mentorbot db upgrade|downgrade`: the database's migrations."""

from __future__ import annotations

import argparse
from typing import Any

from bot.cli_errors import CliError
from bot.cli_errors import safe_url as _safe_url
from bot.cli_runtime import open_database
from bot.config import Settings


def add_parsers(sub: Any) -> None:
    """Register `db upgrade|downgrade` on the `mentorbot` parser's sub-parsers."""
    db = sub.add_parser("db", help="database migrations")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    upgrade = db_sub.add_parser("upgrade", help="apply migrations (alembic upgrade head)")
    upgrade.add_argument("revision", nargs="?", default="head")
    upgrade.set_defaults(handler=_db_upgrade)
    downgrade = db_sub.add_parser("downgrade", help="revert migrations")
    downgrade.add_argument("revision", help="target revision, e.g. base")
    downgrade.set_defaults(handler=_db_downgrade)


def _db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from models.migrate import RoleProblem, grant_app_role, upgrade

    open_database(settings)
    upgrade(settings.database_url, args.revision)
    print(f"database at {args.revision}: {_safe_url(settings.database_url)}")
    if settings.mentorbot_app_role:
        try:
            grant_app_role(settings.database_url, settings.mentorbot_app_role)
        except RoleProblem as exc:
            raise CliError(str(exc)) from exc
        print(f"granted the app role {settings.mentorbot_app_role} the use of every table")
    return 0


def _db_downgrade(args: argparse.Namespace, settings: Settings) -> int:
    from models.migrate import downgrade

    open_database(settings)
    downgrade(settings.database_url, args.revision)
    print(f"database downgraded to {args.revision}")
    return 0
