"""`mentorbot api-tokens create|list|revoke` (service tokens for systems) and
`mentorbot audit export`: the operator's side of the REST API and the audit log."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from datetime import UTC, date, datetime
from typing import Any

from bot.config import Settings


def add_parsers(sub: Any) -> None:
    """Register the commands on the `mentorbot` parser's sub-parsers."""
    tokens = sub.add_parser("api-tokens", help="service tokens of the REST API")
    tokens_sub = tokens.add_subparsers(dest="tokens_command", required=True, metavar="ACTION")
    create = tokens_sub.add_parser("create", help="a new service token (shown once)")
    create.add_argument("--name", required=True, help="the system it is for, e.g. onboarding")
    create.add_argument(
        "--scope", required=True, help="comma-separated, e.g. assignments:write,analytics:read"
    )
    create.set_defaults(handler=_create)
    listing = tokens_sub.add_parser("list", help="service tokens, live and revoked")
    listing.set_defaults(handler=_list)
    revoke = tokens_sub.add_parser("revoke", help="stop a service token working, at once")
    revoke.add_argument("name", help="its name, prefix or id")
    revoke.set_defaults(handler=_revoke)

    audit = sub.add_parser("audit", help="the audit log")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    export = audit_sub.add_parser("export", help="who did what and when, to standard output")
    export.add_argument("--since", type=_day, metavar="DATE", help="from this day on (UTC)")
    export.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    export.set_defaults(handler=_export)


def _runtime(settings: Settings) -> Any:
    from bot.cli_runtime import require_migrated
    from bot.runtime import Runtime

    require_migrated(settings)
    return Runtime.from_settings(settings)


def _create(args: argparse.Namespace, settings: Settings) -> int:
    from bot.services import api_tokens
    from bot.services.errors import DomainError

    runtime = _runtime(settings)
    try:
        scopes = api_tokens.parse_scopes(args.scope)
        with runtime.db() as db:
            issued = api_tokens.issue_service(db, name=args.name, scopes=scopes, now=runtime.now())
    except DomainError as exc:
        print(f"mentorbot: {exc}", file=sys.stderr)
        return 2
    print(f"service token '{issued.view.name}' ({', '.join(scopes)}), shown this once:")
    print(issued.token)
    return 0


def _list(args: argparse.Namespace, settings: Settings) -> int:
    from bot.services import api_tokens

    runtime = _runtime(settings)
    with runtime.db() as db:
        tokens = api_tokens.list_tokens(db, user_id=None)
    if not tokens:
        print("no service tokens; make one with: mentorbot api-tokens create --name N --scope S")
    for t in tokens:
        state = f"revoked {t.revoked_at:%Y-%m-%d}" if t.revoked_at else "live"
        used = f"last used {t.last_used_at:%Y-%m-%d}" if t.last_used_at else "never used"
        print(f"{t.name:<20} {t.prefix}…  {','.join(t.scopes):<40} {used:<22} {state}")
    return 0


def _revoke(args: argparse.Namespace, settings: Settings) -> int:
    from bot.services import api_tokens
    from bot.services.errors import DomainError

    runtime = _runtime(settings)
    try:
        with runtime.db() as db:
            token = api_tokens.revoke(db, user_id=None, ref=args.name, now=runtime.now())
    except DomainError as exc:
        print(f"mentorbot: {exc}", file=sys.stderr)
        return 2
    print(f"revoked service token '{token.name}' ({token.prefix}…)")
    return 0


def _export(args: argparse.Namespace, settings: Settings) -> int:
    from bot.services import audit

    runtime = _runtime(settings)
    since = datetime.combine(args.since, datetime.min.time(), UTC) if args.since else None
    with runtime.db() as db:
        rows = audit.export(db, since=since)
        if args.format == "jsonl":
            for row in rows:
                print(json.dumps(row, sort_keys=True))
            return 0
        writer = csv.DictWriter(sys.stdout, fieldnames=audit.EXPORT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "details": json.dumps(row["details"], sort_keys=True)})
    return 0


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2026-09-01") from exc
