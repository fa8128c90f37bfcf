"""`mentorbot users|milestones|curriculum|trainings`: the program's data in and out of
files (a roster CSV, milestones and trainings from other systems, the YAML a lead
keeps), each file checked whole and written in one transaction."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.cli_files import read_csv, read_text, roster_help, write_file, write_new_file
from bot.cli_runtime import AS_IF_AT, Handler, parse_instant, require_migrated
from bot.config import Settings


def add_parsers(sub: Any) -> None:
    """Register `users`, `milestones`, `curriculum` and `trainings` on the `mentorbot`
    parser's sub-parsers."""
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
    require_migrated(settings)
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
    from bot.services.milestone_instances import instantiate_for_new_hires
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
    require_migrated(settings)
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
