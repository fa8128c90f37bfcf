"""Files the `mentorbot` command reads and writes: CSV checks that come before any
import (encoding, empty, header only) and the roster's help and template."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from bot.cli_errors import CliError


def read_text(path: Path, save_as: str = "in Excel: CSV UTF-8") -> str:
    """The file's text read as UTF-8 (a BOM, as Excel writes, is dropped); a file that
    can't be read or isn't UTF-8 is one line saying what to do."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise CliError(f"can't read {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise CliError(
            f"{path} is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at position "
            f"{exc.start}): save it as UTF-8 ({save_as}) and try again; "
            "nothing was changed"
        ) from None
    return text


def read_csv(path: Path) -> str:
    """The text of a CSV with at least one row under its header, read as UTF-8 (a BOM,
    as Excel writes, is dropped); anything else is one line saying what to do."""
    text = read_text(path)
    lines = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    if not lines:
        raise CliError(f"{path} is empty: nothing was changed")
    if len(lines) == 1:
        raise CliError(f"{path} has a header but no rows under it: nothing was changed")
    return text


def roster_help() -> str:
    """The epilog of `mentorbot users import --help`: the columns and an example row."""
    from bot.services.roster import OPTIONAL_COLUMNS, ROSTER_COLUMNS, SAMPLE_ROWS

    return (
        f"columns (first line of the file):\n  {','.join(ROSTER_COLUMNS)}\n"
        f"optional: {', '.join(OPTIONAL_COLUMNS)}; other columns are ignored\n"
        f"example row:\n  {SAMPLE_ROWS[-1]}\n"
        "hire_date is YYYY-MM-DD, timezone an IANA name; "
        "`mentorbot users template FILE` writes a sample to fill in"
    )


def write_file(path: Path, text: str) -> None:
    """Write `text` to `path` (an export, replaced when it exists)."""
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CliError(f"can't write {path}: {exc.strerror}") from exc


def write_new_file(path: Path, text: str) -> None:
    """Write `text` to `path`, which must not exist yet (a filled-in roster is never
    overwritten by a template)."""
    try:
        with path.open("x", encoding="utf-8") as out:
            out.write(text)
    except FileExistsError:
        raise CliError(f"{path} already exists: choose another name") from None
    except OSError as exc:
        raise CliError(f"can't write {path}: {exc.strerror}") from exc
