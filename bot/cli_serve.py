"""`mentorbot serve`: its options, and the checks before it serves (tokens, a
migrated database, options that go together)."""

from __future__ import annotations

import argparse
from typing import Any

from bot.config import Settings


def add_parser(sub: Any) -> None:
    """Register `serve` on the `mentorbot` parser's sub-parsers."""
    serve = sub.add_parser("serve", help="serve Slack requests (HTTP, or Socket Mode)")
    serve.add_argument("--port", type=int, help="HTTP port (default: $PORT or 3000)")
    serve.add_argument("--host", default="0.0.0.0", help="interface to listen on")
    serve.add_argument("--socket-mode", action="store_true", help="connect with SLACK_APP_TOKEN")
    serve.add_argument(
        "--connections",
        type=int,
        help="Socket Mode connections, 1 to 10; Slack spreads requests across them (default 2)",
    )
    serve.add_argument("--no-scheduler", action="store_true", help="don't run the reminder sweep")
    serve.add_argument(
        "--workers", type=int, default=1, help="HTTP worker processes on the port (default 1)"
    )
    serve.add_argument(
        "--sweep-interval", type=int, help="seconds between sweeps (default: 5 minutes)"
    )
    serve.add_argument(
        "--now",
        help="start the clock at this ISO-8601 instant; it runs on from there "
        "(a rehearsal or a test; one worker only)",
    )
    serve.set_defaults(handler=_serve)


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli_errors import CliError
    from bot.cli_runtime import parse_instant, require_migrated
    from bot.scheduler import SWEEP_INTERVAL_SECONDS
    from bot.server import serve
    from bot.socket_mode import DEFAULT_CONNECTIONS, MAX_CONNECTIONS

    if args.socket_mode:
        settings.require("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN")
    else:
        settings.require("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
    interval = SWEEP_INTERVAL_SECONDS if args.sweep_interval is None else args.sweep_interval
    if args.workers < 1 or interval < 1:
        raise CliError("--workers and --sweep-interval must be at least 1")
    if args.connections is not None and not args.socket_mode:
        raise CliError("--connections is for Socket Mode: add --socket-mode")
    connections = DEFAULT_CONNECTIONS if args.connections is None else args.connections
    if not 1 <= connections <= MAX_CONNECTIONS:
        raise CliError(
            f"--connections must be 1 to {MAX_CONNECTIONS}: Slack allows an app at most "
            f"{MAX_CONNECTIONS} Socket Mode connections"
        )
    if args.workers > 1 and (args.socket_mode or args.now):
        raise CliError(
            "--workers is for HTTP; for Socket Mode use --connections N, or start several "
            "`mentorbot serve` processes (Slack allows 10 connections in all)"
        )
    if args.workers > 1 and settings.database_url.startswith("sqlite"):
        raise CliError(
            "--workers needs PostgreSQL: a SQLite database is for one process "
            "(set DATABASE_URL to a PostgreSQL database)"
        )
    starting_at = parse_instant(args.now) if args.now else None
    require_migrated(settings)
    serve(
        settings,
        host=args.host,
        port=args.port or settings.port,
        socket_mode=args.socket_mode,
        scheduler=not args.no_scheduler,
        workers=args.workers,
        connections=connections,
        starting_at=starting_at,
        sweep_interval=interval,
    )
    return 0
