"""The program settings as a YAML file a lead keeps in version control: written whole by
`mentorbot settings export`, read back by `mentorbot settings import`.

A file is checked whole, by `program.validate` (the check the Slack modals use), and
applied all or nothing; each problem is reported with the line it is on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import yaml
from sqlalchemy.orm import Session

from bot.services import admin, program, yaml_text
from bot.services.admin import Change
from bot.services.errors import DomainError, InvalidInput

HEADER = (
    "# MentorBot program settings: `mentorbot settings import FILE` applies this file.\n"
    "# Shares (metric_targets: coverage, ramp_reduction, session_completion) are 0 to 1;\n"
    "# work_days are 0 (Monday) to 6 (Sunday). A setting left out keeps its value.\n"
)


@dataclass(frozen=True)
class Problem:
    line: int | None  # 1-based; None when the setting is not in the file
    setting: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        if not self.setting:
            return where + self.message
        return f"{where or '(not in the file) '}{self.setting}: {self.message}"


class SettingsFileRefused(DomainError):
    """The file was not applied; `problems` says why, line by line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.line or 0, p.setting))
        super().__init__("; ".join(str(p) for p in self.problems))


def export_text(db: Session) -> str:
    """Every program setting in force, as YAML, in the order they are declared."""
    values = program.load(db).model_dump(mode="json")
    return HEADER + yaml.safe_dump(values, sort_keys=False, allow_unicode=True, width=100)


def import_text(db: Session, *, text: str, now: datetime) -> list[Change]:
    """Apply the settings in `text` (YAML) as the command line (no Slack actor), audited,
    and return what changed. SettingsFileRefused lists every problem with its line;
    nothing is changed then."""
    values, lines = parse(text)
    try:
        return admin.apply_settings(db, entered=values, actor_id=None, now=now, source="cli")
    except InvalidInput as exc:
        raise SettingsFileRefused(
            [Problem(_line_of(name, lines), name, message) for name, message in exc.errors.items()]
        ) from exc


def parse(text: str) -> tuple[dict[str, Any], dict[str, int]]:
    """The file's settings and the line of each (dotted name -> 1-based line).
    SettingsFileRefused for text that is not a YAML mapping of settings."""
    try:
        document = yaml_text.read(text)
    except yaml_text.NotYaml as exc:
        raise SettingsFileRefused(
            [Problem(exc.line, "", f"not valid YAML: {exc.problem}")]
        ) from None
    if document.content is None:
        raise SettingsFileRefused(
            [Problem(None, "", "the file is empty: export the settings to start from")]
        )
    if not isinstance(document.content, yaml_text.Mapping):
        raise SettingsFileRefused(
            [Problem(document.line, "", "expected settings as `name: value` lines")]
        )
    lines: dict[str, int] = {}
    problems: list[Problem] = []
    _walk(document.content, "", lines, problems)
    if problems:
        raise SettingsFileRefused(problems)
    return document.content, lines


def _walk(
    mapping: yaml_text.Mapping, prefix: str, lines: dict[str, int], problems: list[Problem]
) -> None:
    """Note the line of every key (dotted under its group); a key given twice is a
    problem (YAML would keep the second silently)."""
    for key, line in mapping.key_lines.items():
        name = prefix + str(key)
        lines[name] = line
        if isinstance(mapping[key], yaml_text.Mapping):
            _walk(mapping[key], name + ".", lines, problems)
    for key, line in mapping.repeats:
        name = prefix + str(key)
        problems.append(Problem(line, name, f"given twice (first on line {lines[name]})"))


def _line_of(name: str, lines: dict[str, int]) -> int | None:
    """The line of a setting, else of the group it is in."""
    while name:
        if name in lines:
            return lines[name]
        name = name.rpartition(".")[0]
    return None
