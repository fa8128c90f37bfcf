"""`mentorbot milestones templates export/import FILE.yaml`: the ramp templates as a
file a program lead keeps in version control. An import is checked as a whole (the
line of every problem) and written all or nothing; the file's order is the program's
order, a template left out of it is retired, and (as in Slack) hires keep the
milestones they were given."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services import audit, milestone_templates, yaml_text
from bot.services.errors import ImportProblems
from bot.services.milestone_templates import GIVEN, TemplateFields
from models import MilestoneTemplate

WHAT = "Milestone templates"
TOP = "templates"
#: The keys an entry may have and the type of each.
KEYS: dict[str, type | tuple[type, ...]] = {
    "key": str,
    "name": str,
    "description": str,
    "days_from_hire": int,
    "skill": str,
    "verification": str,
    "fully_ramped": bool,
}
COMMENT = (
    "MentorBot ramp milestone templates. The order is the program's order; a template\n"
    "left out is retired. verification: mentor_verified, self_report or system_tracked.\n"
    "Exactly one template is fully_ramped: true. Import: mentorbot milestones templates "
    "import FILE"
)


@dataclass(frozen=True)
class TemplatesImported:
    added: list[str]
    changed: list[str]
    retired: list[str]
    #: key -> hires who hold an earlier version and haven't reached it (apply in Slack).
    behind: dict[str, int]

    def summary(self) -> str:
        lines = [
            f"milestone templates imported: {len(self.added)} added, "
            f"{len(self.changed)} changed, {len(self.retired)} retired"
        ]
        lines += [
            f"{n} hire(s) who haven't reached '{key}' keep the earlier version: "
            "apply it with `/mentor milestones templates` in Slack"
            for key, n in self.behind.items()
            if n
        ]
        return "\n".join(lines)


def export_yaml(db: Session, now: datetime) -> str:
    """The active templates, in program order, as YAML."""
    milestone_templates.ensure_default_templates(db, now)
    items: list[dict[str, Any]] = []
    for template in milestone_templates.active(db):
        item: dict[str, Any] = {
            "key": template.key,
            "name": template.name,
            "days_from_hire": template.days_from_hire,
        }
        if template.description:
            item["description"] = template.description
        if template.skill:
            item["skill"] = template.skill
        item["verification"] = template.verification
        item["fully_ramped"] = template.is_final
        items.append(item)
    return yaml_text.dump(TOP, items, COMMENT)


def import_yaml(db: Session, text: str, *, now: datetime) -> TemplatesImported:
    """Make the program's templates what the file says (ImportProblems: nothing written)."""
    milestone_templates.ensure_default_templates(db, now)
    entries = yaml_text.load(text, WHAT, TOP)
    skills = milestone_templates.skills(db)
    problems: list[str] = []
    parsed: list[tuple[str | None, TemplateFields]] = []
    names: dict[str, int] = {}
    keys: dict[str, int] = {}
    finals: list[int] = []
    for entry in entries:
        line = entry.line if isinstance(entry, yaml_text.Mapping) else 1
        shape = yaml_text.item_problems(entry, line, KEYS)
        if shape:
            problems += shape
            continue
        days = entry.get("days_from_hire")
        if days is None:
            problems.append(f"line {line}: days_from_hire is missing")
        fields = TemplateFields(
            name=str(entry.get("name") or "").strip(),
            description=str(entry.get("description") or "").strip() or None,
            days_from_hire=0 if days is None else days,
            skill=str(entry.get("skill") or "").strip() or None,
            verification=str(entry.get("verification") or "mentor_verified").strip(),
            is_final=bool(entry.get("fully_ramped")),
        )
        for field, message in milestone_templates.check(fields, skills).items():
            source = "fully_ramped" if field == "is_final" else field
            problems.append(f"line {entry.line_of(source)}: {source}: {message}")
        lowered = fields.name.lower()
        if lowered and lowered in names:
            problems.append(
                f"line {entry.line_of('name')}: name '{fields.name}' is also on line "
                f"{names[lowered]}; each template needs its own name"
            )
        names.setdefault(lowered, entry.line_of("name"))
        key = str(entry.get("key") or "").strip() or None
        if key is not None:
            if key in keys:
                problems.append(
                    f"line {entry.line_of('key')}: key '{key}' is also on line {keys[key]}"
                )
            keys.setdefault(key, entry.line_of("key"))
        if fields.is_final:
            finals.append(entry.line_of("fully_ramped"))
        parsed.append((key, fields))
    if not problems and len(finals) != 1:
        problems.append(
            "line 1: exactly one template must have `fully_ramped: true` "
            + (f"(lines {', '.join(map(str, finals))} do)" if finals else "(none does)")
        )
    if problems:
        raise ImportProblems(WHAT, problems)
    return _write(db, parsed, now)


def _write(
    db: Session, parsed: list[tuple[str | None, TemplateFields]], now: datetime
) -> TemplatesImported:
    existing = {t.key: t for t in db.scalars(select(MilestoneTemplate))}
    added: list[str] = []
    changed: list[str] = []
    kept: set[str] = set()
    for position, (key, fields) in enumerate(parsed):
        template = existing.get(key) if key else None
        if template is None:
            template = MilestoneTemplate(
                key=key or milestone_templates.unused_key(fields.name, set(existing)), version=1
            )
            db.add(template)
            existing[template.key] = template
            added.append(template.key)
        else:
            before = milestone_templates.view(template)
            differs = [f for f in GIVEN if getattr(before.fields, f) != getattr(fields, f)]
            if differs:
                template.version += 1
            if before.fields != fields or not template.is_active:
                changed.append(template.key)
        milestone_templates.write_fields(template, fields)
        template.position = position
        kept.add(template.key)
    retired = [k for k, t in existing.items() if k not in kept and t.is_active]
    for key in retired:
        existing[key].is_active = False
    db.flush()
    behind = {
        key: milestone_templates.behind_count(db, existing[key], existing[key].version)
        for key in changed
    }
    audit.record(
        db,
        actor_id=None,
        action="milestone_templates.imported",
        entity_type="milestone_templates",
        entity_id=None,
        now=now,
        added=added,
        changed=changed,
        retired=retired,
    )
    return TemplatesImported(added, changed, retired, behind)
