"""The `mentorbot` command (also `python -m bot`)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bot.cli_errors import CliError, explain
from bot.cli_errors import safe_url as _safe_url
from bot.cli_files import read_csv, read_text, roster_help, write_file, write_new_file
from bot.config import MissingSetting, Settings, default_database_url, ensure_database_folder

Handler = Callable[[argparse.Namespace, Settings], int]


#: `--now` of the commands that work out "today" (who is a new hire, what is due).
AS_IF_AT = "as if at this ISO-8601 instant, e.g. 2026-11-17T14:00:00Z (default: now)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mentorbot",
        description="MentorBot: a Slack bot that runs a mentorship program.",
        epilog=f"database: $DATABASE_URL, by default {default_database_url()}",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    from bot import cli_serve

    cli_serve.add_parser(sub)

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
    import_ = users_sub.add_parser(
        "import",
        help="upsert people from a roster CSV",
        description="Add or update people from a roster CSV (UTF-8), one row per person, "
        "keyed by slack_user_id. Bad rows are reported by line and nothing is written.",
        epilog=roster_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    import_.add_argument("file", type=Path)
    import_.add_argument("--now", help=AS_IF_AT)
    import_.set_defaults(handler=_users_import)
    template = users_sub.add_parser("template", help="write a sample roster CSV to fill in")
    template.add_argument(
        "file", type=Path, nargs="?", help="where to write it (default: print it)"
    )
    template.set_defaults(handler=_users_template)

    milestones = sub.add_parser("milestones", help="ramp milestones")
    milestones_sub = milestones.add_subparsers(
        dest="milestones_command", required=True, metavar="ACTION"
    )
    milestones_import = milestones_sub.add_parser(
        "import", help="record system-tracked achievements from a CSV"
    )
    milestones_import.add_argument("file", type=Path)
    milestones_import.add_argument("--now", help=AS_IF_AT)
    milestones_import.set_defaults(handler=_milestones_import)
    _yaml_actions(
        milestones_sub.add_parser(
            "templates", help="the ramp milestone templates as YAML (export, edit, import)"
        ),
        "templates",
        _templates_export,
        _templates_import,
        "Replace the program's ramp milestone templates with those in FILE (as `export` "
        "writes it). The file's order is the program's order; a template left out is "
        "retired; hires keep the milestones they were given.",
    )
    _yaml_actions(
        sub.add_parser("curriculum", help="the curriculum (suggested topics per week) as YAML"),
        "curriculum",
        _curriculum_export,
        _curriculum_import,
        "Replace the curriculum with the one in FILE (as `export` writes it).",
    )
    trainings = sub.add_parser("trainings", help="mentor trainings")
    trainings_sub = trainings.add_subparsers(
        dest="trainings_command", required=True, metavar="ACTION"
    )
    trainings_import = trainings_sub.add_parser(
        "import",
        help="record training completions from an LMS export (CSV)",
        description="Record mentors' required trainings as completed (system-tracked) "
        "from an LMS export in UTF-8. Bad rows are reported by line and nothing is written.",
        epilog="columns: slack_user_id (or email),training,completed_date\n"
        "example row:\n  U04ABCD1234,Mentor basics,2026-11-02\n"
        "training is a required training's name or key (see /mentor admin); a mentor "
        "with every required training done is certified",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    trainings_import.add_argument("file", type=Path)
    trainings_import.add_argument("--now", help=AS_IF_AT)
    trainings_import.set_defaults(handler=_trainings_import)
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

    from bot import cli_api, cli_settings

    cli_api.add_parsers(sub)
    cli_settings.add_parsers(sub)

    demo = sub.add_parser("demo", help="the whole workflow against a local fake Slack")
    demo.add_argument("--database-url", help="default: a throw-away SQLite file")
    demo.add_argument(
        "--now", help="run the whole demo at this ISO-8601 instant (default: the current one)"
    )
    demo.set_defaults(handler=_demo)
    return parser


def _yaml_actions(
    parser: argparse.ArgumentParser, what: str, export: Handler, import_: Handler, replaces: str
) -> None:
    """`export FILE` and `import FILE` of something a program lead keeps as YAML."""
    actions = parser.add_subparsers(dest=f"{what}_command", required=True, metavar="ACTION")
    exporting = actions.add_parser("export", help=f"write the {what} to FILE")
    exporting.add_argument("file", type=Path)
    exporting.set_defaults(handler=export)
    importing = actions.add_parser(
        "import",
        help=f"make the {what} what FILE says (all or nothing)",
        description=f"{replaces} Every problem is reported with its line and nothing is changed.",
    )
    importing.add_argument("file", type=Path)
    importing.add_argument("--now", help=AS_IF_AT)
    importing.set_defaults(handler=import_)


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


def _open_database(settings: Settings) -> None:
    """Say which database a command uses (one line on stderr, so a default file in the
    data folder is never a surprise) and create the data folder on first use."""
    print(f"database: {_safe_url(settings.database_url)}", file=sys.stderr)
    ensure_database_folder(settings.database_url)


def _db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from models.migrate import RoleProblem, grant_app_role, upgrade

    _open_database(settings)
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

    _open_database(settings)
    downgrade(settings.database_url, args.revision)
    print(f"database downgraded to {args.revision}")
    return 0


def _import_file(
    args: argparse.Namespace,
    settings: Settings,
    work: Callable[[Any, str, Any], str],
    read: Callable[[Path], str] = read_csv,
) -> int:
    """Read the file (a CSV by default), check the database is migrated, run
    `work(db, text, now)` in one transaction and print what it says; a refused file
    prints its problems (exit 1)."""
    from bot.runtime import Runtime
    from bot.services.errors import DomainError

    as_of = parse_instant(args.now) if getattr(args, "now", None) else None
    text = read(args.file)
    runtime = Runtime.from_settings(settings)
    _require_migrated(settings)
    try:
        with runtime.db() as db:
            summary = work(db, text, as_of or runtime.now())
    except DomainError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(summary)
    return 0


def _users_template(args: argparse.Namespace, settings: Settings) -> int:
    from bot.services.roster import template_csv

    if args.file is None:
        sys.stdout.write(template_csv())
        return 0
    write_new_file(args.file, template_csv())
    print(f"wrote a sample roster to {args.file}: replace the example rows with your people")
    return 0


def _users_import(args: argparse.Namespace, settings: Settings) -> int:
    from bot.services.first_contact import grant_configured_admins
    from bot.services.milestones import instantiate_for_new_hires
    from bot.services.roster import import_csv

    def work(db: Any, text: str, now: Any) -> str:
        result = import_csv(db, text, now=now)
        grant_configured_admins(db, settings.mentorbot_admins, now=now)
        # New hires get the program's ramp milestones, mentored or not.
        created = instantiate_for_new_hires(db, now)
        lines = [f"roster imported: {result.created} created, {result.updated} updated"]
        if result.ignored_columns:
            lines.append(f"ignored columns: {', '.join(result.ignored_columns)}")
        if created:
            lines.append(f"ramp milestones created for new hires: {created}")
        return "\n".join(lines)

    return _import_file(args, settings, work)


def _milestones_import(args: argparse.Namespace, settings: Settings) -> int:
    from bot.services.milestones_import import import_csv

    def work(db: Any, text: str, now: Any) -> str:
        return f"milestones recorded as system-tracked: {import_csv(db, text, now=now)}"

    return _import_file(args, settings, work)


def _trainings_import(args: argparse.Namespace, settings: Settings) -> int:
    from bot.services.trainings_import import import_csv

    def work(db: Any, text: str, now: Any) -> str:
        return import_csv(db, text, now=now).summary()

    return _import_file(args, settings, work)


def _export(
    args: argparse.Namespace, settings: Settings, what: str, produce: Callable[[Any, Any], str]
) -> int:
    """Write what `produce(db, now)` returns to the file (replaced if it exists)."""
    from bot.runtime import Runtime

    runtime = Runtime.from_settings(settings)
    _require_migrated(settings)
    with runtime.db() as db:
        text = produce(db, runtime.now())
    write_file(args.file, text)
    print(f"{what} written to {args.file}")
    return 0


def _templates_export(args: argparse.Namespace, settings: Settings) -> int:
    from bot.services.milestone_templates_file import export_yaml

    return _export(args, settings, "milestone templates", export_yaml)


def _curriculum_export(args: argparse.Namespace, settings: Settings) -> int:
    from bot.services.curriculum_file import export_yaml

    return _export(args, settings, "curriculum", lambda db, _now: export_yaml(db))


def _curriculum_import(args: argparse.Namespace, settings: Settings) -> int:
    from bot.services.curriculum_file import import_yaml

    return _import_file(
        args, settings, lambda db, text, now: import_yaml(db, text, now=now), read=_read_yaml
    )


def _templates_import(args: argparse.Namespace, settings: Settings) -> int:
    from bot.services.milestone_templates_file import import_yaml

    def work(db: Any, text: str, now: Any) -> str:
        return import_yaml(db, text, now=now).summary()

    return _import_file(args, settings, work, read=_read_yaml)


def _read_yaml(path: Path) -> str:
    return read_text(path, save_as="your editor's UTF-8 encoding")


def _reminders_run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.runtime import Runtime
    from bot.scheduler import refresh_summary
    from bot.slack_client import make_client
    from bot.sweep import run_sweep

    now = parse_instant(args.now) if args.now else None
    settings.require("SLACK_BOT_TOKEN")
    _require_migrated(settings)
    runtime = Runtime.from_settings(settings)
    _grant_configured_admins(runtime)
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


def parse_instant(value: str) -> datetime:
    """An ISO-8601 instant; without an offset it is taken as UTC."""
    try:
        instant = datetime.fromisoformat(value.strip())
    except ValueError:
        raise CliError(
            f"--now '{value}' is not an ISO-8601 instant; use e.g. 2026-11-17T14:00:00Z"
        ) from None
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)


def _scheduler(args: argparse.Namespace, settings: Settings) -> int:
    from bot.runtime import Runtime
    from bot.scheduler import run_forever

    if args.interval < 1:
        raise CliError("--interval must be at least 1 second")
    starting_at = parse_instant(args.now) if args.now else None
    settings.require("SLACK_BOT_TOKEN")
    _require_migrated(settings)
    _grant_configured_admins(Runtime.from_settings(settings))
    run_forever(settings, interval_seconds=args.interval, starting_at=starting_at)
    return 0


def _analytics(args: argparse.Namespace, settings: Settings) -> int:
    import json

    from bot.blocks import analytics as analytics_blocks
    from bot.blocks.plaintext import render_blocks, terminal_text
    from bot.runtime import Runtime
    from bot.services import analytics

    runtime = Runtime.from_settings(settings)
    _require_migrated(settings)
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

    _require_migrated(settings)
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


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from bot.demo import run_demo

    now = parse_instant(args.now) if args.now else None
    return run_demo(database_url=args.database_url, now=now)


def _grant_configured_admins(runtime: Any) -> None:
    """MENTORBOT_ADMINS take effect before the sweep looks for admins to escalate to."""
    from bot.services.first_contact import grant_configured_admins

    with runtime.db() as db:
        grant_configured_admins(db, runtime.settings.mentorbot_admins, now=runtime.now())


def _require_migrated(settings: Settings) -> None:
    from models.migrate import pending_revisions

    _open_database(settings)
    pending = pending_revisions(settings.database_url)
    if pending:
        raise CliError(
            f"the database is not up to date ({len(pending)} migration(s) pending): "
            "run `mentorbot db upgrade` first"
        )
