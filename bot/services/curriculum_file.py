"""`mentorbot curriculum export/import FILE.yaml`: the curriculum as a file a program
lead keeps in version control. An import is checked as a whole (the line of every
problem) and replaces the whole curriculum, or changes nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.services import audit, curriculum, yaml_text
from bot.services.curriculum import Topic
from bot.services.errors import ImportProblems

WHAT = "Curriculum"
TOP = "curriculum"
WEEK_KEYS: dict[str, type | tuple[type, ...]] = {"week": int, "topics": list}
TOPIC_KEYS: dict[str, type | tuple[type, ...]] = {"title": str, "url": str}
COMMENT = (
    "MentorBot curriculum: suggested topics (and optional links) per week of a\n"
    "mentorship; week 1 is its first seven days. Import: mentorbot curriculum import FILE"
)


def export_yaml(db: Session) -> str:
    """The curriculum, week by week, as YAML."""
    items: list[dict[str, Any]] = [
        {
            "week": week,
            "topics": [{"title": t.title, **({"url": t.url} if t.url else {})} for t in topics],
        }
        for week, topics in sorted(curriculum.plan(db).items())
    ]
    return yaml_text.dump(TOP, items, COMMENT)


def import_yaml(db: Session, text: str, *, now: datetime) -> str:
    """Make the curriculum what the file says (ImportProblems: nothing written).
    Returns a one-line summary."""
    entries = yaml_text.load(text, WHAT, TOP)
    problems: list[str] = []
    weeks: dict[int, list[Topic]] = {}
    week_lines: dict[int, int] = {}
    for entry in entries:
        line = entry.line if isinstance(entry, yaml_text.Mapping) else 1
        shape = yaml_text.item_problems(entry, line, WEEK_KEYS)
        if shape:
            problems += shape
            continue
        week = entry.get("week")
        problem = curriculum.week_problem(week)
        if problem:
            problems.append(f"line {entry.line_of('week')}: week: {problem}")
            continue
        if week in week_lines:
            problems.append(
                f"line {entry.line_of('week')}: week {week} is also on line {week_lines[week]}"
            )
            continue
        week_lines[week] = entry.line_of("week")
        weeks[week] = _topics(entry, problems)
    if problems:
        raise ImportProblems(WHAT, problems)
    curriculum.replace_weeks(db, weeks, all_weeks=True)
    count = sum(len(t) for t in weeks.values())
    audit.record(
        db,
        actor_id=None,
        action="curriculum.imported",
        entity_type="curriculum",
        entity_id=None,
        now=now,
        weeks=len(weeks),
        topics=count,
    )
    return f"curriculum imported: {len(weeks)} week(s), {count} topic(s)"


def _topics(entry: yaml_text.Mapping, problems: list[str]) -> list[Topic]:
    topics: list[Topic] = []
    raw = entry.get("topics") or []
    for item in raw:
        line = item.line if isinstance(item, yaml_text.Mapping) else entry.line_of("topics")
        shape = yaml_text.item_problems(item, line, TOPIC_KEYS)
        if shape:
            problems += shape
            continue
        title = str(item.get("title") or "").strip()
        url = str(item.get("url") or "").strip() or None
        problem = curriculum.topic_problem(title, url)
        if problem:
            problems.append(f"line {line}: {problem}")
            continue
        topics.append(Topic(title, url))
    if len(topics) > curriculum.MAX_TOPICS_A_WEEK:
        problems.append(
            f"line {entry.line_of('topics')}: at most {curriculum.MAX_TOPICS_A_WEEK} topics a week"
        )
    return topics
