"""`mentorbot settings export FILE.yaml` / `mentorbot settings import FILE.yaml`: the
program settings in a file a lead keeps in version control."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.cli_errors import CliError
from bot.config import Settings


def add_parsers(sub: Any) -> None:
    """Register `settings export|import` on the `mentorbot` parser's sub-parsers."""
    settings = sub.add_parser("settings", help="the program settings as a YAML file")
    settings_sub = settings.add_subparsers(dest="settings_command", required=True, metavar="ACTION")
    export = settings_sub.add_parser(
        "export", help="write every program setting in force to a YAML file"
    )
    export.add_argument("file", type=Path, help="where to write it (`-` for standard output)")
    export.set_defaults(handler=_export)
    import_ = settings_sub.add_parser(
        "import",
        help="apply a settings YAML file, checked whole: all of it or nothing",
        description="Apply the program settings in a YAML file (as `settings export` "
        "writes it). A setting left out keeps its value. Every problem is reported with "
        "its line, and then nothing is changed.",
    )
    import_.add_argument("file", type=Path)
    import_.set_defaults(handler=_import)


def _runtime(settings: Settings) -> Any:
    from bot.cli_runtime import require_migrated
    from bot.runtime import Runtime

    require_migrated(settings)
    return Runtime.from_settings(settings)


def _export(args: argparse.Namespace, settings: Settings) -> int:
    from bot.services import settings_file

    runtime = _runtime(settings)
    with runtime.db() as db:
        text = settings_file.export_text(db)
    if str(args.file) == "-":
        sys.stdout.write(text)
        return 0
    try:
        args.file.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CliError(f"can't write {args.file}: {exc.strerror}") from exc
    print(f"wrote the program settings to {args.file}")
    return 0


def _import(args: argparse.Namespace, settings: Settings) -> int:
    from bot.blocks.admin import changes_text
    from bot.services import settings_file

    try:
        text = args.file.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise CliError(f"can't read {args.file}: {exc.strerror}") from exc
    except UnicodeDecodeError:
        raise CliError(
            f"{args.file} is not UTF-8 text: save it as UTF-8 and try again; nothing was changed"
        ) from None
    runtime = _runtime(settings)
    try:
        with runtime.db() as db:
            changed = settings_file.import_text(db, text=text, now=runtime.now())
    except settings_file.SettingsFileRefused as refused:
        for problem in refused.problems:
            print(f"{args.file}: {problem}", file=sys.stderr)
        print(f"{args.file}: nothing was changed", file=sys.stderr)
        return 1
    print(changes_text(changed))
    return 0
