"""What does a mentee need a mentor for, and whom may they not be offered? Everything
matching knows about the mentees (roster row, self-assessments, open milestones, past
requests) in one statement, and the skill gaps they are ranked on."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from bot.services.program import ProgramConfig
from models import Assignment, RampMilestone, SkillAssessment, User
from models.types import UTCDateTime

#: A self-assessed skill rated at or below this is a gap; at most GAP_SKILLS of them count.
GAP_RATING = 3
GAP_SKILLS = 3
#: A mentor who was asked, is mentoring, or said no is not suggested again for that mentee.
PAIR_EXCLUDING_STATUSES = ("pending", "active", "declined")


@dataclass
class Mentee:
    """One mentee as matching sees them: who they are, what they need, who is ruled out."""

    user_id: uuid.UUID
    name: str
    timezone: str | None
    manager_id: uuid.UUID | None
    needs: list[str] = field(default_factory=list)
    needs_source: str = ""
    excluded_mentor_ids: set[uuid.UUID] = field(default_factory=set)
    # whether they can be matched at all (`assignment_forms.checked_person`)
    is_bot: bool = False
    deactivated_at: datetime | None = None
    # raw material for the skill gaps
    ratings: dict[str, tuple[datetime, int]] = field(default_factory=dict)
    open_milestones: list[str] = field(default_factory=list)


def _everything(is_mentee: Callable[[Any], sa.ColumnElement[bool]]) -> sa.CompoundSelect:
    """`load_mentees`' one statement: roster rows, self-assessments, open milestones
    and past requests of the mentees, those whose user id passes `is_mentee`."""
    no_text = sa.cast(sa.null(), sa.String)
    no_rating = sa.cast(sa.null(), sa.Integer)
    no_time = sa.cast(sa.null(), UTCDateTime())
    # The first branch fixes the column types (a real timestamp column, for SQLite).
    assessments = sa.select(
        sa.literal_column("'skill'").label("kind"),
        SkillAssessment.user_id.label("mentee_id"),
        SkillAssessment.skill.label("text"),
        no_text.label("ref"),
        no_text.label("extra"),
        SkillAssessment.rating.label("rating"),
        SkillAssessment.assessed_at.label("at"),
    ).where(is_mentee(SkillAssessment.user_id))
    people = sa.select(
        sa.literal_column("'user'"),
        User.id,
        User.timezone,
        sa.cast(User.manager_id, sa.String),
        User.name,
        # Whether they can be matched at all, in the rating and time columns.
        sa.cast(User.is_bot, sa.Integer),
        User.deactivated_at,
    ).where(is_mentee(User.id))
    milestones = sa.select(
        sa.literal_column("'milestone'"),
        RampMilestone.mentee_user_id,
        RampMilestone.milestone_name,
        no_text,
        RampMilestone.description,
        no_rating,
        no_time,
    ).where(
        is_mentee(RampMilestone.mentee_user_id),
        RampMilestone.achieved_date.is_(None),
        RampMilestone.status != "achieved",
    )
    requests = sa.select(
        sa.literal_column("'assignment'"),
        Assignment.mentee_user_id,
        Assignment.status,
        sa.cast(Assignment.mentor_id, sa.String),
        no_text,
        no_rating,
        no_time,
    ).where(is_mentee(Assignment.mentee_user_id), Assignment.status.in_(PAIR_EXCLUDING_STATUSES))
    return sa.union_all(assessments, people, milestones, requests)


def _named(user_id: Any) -> sa.ColumnElement[bool]:
    """Whether `user_id` is the person with the Slack id "slack_user_id" (given when run)."""
    named = aliased(User)  # not the people branch's own row
    return (
        user_id
        == (
            sa.select(named.id).where(named.slack_user_id == sa.bindparam("slack_user_id"))
        ).scalar_subquery()
    )


# Built once (see roster._BY_SLACK_ID): every `/mentor match` and Assign button asks.
_EVERYTHING = _everything(lambda user_id: user_id.in_(sa.bindparam("mentee_ids", expanding=True)))
_EVERYTHING_OF_NAMED = _everything(_named)


def load_mentees(
    db: Session,
    mentee_ids: Sequence[uuid.UUID],
    config: ProgramConfig,
    focus_by_mentee: dict[uuid.UUID, list[str]],
) -> dict[uuid.UUID, Mentee]:
    """Everything matching needs about these mentees, in one statement: their roster
    row, their self-assessments, their open milestones and their past requests."""
    mentees = _mentees(db.execute(_EVERYTHING, {"mentee_ids": list(mentee_ids)}).all())
    for mentee in mentees.values():
        set_needs(mentee, config, focus_by_mentee.get(mentee.user_id))
    return mentees


def mentee_named(db: Session, slack_user_id: str) -> Mentee | None:
    """`load_mentees` for the person with this Slack id (`/mentor match @user`), or None
    if the roster has nobody by it, in the same one statement: the roster lookup too.
    Their needs are not set yet (`set_needs`): the focus asked for is checked against
    the program's skills only once the asker may rank for them."""
    rows = db.execute(_EVERYTHING_OF_NAMED, {"slack_user_id": slack_user_id}).all()
    return next(iter(_mentees(rows).values()), None)


def set_needs(mentee: Mentee, config: ProgramConfig, focus: list[str] | None) -> None:
    """The skill gaps this mentee is ranked on: the focus asked for, else their own."""
    if focus:
        mentee.needs, mentee.needs_source = focus, "the focus you gave"
    else:
        mentee.needs, mentee.needs_source = _skill_gaps(mentee, config)


def _mentees(rows: Sequence[sa.Row[Any]]) -> dict[uuid.UUID, Mentee]:
    """The mentees of `_everything`'s rows, their needs not set yet."""
    mentees: dict[uuid.UUID, Mentee] = {}
    for kind, mentee_id, text, ref, extra, rating, at in rows:
        if kind == "user":
            mentees[_as_uuid(mentee_id)] = Mentee(
                _as_uuid(mentee_id),
                extra or "",
                text,
                _as_uuid(ref) if ref else None,
                is_bot=bool(rating),
                deactivated_at=at,
            )
    for kind, mentee_id, text, ref, extra, rating, at in rows:
        mentee = mentees.get(_as_uuid(mentee_id))
        if mentee is None:
            continue
        if kind == "skill":
            previous = mentee.ratings.get(text)
            if previous is None or at > previous[0]:
                mentee.ratings[text] = (at, rating)
        elif kind == "milestone":
            mentee.open_milestones.append(f"{text} {extra or ''}".lower())
        elif kind == "assignment":
            mentee.excluded_mentor_ids.add(_as_uuid(ref))
    return mentees


def _skill_gaps(mentee: Mentee, config: ProgramConfig) -> tuple[list[str], str]:
    """The mentee's lowest self-assessed skills and the skills their unmet milestones
    name, else the program's default ramp skills."""
    lowest = sorted(
        (rating, skill) for skill, (_, rating) in mentee.ratings.items() if rating <= GAP_RATING
    )
    gaps = [skill for _, skill in lowest[:GAP_SKILLS]]
    sources = ["self-assessment"] if gaps else []
    from_milestones = [
        skill
        for skill in config.skills
        if skill not in gaps and any(skill.lower() in text for text in mentee.open_milestones)
    ]
    if from_milestones:
        gaps += from_milestones
        sources.append("open milestones")
    if gaps:
        return gaps, " and ".join(sources)
    return list(config.default_ramp_skills), "the program's ramp skills"


def skill_vocabulary(mentees: list[Mentee]) -> dict[str, int]:
    """Every skill gap of these mentees, lower-cased, numbered."""
    vocabulary: dict[str, int] = {}
    for mentee in mentees:
        for skill in mentee.needs:
            vocabulary.setdefault(skill.lower(), len(vocabulary))
    return vocabulary


def _as_uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
