"""What does a mentee need a mentor for, and whom may they not be offered? Everything
matching knows about the mentees (roster row, self-assessments, open milestones, past
requests) in one statement, and the skill gaps they are ranked on."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

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
    # raw material for the skill gaps
    ratings: dict[str, tuple[datetime, int]] = field(default_factory=dict)
    open_milestones: list[str] = field(default_factory=list)


def _everything() -> sa.CompoundSelect:
    """`load_mentees`' one statement: roster rows, self-assessments, open milestones
    and past requests of the mentees "mentee_ids" (given when run)."""
    ids = sa.bindparam("mentee_ids", expanding=True)
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
    ).where(SkillAssessment.user_id.in_(ids))
    people = sa.select(
        sa.literal_column("'user'"),
        User.id,
        User.timezone,
        sa.cast(User.manager_id, sa.String),
        User.name,
        no_rating,
        no_time,
    ).where(User.id.in_(ids))
    milestones = sa.select(
        sa.literal_column("'milestone'"),
        RampMilestone.mentee_user_id,
        RampMilestone.milestone_name,
        no_text,
        RampMilestone.description,
        no_rating,
        no_time,
    ).where(
        RampMilestone.mentee_user_id.in_(ids),
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
    ).where(Assignment.mentee_user_id.in_(ids), Assignment.status.in_(PAIR_EXCLUDING_STATUSES))
    return sa.union_all(assessments, people, milestones, requests)


# Built once (see roster._BY_SLACK_ID): every `/mentor match` and Assign button asks.
_EVERYTHING = _everything()


def load_mentees(
    db: Session,
    mentee_ids: Sequence[uuid.UUID],
    config: ProgramConfig,
    focus_by_mentee: dict[uuid.UUID, list[str]],
) -> dict[uuid.UUID, Mentee]:
    """Everything matching needs about these mentees, in one statement: their roster
    row, their self-assessments, their open milestones and their past requests."""
    rows = db.execute(_EVERYTHING, {"mentee_ids": list(mentee_ids)}).all()

    mentees: dict[uuid.UUID, Mentee] = {}
    for kind, mentee_id, text, ref, extra, _, _ in rows:
        if kind == "user":
            mentees[_as_uuid(mentee_id)] = Mentee(
                _as_uuid(mentee_id), extra or "", text, _as_uuid(ref) if ref else None
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
    for mentee in mentees.values():
        focus = focus_by_mentee.get(mentee.user_id)
        if focus:
            mentee.needs, mentee.needs_source = focus, "the focus you gave"
        else:
            mentee.needs, mentee.needs_source = _skill_gaps(mentee, config)
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
