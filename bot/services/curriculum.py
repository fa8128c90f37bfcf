"""The program's curriculum (issue 18; the PRD's "mentorship curriculum/suggested
topics"): suggested topics, each with an optional link to a resource, for each week of
a mentorship, counted from its start date. The check-in nudge shows the week's topics,
the session log pre-selects them, a proposed session's agenda starts from them and
`/mentor status` shows the pair which they have covered. A mentor may share resources
of their own with one mentorship (Mentor Role: "Can provide supplementary resources")."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.services import access, audit, inputs
from bot.services.errors import InvalidInput
from models import Assignment, CurriculumTopic, MentorshipResource, MentorshipSession
from models.curriculum import TOPIC_TITLE_LIMIT

MAX_WEEK = 104
#: A week's topics are offered in the session log beside the skills (100 options at most).
MAX_TOPICS_A_WEEK = 20
RESOURCE_TITLE_LIMIT = 200
URL_LIMIT = 500


@dataclass(frozen=True)
class Topic:
    title: str
    url: str | None = None


@dataclass(frozen=True)
class Progress:
    """The pair's curriculum so far: every topic of weeks 1 to `week`, covered or not."""

    week: int
    covered: list[Topic]
    open: list[Topic]


# -- reading ----------------------------------------------------------------------------------
def week_of(start: date, day: date) -> int:
    """Week 1 is a mentorship's first seven days (a day before the start is week 1 too)."""
    return max((day - start).days // 7 + 1, 1)


def plan(db: Session) -> dict[int, list[Topic]]:
    """The whole curriculum: week -> its topics in order."""
    weeks: dict[int, list[Topic]] = {}
    for row in db.scalars(
        select(CurriculumTopic).order_by(CurriculumTopic.week, CurriculumTopic.position)
    ):
        weeks.setdefault(row.week, []).append(Topic(row.title, row.url))
    return weeks


def topics_for(db: Session, assignment: Assignment, day: date) -> list[Topic]:
    """The suggested topics of the mentorship's week that `day` falls in."""
    week = week_of(assignment.start_date, day)
    return [
        Topic(row.title, row.url)
        for row in db.scalars(
            select(CurriculumTopic)
            .where(CurriculumTopic.week == week)
            .order_by(CurriculumTopic.position)
        )
    ]


def log_topics(skills: list[str], suggested: list[Topic]) -> list[str]:
    """The session log's topic options: this week's topics, then the program's skills
    (each once, at most Slack's 100 options)."""
    return list(dict.fromkeys([t.title for t in suggested] + list(skills)))[:100]


def progress(db: Session, assignment: Assignment, today: date) -> Progress:
    """Every curriculum topic up to this week, split by whether a session of the pair
    that was attended covered it (a logged topic of the same title, any case)."""
    week = week_of(assignment.start_date, today)
    logged = db.scalars(
        select(MentorshipSession.topics_covered).where(
            MentorshipSession.assignment_id == assignment.id, MentorshipSession.attended
        )
    )
    covered_titles = {t.strip().lower() for topics in logged for t in topics or []}
    due = [t for w, topics in sorted(plan(db).items()) if w <= week for t in topics]
    return Progress(
        week,
        [t for t in due if t.title.lower() in covered_titles],
        [t for t in due if t.title.lower() not in covered_titles],
    )


# -- the admin's editor ---------------------------------------------------------------------
def parse_lines(text: str | None, field: str = "topics") -> list[Topic]:
    """A week as typed in Slack: one topic a line, `Title` or `Title | https://link`.
    InvalidInput names the line at fault."""
    topics: list[Topic] = []
    problems: list[str] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        title, _, url = line.partition("|")
        problem = topic_problem(title.strip(), url.strip() or None)
        if problem:
            problems.append(f"Line {number}: {problem}")
        else:
            topics.append(Topic(title.strip(), url.strip() or None))
    if len(topics) > MAX_TOPICS_A_WEEK:
        problems.append(f"At most {MAX_TOPICS_A_WEEK} topics a week (there are {len(topics)}).")
    if problems:
        raise InvalidInput({field: " ".join(problems)})
    return topics


def topic_problem(title: str, url: str | None) -> str | None:
    """What is wrong with one topic, or None."""
    if not title:
        return "the topic needs a title."
    if inputs.has_control_characters(title + (url or "")):
        return inputs.CONTROL_MESSAGE[0].lower() + inputs.CONTROL_MESSAGE[1:]
    if len(title) > TOPIC_TITLE_LIMIT:
        return f"keep the title under {TOPIC_TITLE_LIMIT} characters (it has {len(title)})."
    unsafe = url is not None and any(c in url for c in "<>|")
    if url is not None and (unsafe or len(url) > URL_LIMIT or not inputs.is_web_link(url)):
        return (
            f"'{url[:80]}' is not a link; paste the full https:// address "
            f"(under {URL_LIMIT} characters)."
        )
    return None


def week_problem(week: object) -> str | None:
    """What is wrong with a week number, or None."""
    if isinstance(week, bool) or not isinstance(week, int) or not 1 <= week <= MAX_WEEK:
        return f"the week must be a whole number from 1 to {MAX_WEEK} (week 1 is the first)."
    return None


def require_admin(db: Session, actor_id: uuid.UUID) -> None:
    """NotAllowed unless the actor is a program admin."""
    access.require_admin(access.load_user(db, actor_id))


def save_week(
    db: Session, *, actor_id: uuid.UUID | None, week: object, topics: list[Topic], now: datetime
) -> int:
    """Make week `week`'s topics `topics` (none: the week is dropped), audited. An admin
    (or a trusted system, `actor_id` None: the YAML import). Returns the week."""
    if actor_id is not None:
        require_admin(db, actor_id)
    problem = week_problem(week)
    if problem:
        raise InvalidInput({"week": problem[0].upper() + problem[1:]})
    assert isinstance(week, int)
    replace_weeks(db, {week: topics})
    audit.record(
        db,
        actor_id=actor_id,
        action="curriculum.week_saved",
        entity_type="curriculum",
        entity_id=None,
        now=now,
        week=week,
        topics=len(topics),
    )
    return week


def week_form(db: Session, *, actor_id: uuid.UUID, week: int | None) -> tuple[list[Topic], int]:
    """A week's topics for an admin to edit (none for a new week) and the week number a
    new week would take (the one after the last)."""
    require_admin(db, actor_id)
    weeks = plan(db)
    return (weeks.get(week, []) if week is not None else []), max(weeks, default=0) + 1


def save_typed_week(
    db: Session,
    *,
    actor_id: uuid.UUID,
    editing: int | None,
    week: object,
    typed: str | None,
    now: datetime,
) -> tuple[int, int]:
    """The week modal saved: `editing` is the week being edited (None: a new one whose
    number is `week`). Returns (week, topics). InvalidInput names each bad field."""
    require_admin(db, actor_id)
    errors: dict[str, str] = {}
    if editing is None:
        text = str(week or "").strip()
        number: object = int(text) if text.lstrip("-").isdigit() else text
        problem = week_problem(number)
        if problem:
            errors["week"] = problem[0].upper() + problem[1:]
        elif number in plan(db):
            errors["week"] = f"Week {number} already has topics: edit that week instead."
    else:
        number = editing
    try:
        topics = parse_lines(typed)
    except InvalidInput as exc:
        errors.update(exc.errors)
        topics = []
    if editing is None and not topics and "topics" not in errors:
        errors["topics"] = "Write at least one topic for the new week."
    if errors:
        raise InvalidInput(errors)
    return save_week(db, actor_id=actor_id, week=number, topics=topics, now=now), len(topics)


def replace_weeks(db: Session, weeks: dict[int, list[Topic]], *, all_weeks: bool = False) -> None:
    """Write these weeks' topics in place of what they had (`all_weeks`: of the whole
    curriculum)."""
    doomed = delete(CurriculumTopic)
    if not all_weeks:
        doomed = doomed.where(CurriculumTopic.week.in_(list(weeks)))
    db.execute(doomed)
    db.add_all(
        CurriculumTopic(week=week, position=position, title=topic.title, url=topic.url)
        for week, topics in weeks.items()
        for position, topic in enumerate(topics)
    )
    db.flush()


# -- a mentor's own resources -------------------------------------------------------------------
def share_resource(
    db: Session,
    *,
    actor_id: uuid.UUID,
    assignment_id: uuid.UUID | str,
    title: str | None,
    url: str | None,
    now: datetime,
) -> tuple[Assignment, Topic]:
    """The mentor shares a resource with this mentorship (shown to the pair)."""
    assignment = access.load_assignment(db, assignment_id)
    access.require(db, access.load_user(db, actor_id), access.SHARE_RESOURCE, assignment)
    errors: dict[str, str] = {}
    text = inputs.required_text(
        title, "title", errors, what="a title for the resource", limit=RESOURCE_TITLE_LIMIT
    )
    link = (url or "").strip() or None
    problem = topic_problem("resource", link) if link is not None else None
    if problem:
        errors["url"] = problem[0].upper() + problem[1:]
    if errors:
        raise InvalidInput(errors)
    assert text is not None
    db.add(
        MentorshipResource(
            assignment_id=assignment.id, added_by_user_id=actor_id, title=text, url=link
        )
    )
    db.flush()
    audit.record(
        db,
        actor_id=actor_id,
        action="mentorship.resource_shared",
        entity_type="mentorship_assignment",
        entity_id=assignment.id,
        now=now,
    )
    return assignment, Topic(text, link)


def resources_of(db: Session, assignment_ids: Iterable[uuid.UUID]) -> list[Topic]:
    """The resources mentors shared with these mentorships, oldest first."""
    return [
        Topic(r.title, r.url)
        for r in db.scalars(
            select(MentorshipResource)
            .where(MentorshipResource.assignment_id.in_(list(assignment_ids)))
            .order_by(MentorshipResource.created_at, MentorshipResource.id)
        )
    ]
