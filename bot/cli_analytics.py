"""`mentorbot analytics`: how the program is doing, as text, JSON or charts."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bot.cli_runtime import AS_IF_AT, parse_instant, require_migrated
from bot.config import Settings


def add_parsers(sub: Any) -> None:
    """Register `analytics` on the `mentorbot` parser's sub-parsers."""
    analytics = sub.add_parser(
        "analytics", help="program analytics: ramp, workload, sessions, satisfaction, ranking"
    )
    analytics.add_argument("--json", action="store_true", help="print one JSON object")
    analytics.add_argument("--now", help=AS_IF_AT)
    analytics.add_argument(
        "--charts", metavar="DIR", help="also write the charts into DIR and print their paths"
    )
    analytics.add_argument(
        "--format", choices=("png", "svg"), default="png", help="chart file format (default png)"
    )
    analytics.set_defaults(handler=_analytics)


def _analytics(args: argparse.Namespace, settings: Settings) -> int:
    import json

    from bot.blocks import analytics as analytics_blocks
    from bot.blocks.plaintext import render_blocks, terminal_text
    from bot.runtime import Runtime
    from bot.services import analytics

    runtime = Runtime.from_settings(settings)
    require_migrated(settings)
    now = parse_instant(args.now) if args.now else runtime.now()
    with runtime.db() as db:
        report = analytics.program_report(db, now=now, ranking_limit=None if args.json else 10)
    if args.json:
        print(json.dumps(analytics.as_json(report), indent=2))
    else:
        print(terminal_text(render_blocks(analytics_blocks.program_report(report))))
    if args.charts:
        from bot.charts import program_charts, write_charts

        for path in write_charts(program_charts(report), Path(args.charts), args.format):
            print(path)
    return 0
