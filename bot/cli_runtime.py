"""What every `mentorbot` command that touches the program needs before it runs: the
database it uses (and that it is migrated), the instant it runs at (`--now`), and
the configured admins in place."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bot.cli_errors import CliError
from bot.cli_errors import safe_url as _safe_url
from bot.config import Settings, ensure_database_folder

Handler = Callable[[argparse.Namespace, Settings], int]


#: `--now` of the commands that work out "today" (who is a new hire, what is due).
AS_IF_AT = "as if at this ISO-8601 instant, e.g. 2026-11-17T14:00:00Z (default: now)"


def parse_instant(value: str) -> datetime:
    """An ISO-8601 instant; without an offset it is taken as UTC."""
    try:
        instant = datetime.fromisoformat(value.strip())
    except ValueError:
        raise CliError(
            f"--now '{value}' is not an ISO-8601 instant; use e.g. 2026-11-17T14:00:00Z"
        ) from None
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)


def open_database(settings: Settings) -> None:
    """Say which database a command uses (one line on stderr, so a default file in the
    data folder is never a surprise) and create the data folder on first use."""
    print(f"database: {_safe_url(settings.database_url)}", file=sys.stderr)
    ensure_database_folder(settings.database_url)


def require_migrated(settings: Settings) -> None:
    """Say which database the command uses; CliError if it has migrations pending."""
    from models.migrate import pending_revisions

    open_database(settings)
    pending = pending_revisions(settings.database_url)
    if pending:
        raise CliError(
            f"the database is not up to date ({len(pending)} migration(s) pending): "
            "run `mentorbot db upgrade` first"
        )


def apply_configured_admins(runtime: Any) -> None:
    """MENTORBOT_ADMINS take effect before the sweep looks for admins to escalate to."""
    from bot.services.first_contact import grant_configured_admins

    with runtime.db() as db:
        grant_configured_admins(db, runtime.settings.mentorbot_admins, now=runtime.now())
