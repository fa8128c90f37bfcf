"""System-tracked ramp milestones: `mentorbot milestones import FILE.csv` records the
achievements a system such as the CRM reports (`system_tracked`), all or nothing."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services import (
    audit,
    csv_text,
    inputs,
    milestone_instances,
    milestone_templates,
    milestones,
    program,
)
from bot.services.errors import ImportProblems
from bot.services.milestone_templates import ensure_default_templates
from models import MilestoneTemplate, RampMilestone, User

WHAT = "Milestones"
IMPORT_COLUMNS = ("slack_user_id", "milestone", "achieved_date")


def import_csv(db: Session, text: str, *, now: datetime) -> int:
    """Record achievements a system tracks (e.g. the CRM): columns
    `slack_user_id,milestone,achieved_date` (milestone = template key or name).
    All-or-nothing: every bad line is reported by number and nothing is written.
    Returns how many milestones were recorded."""
    ensure_default_templates(db, now)
    reader = csv_text.reader(text)
    header = list(reader.fieldnames or [])
    missing = [c for c in IMPORT_COLUMNS if c not in header]
    if missing:
        raise ImportProblems(WHAT, [f"line 1: the header lacks {', '.join(missing)}"])
    program_templates = milestone_templates.active(db)
    templates = {t.key.lower(): t for t in program_templates} | {
        t.name.lower(): t for t in program_templates
    }
    users = {u.slack_user_id: u for u in db.scalars(select(User))}
    today = program.todays_date(db, now)
    problems: list[str] = []
    planned: list[tuple[User, str, date]] = []
    for record in reader:
        line = reader.line_num
        slack_id = (record.get("slack_user_id") or "").strip()
        name = (record.get("milestone") or "").strip()
        raw_day = (record.get("achieved_date") or "").strip()
        user = users.get(slack_id)
        if user is None:
            problems.append(
                f"line {line}: {slack_id or 'an empty slack_user_id'} is not in the roster"
            )
        if not name:
            problems.append(f"line {line}: milestone is empty")
        try:
            day = inputs.iso_date(raw_day)
        except ValueError:
            problems.append(f"line {line}: achieved_date '{raw_day}' is not a date like 2026-12-01")
            continue
        future = program.after_today(day, today)
        if future:
            problems.append(f"line {line}: achieved_date {raw_day} {future}")
        if user is not None and name and not _known_milestone(db, user, name, templates):
            problems.append(
                f"line {line}: '{name}' is neither a program milestone nor one of "
                f"{slack_id}'s milestones"
            )
        if user is not None and name:
            planned.append((user, name, day))
    if problems:
        raise ImportProblems(WHAT, problems)
    for user, name, day in planned:
        milestone = _find_or_create(db, user, name, templates)
        milestones.achieve(milestone, day, "system_tracked", None)
    db.flush()
    audit.record(
        db,
        actor_id=None,
        action="milestones.imported",
        entity_type="mentee_ramp_milestones",
        entity_id=None,
        now=now,
        recorded=len(planned),
    )
    return len(planned)


def _own_milestone(db: Session, user: User, name: str) -> RampMilestone | None:
    for milestone in db.scalars(
        select(RampMilestone).where(RampMilestone.mentee_user_id == user.id)
    ):
        if name.lower() in (milestone.milestone_name.lower(), (milestone.template_key or "")):
            return milestone
    return None


def _known_milestone(
    db: Session, user: User, name: str, templates: dict[str, MilestoneTemplate]
) -> bool:
    return name.lower() in templates or _own_milestone(db, user, name) is not None


def _find_or_create(
    db: Session, user: User, name: str, templates: dict[str, MilestoneTemplate]
) -> RampMilestone:
    template = templates.get(name.lower())
    found = _own_milestone(db, user, template.key if template else name)
    if found is None and template is not None:
        found = _own_milestone(db, user, template.name)
    if found is not None:
        return found
    assert template is not None
    # A hire not yet given the ramp gets all of it, this milestone included.
    if milestone_instances.instantiate_templates(db, user):
        db.flush()
        found = _own_milestone(db, user, template.key)
        if found is not None:
            return found
    milestone = milestone_templates.give(template, user)
    db.add(milestone)
    return milestone
