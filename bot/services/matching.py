"""Mentor matching (PRD FR-2.1): who fits a new hire best, and why, in plain words.

The PRD's reference ranks mentors with two queries per mentor. Ranking here costs
three statements whatever the number of mentors: the program settings, everything
about the mentee(s) in one UNION, and the available mentors with their track
record in one grouped query. For one mentee that query returns only a shortlist
per timezone that surely holds the best (see `_shortlisted`), so ten thousand
mentors never cross the wire; numpy then scores the candidates. The cohort solver
scores a whole hires x mentors matrix with the same function and finds the best
total with SciPy's `linear_sum_assignment` over capacity slots.

Scoring starts from the PRD's formula (expertise 40, location 20, success 40) and
improves it: the timezone is graded by hours apart instead of same/not same, past
success is smoothed toward the program average, and the weights are settings."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.services import program
from bot.services.errors import InvalidInput, NotFound
from bot.services.mentors import available_filter
from bot.services.program import ProgramConfig
from bot.services.skills_sql import skills_offered
from models import Assignment, Mentor, RampMilestone, SkillAssessment, User
from models.types import UTCDateTime

#: A self-assessed skill rated at or below this is a gap; at most GAP_SKILLS of them count.
GAP_RATING = 3
GAP_SKILLS = 3
#: A mentor who was asked, is mentoring, or said no is not suggested again for that mentee.
PAIR_EXCLUDING_STATUSES = ("pending", "active", "declined")
#: The success rate (the PRD's) while the program has no finished mentorship yet.
NO_RECORD_RATE = 0.5

_FINISHED = sa.and_(
    Assignment.status.in_(("completed", "cancelled")), Assignment.mentor_accepted_at.is_not(None)
)
_SUCCEEDED = sa.and_(Assignment.status == "completed", Assignment.mentee_rating >= 4)


@dataclass(frozen=True)
class MatchFactors:
    """The numbers behind a score (stored with an assignment as `match_factors`)."""

    needs: list[str]
    matched_skills: list[str]
    expertise_overlap: float  # 0..1: share of the skill gaps the mentor covers
    hours_apart: float | None  # None when either timezone is unknown
    timezone_score: float  # 0..1
    finished: int  # mentorships the mentor saw to the end
    succeeded: int  # of those, completed with a mentee rating of 4 or 5
    success_rate: float  # 0..1, smoothed toward the program average
    free_slots: int
    max_mentees: int


@dataclass(frozen=True)
class MentorMatch:
    """One suggested mentor: the score out of 100 and each factor in plain words."""

    mentor_id: uuid.UUID
    user_id: uuid.UUID
    slack_user_id: str
    name: str
    score: float
    factors: list[str]
    details: MatchFactors

    def as_json(self) -> dict[str, Any]:
        """What an assignment keeps of why this mentor was matched."""
        d = self.details
        return {
            "score": self.score,
            "factors": self.factors,
            "needs": d.needs,
            "matched_skills": d.matched_skills,
            "expertise_overlap": round(d.expertise_overlap, 3),
            "hours_apart": d.hours_apart,
            "success_rate": round(d.success_rate, 3),
            "free_slots": d.free_slots,
        }


@dataclass(frozen=True)
class Ranking:
    """The best mentors for one mentee and the skill gaps they were ranked on."""

    mentee_id: uuid.UUID
    mentee_name: str
    needs: list[str]
    needs_source: str
    matches: list[MentorMatch]
    focus: list[str] = field(default_factory=list)  # the focus asked for, as program skills
    #: The key the focus is kept under (interaction_state), for the Assign buttons.
    focus_key: str | None = None


@dataclass(frozen=True)
class CohortPair:
    mentee_id: uuid.UUID
    mentee_name: str
    match: MentorMatch


@dataclass(frozen=True)
class CohortPlan:
    """The optimal assignment of a cohort, and what greedy matching would have reached."""

    pairs: list[CohortPair]
    unmatched: list[tuple[uuid.UUID, str]]
    total: float
    greedy_total: float
    greedy_matched: int


@dataclass
class _Mentee:
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


@dataclass
class _Candidates:
    """The available mentors, column by column (numpy arrays where we compute)."""

    mentor_ids: list[uuid.UUID]
    user_ids: list[uuid.UUID]
    slack_ids: list[str]
    names: list[str]
    timezones: list[str | None]
    #: (candidates, skills): 1 where the mentor offers the skill, in `_vocabulary` order
    offers: np.ndarray
    max_mentees: np.ndarray
    free: np.ndarray
    finished: np.ndarray
    succeeded: np.ndarray
    program_rate: float

    def __len__(self) -> int:
        return len(self.mentor_ids)


@dataclass
class _Scores:
    total: np.ndarray  # (mentees, candidates); -inf where the pair is ruled out
    overlap_count: np.ndarray
    hours: np.ndarray  # NaN where a timezone is unknown
    tz_score: np.ndarray
    success: np.ndarray  # (candidates,)
    offers: np.ndarray
    vocabulary: dict[str, int]


# -- the public ranking ----------------------------------------------------------------------


def suggest(
    db: Session,
    *,
    mentee_id: uuid.UUID,
    now: datetime,
    limit: int = 5,
    focus: Sequence[str] | None = None,
    exclude_mentor_ids: Iterable[uuid.UUID] = (),
) -> list[MentorMatch]:
    """The `limit` best available mentors for this mentee, best first.

    Excluded: inactive, opted-out, paused and full mentors (requests waiting for an
    answer count against capacity), the mentee, their manager, anyone already asked,
    mentoring or who declined this mentee, and `exclude_mentor_ids`."""
    return rank(
        db,
        mentee_id=mentee_id,
        now=now,
        limit=limit,
        focus=focus,
        exclude_mentor_ids=exclude_mentor_ids,
    ).matches


def rank(
    db: Session,
    *,
    mentee_id: uuid.UUID,
    now: datetime,
    limit: int = 5,
    focus: Sequence[str] | None = None,
    exclude_mentor_ids: Iterable[uuid.UUID] = (),
    only_mentor_ids: Sequence[uuid.UUID] | None = None,
) -> Ranking:
    """Like `suggest`, with the skill gaps the ranking used and where they came from.
    Three SQL statements whatever the number of mentors."""
    config = program.load(db)
    focus_skills = resolve_focus(focus, config.skills) if focus else []
    mentee = _load_mentees(db, [mentee_id], config, {mentee_id: focus_skills}).get(mentee_id)
    if mentee is None:
        raise NotFound("I can't find that person in the roster.")
    mentee.excluded_mentor_ids.update(exclude_mentor_ids)
    vocabulary = _vocabulary([mentee])
    candidates = _load_candidates(
        db,
        now.date(),
        vocabulary,
        only_mentor_ids=only_mentor_ids,
        shortlist=_shortlist_for(mentee, config, limit),
    )
    scores = _score([mentee], candidates, vocabulary, config, now)
    row = scores.total[0]
    # Best score first; ties go to the mentor with more free slots, then by name
    # (candidates arrive sorted by name and lexsort is stable).
    order = np.lexsort((-candidates.free, -row))
    matches = [
        _match(scores, candidates, mentee, 0, int(j))
        for j in order[:limit]
        if np.isfinite(row[int(j)])
    ]
    return Ranking(
        mentee.user_id, mentee.name, mentee.needs, mentee.needs_source, matches, focus_skills
    )


def explain(
    db: Session,
    *,
    mentee_id: uuid.UUID,
    mentor_id: uuid.UUID,
    now: datetime,
    focus: Sequence[str] | None = None,
) -> MentorMatch | None:
    """How well this one mentor fits this mentee, or None if they can't be suggested
    (unavailable, full, already asked...)."""
    matches = rank(
        db, mentee_id=mentee_id, now=now, limit=1, focus=focus, only_mentor_ids=[mentor_id]
    ).matches
    return matches[0] if matches else None


def resolve_focus(focus: Sequence[str], skills: Sequence[str]) -> list[str]:
    """Map what someone typed after `focus:` to the program's skills, case-insensitively;
    a word that names exactly one skill (e.g. "qbr") is enough. InvalidInput names any
    word that matches no skill, or several, with the skills to choose from."""
    resolved: list[str] = []
    problems: list[str] = []
    by_lower = {s.lower(): s for s in skills}
    for raw in focus:
        typed = raw.strip()
        if not typed:
            continue
        exact = by_lower.get(typed.lower())
        candidates = [exact] if exact else [s for s in skills if typed.lower() in s.lower()]
        if len(candidates) == 1:
            if candidates[0] not in resolved:
                resolved.append(candidates[0])
        elif candidates:
            problems.append(f"'{typed}' could be {', '.join(candidates)}")
        else:
            problems.append(f"'{typed}' is not a program skill")
    if problems:
        raise InvalidInput(
            {
                "focus": "; ".join(problems)
                + ". Choose from: "
                + ", ".join(skills)
                + ". Example: `focus: Renewals, QBRs`."
            }
        )
    return resolved


# -- the cohort solver -----------------------------------------------------------------------


def solve_cohort(db: Session, *, mentee_ids: Sequence[uuid.UUID], now: datetime) -> CohortPlan:
    """The assignment of these mentees to mentors that maximises the total score under
    every mentor's free capacity (each free slot is a column of the assignment problem,
    solved exactly), plus the total greedy matching would reach, for comparison.
    Greedy takes the mentees in the order given, each with its best mentor still free."""
    config = program.load(db)
    mentees_by_id = _load_mentees(db, mentee_ids, config, {})
    mentees = [mentees_by_id[m] for m in mentee_ids if m in mentees_by_id]
    vocabulary = _vocabulary(mentees)
    candidates = _load_candidates(db, now.date(), vocabulary)
    if not mentees or not len(candidates):
        return CohortPlan([], [(m.user_id, m.name) for m in mentees], 0.0, 0.0, 0)
    scores = _score(mentees, candidates, vocabulary, config, now)
    chosen = optimal_assignment(scores.total, candidates.free)
    pairs: list[CohortPair] = []
    unmatched: list[tuple[uuid.UUID, str]] = []
    for i, mentee in enumerate(mentees):
        j = chosen.get(i)
        if j is None:
            unmatched.append((mentee.user_id, mentee.name))
        else:
            match = _match(scores, candidates, mentee, i, j)
            pairs.append(CohortPair(mentee.user_id, mentee.name, match))
    greedy = greedy_assignment(scores.total, candidates.free)
    return CohortPlan(
        pairs=pairs,
        unmatched=unmatched,
        total=_total(scores.total, chosen),
        greedy_total=_total(scores.total, greedy),
        greedy_matched=len(greedy),
    )


def optimal_assignment(total: np.ndarray, free: np.ndarray) -> dict[int, int]:
    """Rows (mentees) to columns (mentors) maximising the summed score, each column used
    at most `free[j]` times; -inf marks a pair that is ruled out. Each free slot is a
    column of a rectangular assignment problem, solved exactly by SciPy."""
    # Imported here: SciPy's optimiser costs each serving process ~40 MB of memory, and
    # only a cohort match (the CLI, a lead's cohort request) ever needs it.
    from scipy.optimize import linear_sum_assignment

    slots = np.repeat(np.arange(total.shape[1]), free)
    if total.shape[0] == 0 or slots.size == 0:
        return {}
    benefit = total[:, slots]
    # A ruled-out pair costs nothing, exactly like leaving the mentee unmatched, so
    # the solver maximises the total score; such pairs are dropped afterwards.
    cost = np.where(np.isfinite(benefit), -benefit, 0.0)
    rows, cols = linear_sum_assignment(cost)
    chosen = {int(r): int(slots[c]) for r, c in zip(rows, cols, strict=True)}
    return {i: j for i, j in chosen.items() if np.isfinite(total[i, j])}


def greedy_assignment(total: np.ndarray, free: np.ndarray) -> dict[int, int]:
    """What matching one by one reaches: each row in turn takes its best column that
    still has room (the baseline the optimal total is compared with)."""
    remaining = np.asarray(free, dtype=np.int64).copy()
    chosen: dict[int, int] = {}
    for i, row in enumerate(total):
        open_row = np.where(remaining > 0, row, -np.inf)
        j = int(np.argmax(open_row)) if open_row.size else 0
        if open_row.size and np.isfinite(open_row[j]):
            remaining[j] -= 1
            chosen[i] = j
    return chosen


def _total(total: np.ndarray, chosen: dict[int, int]) -> float:
    return round(float(sum(round(float(total[i, j]), 1) for i, j in chosen.items())), 1)


# -- loading ---------------------------------------------------------------------------------


def _load_mentees(
    db: Session,
    mentee_ids: Sequence[uuid.UUID],
    config: ProgramConfig,
    focus_by_mentee: dict[uuid.UUID, list[str]],
) -> dict[uuid.UUID, _Mentee]:
    """Everything matching needs about these mentees, in one statement: their roster
    row, their self-assessments, their open milestones and their past requests."""
    ids = list(mentee_ids)
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
    rows = db.execute(sa.union_all(assessments, people, milestones, requests)).all()

    mentees: dict[uuid.UUID, _Mentee] = {}
    for kind, mentee_id, text, ref, extra, _, _ in rows:
        if kind == "user":
            mentees[_as_uuid(mentee_id)] = _Mentee(
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


def _skill_gaps(mentee: _Mentee, config: ProgramConfig) -> tuple[list[str], str]:
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


@dataclass(frozen=True)
class _Shortlist:
    """Ask the database for a shortlist that surely holds one mentee's `limit` best
    mentors, instead of every available mentor (see `_shortlisted`)."""

    mentee: _Mentee
    config: ProgramConfig
    limit: int


def _shortlist_for(mentee: _Mentee, config: ProgramConfig, limit: int) -> _Shortlist | None:
    """How one mentee's candidates are fetched: a shortlist (None: every mentor, which
    the tests use to check that both give the same ranking)."""
    return _Shortlist(mentee, config, limit) if limit > 0 else None


#: The shortlist keeps every mentor within this share of the weights of a cut-off, so
#: that rounding (numpy scores expertise in float32) never decides who is left out.
SHORTLIST_MARGIN = 1e-6

#: The order `_candidates` reads the columns in.
_COLUMNS = (
    "mentor_id",
    "user_id",
    "slack_user_id",
    "name",
    "timezone",
    "max_mentees",
    "free",
    "finished",
    "succeeded",
    "program_finished",
    "program_succeeded",
    "expertise_areas",
)


def _load_candidates(
    db: Session,
    today: date,
    vocabulary: dict[str, int],
    *,
    only_mentor_ids: Sequence[uuid.UUID] | None = None,
    shortlist: _Shortlist | None = None,
) -> _Candidates:
    """The mentors with a free slot today, with their track record, in one statement:
    all of them, or a `shortlist` for one mentee. Requests waiting for an answer hold
    a slot, so a mentor is never asked beyond capacity."""
    values: dict[str, Any] = {}
    if only_mentor_ids is not None:
        values["only_mentor_ids"] = list(only_mentor_ids)
    if shortlist is None:
        statement = _everyone(today, only_mentor_ids is not None)
    else:
        statement = _shortlisted(today, len(vocabulary), only_mentor_ids is not None)
        values |= _shortlist_values(shortlist, vocabulary)
    # Core execution on the session's connection: the ORM's row machinery would cost
    # more than the query itself for thousands of mentors.
    rows = db.connection().execute(statement, values).all()
    return _candidates(rows, vocabulary)


def _available(
    today: date, only_some: bool
) -> tuple[sa.Select[Any], dict[str, sa.ColumnElement[Any]]]:
    """The mentors who can take a mentee today (no columns yet), and what each
    candidate row says about its mentor, by `_COLUMNS` name."""
    # One pass over the assignments gives each mentor's record and, summed, the program's.
    record = (
        sa.select(
            Assignment.mentor_id.label("mentor_id"),
            sa.func.sum(sa.case((Assignment.status == "pending", 1), else_=0)).label("pending"),
            sa.func.sum(sa.case((_FINISHED, 1), else_=0)).label("finished"),
            sa.func.sum(sa.case((_SUCCEEDED, 1), else_=0)).label("succeeded"),
        )
        .where(Assignment.status.in_(("pending", "completed", "cancelled")))
        .group_by(Assignment.mentor_id)
        .cte("record")
    )
    totals = sa.select(
        sa.func.coalesce(sa.func.sum(record.c.finished), 0).label("finished"),
        sa.func.coalesce(sa.func.sum(record.c.succeeded), 0).label("succeeded"),
    ).cte("totals")
    pending = sa.func.coalesce(record.c.pending, 0)
    mentors: dict[str, sa.ColumnElement[Any]] = {
        "mentor_id": Mentor.id,
        "user_id": Mentor.user_id,
        "max_mentees": Mentor.max_mentees,
        "free": Mentor.max_mentees - Mentor.current_mentee_count - pending,
        "finished": sa.func.coalesce(record.c.finished, 0),
        "succeeded": sa.func.coalesce(record.c.succeeded, 0),
        "program_finished": totals.c.finished,
        "program_succeeded": totals.c.succeeded,
        "expertise_areas": Mentor.expertise_areas,
    }
    available = (
        sa.select()
        .select_from(Mentor)
        .outerjoin(record, record.c.mentor_id == Mentor.id)
        .join(totals, sa.true())
        .where(
            available_filter(today),
            Mentor.opted_out_at.is_(None),
            Mentor.current_mentee_count + pending < Mentor.max_mentees,
        )
    )
    if only_some:
        available = available.where(Mentor.id.in_(sa.bindparam("only_mentor_ids", expanding=True)))
    return available, mentors


# The statements below are built once per shape (their values are parameters): building
# them costs more than the database takes to run the shortlist.


@functools.lru_cache(maxsize=16)
def _everyone(today: date, only_some: bool) -> sa.Select[Any]:
    """Every available mentor still in the roster, by name."""
    available, mentors = _available(today, only_some)
    everyone = {
        **mentors,
        "slack_user_id": User.slack_user_id,
        "name": User.name,
        "timezone": User.timezone,
    }
    return (
        available.add_columns(*(everyone[name].label(name) for name in _COLUMNS))
        .join(User, User.id == Mentor.user_id)
        .where(User.deactivated_at.is_(None), User.is_bot.is_(False))
        .order_by(User.name, Mentor.id)
    )


@functools.lru_cache(maxsize=64)
def _shortlisted(today: date, skills: int, only_some: bool) -> sa.Select[Any]:
    """The available mentors who may be among one mentee's `limit` best, in a
    statement that looks up the roster for a few hundred of them, not ten thousand
    (its values: `_shortlist_values`).

    A score is `(expertise + timezone + success) / sum of weights`, and the database
    computes `partial = expertise + success` (`_partial_score`). Two cuts keep every
    mentor who could be in the top `limit`:
    - the `limit` best partials of people still in the roster are all at least some
      `floor`; a mentor below `floor - timezone weight` loses to each of them even
      with the best timezone, so only those near the top remain;
    - the timezone term is the same for everyone in a timezone, so there the order
      is that of `partial`: the overall best are among the best `limit` of their
      timezone (ties kept).
    numpy then scores the shortlist exactly as it would score everyone, so the
    ranking is the same as over all mentors. Roster lookups are correlated, one per
    remaining mentor, so no plan reads every person in the company."""
    available, mentors = _available(today, only_some)
    limit = sa.bindparam("limit", type_=sa.Integer)
    margin = sa.bindparam("margin", type_=sa.Float)
    # Everyone this mentee may not be offered goes first, or they would hold a place.
    scored = available.add_columns(
        *(column.label(name) for name, column in mentors.items()),
        _partial_score(mentors, skills).label("partial"),
    ).where(
        Mentor.user_id.not_in(sa.bindparam("excluded_users", expanding=True)),
        Mentor.id.not_in(sa.bindparam("excluded_mentors", expanding=True)),
    )
    # Materialised: each score is computed once, not again wherever it is used.
    candidates = scored.cte("candidates").prefix_with("MATERIALIZED")

    def of_user(column: Any, user_id: Any) -> sa.ScalarSelect[Any]:
        return sa.select(column).where(User.id == user_id).scalar_subquery()

    def in_roster(user_id: Any) -> sa.ScalarSelect[Any]:
        return of_user(sa.and_(User.deactivated_at.is_(None), User.is_bot.is_(False)), user_id)

    # `limit` mentors still in the roster, best first. Whatever order the database
    # really visits them in, the lowest of their partials is at most the `limit`-th
    # best, which is all the cut needs.
    best_first = (
        sa.select(candidates.c.partial, candidates.c.user_id)
        .order_by(candidates.c.partial.desc())
        .subquery("best_first")
    )
    leaders = (
        sa.select(best_first.c.partial)
        .where(in_roster(best_first.c.user_id))
        .limit(limit)
        .subquery("leaders")
    )
    floor = sa.select(
        sa.func.min(leaders.c.partial).label("partial"), sa.func.count().label("found")
    ).cte("floor")
    # The floor as parameters, so the cheap comparison filters before any roster lookup.
    found = sa.select(floor.c.found).scalar_subquery()
    lowest = sa.select(floor.c.partial).scalar_subquery()
    reach = sa.bindparam("reach", type_=sa.Float)
    near = (
        sa.select(candidates, of_user(User.timezone, candidates.c.user_id).label("timezone"))
        .where(
            sa.or_(found < limit, candidates.c.partial >= lowest - reach),
            in_roster(candidates.c.user_id),
        )
        .subquery("near")
    )
    cutoff = sa.func.nth_value(near.c.partial, limit).over(
        partition_by=near.c.timezone, order_by=near.c.partial.desc(), rows=(None, None)
    )
    ranked = sa.select(near, cutoff.label("cutoff")).subquery("ranked")
    name = of_user(User.name, ranked.c.user_id)
    columns = {
        **{c.name: c for c in ranked.c},
        "slack_user_id": of_user(User.slack_user_id, ranked.c.user_id),
        "name": name,
    }
    return (
        sa.select(*(columns[c].label(c) for c in _COLUMNS))
        .where(sa.or_(ranked.c.cutoff.is_(None), ranked.c.partial >= ranked.c.cutoff - margin))
        .order_by(name, ranked.c.mentor_id)
    )


def _partial_score(
    mentors: dict[str, sa.ColumnElement[Any]], skills: int
) -> sa.ColumnElement[float]:
    """`_score`'s expertise and success terms, weighted and not yet divided by the sum
    of the weights, in SQL (its values: `_shortlist_values`)."""

    def real(value: sa.ColumnElement[Any]) -> sa.ColumnElement[float]:
        return sa.cast(value, sa.Float)

    def value(name: str) -> sa.ColumnElement[float]:
        return sa.bindparam(name, type_=sa.Float)

    k = value("smoothing")
    program_finished, program_succeeded = mentors["program_finished"], mentors["program_succeeded"]
    rate = sa.case(
        (program_finished > 0, real(program_succeeded) / real(program_finished)),
        else_=value("no_record_rate"),
    )
    denominator = real(mentors["finished"]) + k
    success = sa.case(
        (denominator > 0, (real(mentors["succeeded"]) + k * rate) / denominator),
        else_=rate,
    )
    needs = [sa.bindparam(f"skill_{i}", type_=sa.Text) for i in range(skills)]
    overlap = real(skills_offered(Mentor.expertise_areas, needs)) / value("skill_count")
    return value("expertise_weight") * overlap + value("success_weight") * success


def _shortlist_values(shortlist: _Shortlist, vocabulary: dict[str, int]) -> dict[str, Any]:
    """The values of `_shortlisted`'s parameters for this mentee and these settings."""
    mentee, weights = shortlist.mentee, shortlist.config.match_weights
    margin = SHORTLIST_MARGIN * (weights.expertise + weights.success + 1.0)
    return {
        "limit": shortlist.limit,
        "margin": margin,
        "reach": weights.timezone + margin,
        "excluded_users": [u for u in (mentee.user_id, mentee.manager_id) if u],
        "excluded_mentors": list(mentee.excluded_mentor_ids),
        "smoothing": float(shortlist.config.success_smoothing),
        "no_record_rate": NO_RECORD_RATE,
        "expertise_weight": float(weights.expertise),
        "success_weight": float(weights.success),
        "skill_count": float(max(len(vocabulary), 1)),
        **{f"skill_{i}": skill for i, skill in enumerate(vocabulary)},
    }


def _candidates(rows: Sequence[sa.Row[Any]], vocabulary: dict[str, int]) -> _Candidates:
    """The candidate rows (`_COLUMNS`), column by column, with the skills each offers."""
    columns = dict(zip(_COLUMNS, zip(*rows, strict=True), strict=True)) if rows else {}
    offers = np.zeros((len(rows), len(vocabulary)), dtype=np.float32)
    for j, expertise in enumerate(columns.get("expertise_areas", ())):
        for skill in expertise or []:
            k = vocabulary.get(skill.lower())
            if k is not None:
                offers[j, k] = 1.0
    finished_all = int(rows[0].program_finished) if rows else 0
    succeeded_all = int(rows[0].program_succeeded) if rows else 0
    return _Candidates(
        mentor_ids=list(columns.get("mentor_id", ())),
        user_ids=list(columns.get("user_id", ())),
        slack_ids=list(columns.get("slack_user_id", ())),
        names=list(columns.get("name", ())),
        timezones=list(columns.get("timezone", ())),
        offers=offers,
        max_mentees=np.array(columns.get("max_mentees", ()), dtype=np.int64),
        free=np.array(columns.get("free", ()), dtype=np.int64),
        finished=np.array(columns.get("finished", ()), dtype=np.float64),
        succeeded=np.array(columns.get("succeeded", ()), dtype=np.float64),
        program_rate=succeeded_all / finished_all if finished_all else NO_RECORD_RATE,
    )


def _vocabulary(mentees: list[_Mentee]) -> dict[str, int]:
    """Every skill gap of these mentees, lower-cased, numbered."""
    vocabulary: dict[str, int] = {}
    for mentee in mentees:
        for skill in mentee.needs:
            vocabulary.setdefault(skill.lower(), len(vocabulary))
    return vocabulary


# -- scoring ---------------------------------------------------------------------------------


def _score(
    mentees: list[_Mentee],
    candidates: _Candidates,
    vocabulary: dict[str, int],
    config: ProgramConfig,
    now: datetime,
) -> _Scores:
    """Score every (mentee, mentor) pair at once; ruled-out pairs get -inf."""
    needs = np.zeros((len(mentees), len(vocabulary)), dtype=np.float32)
    for i, mentee in enumerate(mentees):
        for skill in mentee.needs:
            needs[i, vocabulary[skill.lower()]] = 1.0
    overlap_count = needs @ candidates.offers.T
    need_counts = np.maximum(needs.sum(axis=1, keepdims=True), 1.0)
    overlap = overlap_count / need_counts

    offsets: dict[str | None, float] = {}
    mentee_offsets = np.array([_utc_offset(m.timezone, now, offsets) for m in mentees])
    mentor_offsets = np.array([_utc_offset(tz, now, offsets) for tz in candidates.timezones])
    apart = np.abs(mentee_offsets[:, None] - mentor_offsets[None, :]) % 24.0
    hours = np.minimum(apart, 24.0 - apart)
    # 0 h apart scores 1, 12 h (opposite working days) scores 0; unknown counts as halfway.
    tz_score = np.where(np.isnan(hours), 0.5, 1.0 - hours / 12.0)

    k = config.success_smoothing
    rate = candidates.program_rate
    denominator = candidates.finished + k
    with np.errstate(invalid="ignore", divide="ignore"):
        success = np.where(denominator > 0, (candidates.succeeded + k * rate) / denominator, rate)

    w = config.match_weights
    weight_sum = w.expertise + w.timezone + w.success
    if weight_sum > 0:
        total = 100.0 * (w.expertise * overlap + w.timezone * tz_score + w.success * success)
        total = total / weight_sum
    else:
        total = np.zeros_like(overlap, dtype=np.float64)
    total = total.astype(np.float64)

    column_of_mentor = {m: j for j, m in enumerate(candidates.mentor_ids)}
    columns_of_user: dict[uuid.UUID, int] = {u: j for j, u in enumerate(candidates.user_ids)}
    for i, mentee in enumerate(mentees):
        for user_id in (mentee.user_id, mentee.manager_id):
            j = columns_of_user.get(user_id) if user_id else None
            if j is not None:
                total[i, j] = -np.inf
        for mentor_id in mentee.excluded_mentor_ids:
            j = column_of_mentor.get(mentor_id)
            if j is not None:
                total[i, j] = -np.inf
    return _Scores(total, overlap_count, hours, tz_score, success, candidates.offers, vocabulary)


def _utc_offset(name: str | None, now: datetime, cache: dict[str | None, float]) -> float:
    if name not in cache:
        zone = _zone(name) if name else None
        offset = zone.utcoffset(now) if zone else None
        cache[name] = offset.total_seconds() / 3600.0 if offset is not None else float("nan")
    return cache[name]


@functools.lru_cache(maxsize=1024)
def _zone(name: str) -> ZoneInfo | None:
    """The timezone of that name, None if there is none. Kept: ZoneInfo itself keeps
    only the last few, and re-reading zone files showed in every ranking."""
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return None


def _match(
    scores: _Scores, candidates: _Candidates, mentee: _Mentee, i: int, j: int
) -> MentorMatch:
    matched = [s for s in mentee.needs if scores.offers[j, scores.vocabulary[s.lower()]]]
    hours = float(scores.hours[i, j])
    details = MatchFactors(
        needs=list(mentee.needs),
        matched_skills=matched,
        expertise_overlap=len(matched) / len(mentee.needs) if mentee.needs else 0.0,
        hours_apart=None if np.isnan(hours) else round(hours, 1),
        timezone_score=float(scores.tz_score[i, j]),
        finished=int(candidates.finished[j]),
        succeeded=int(candidates.succeeded[j]),
        success_rate=float(scores.success[j]),
        free_slots=int(candidates.free[j]),
        max_mentees=int(candidates.max_mentees[j]),
    )
    return MentorMatch(
        mentor_id=candidates.mentor_ids[j],
        user_id=candidates.user_ids[j],
        slack_user_id=candidates.slack_ids[j],
        name=candidates.names[j],
        score=round(float(scores.total[i, j]), 1),
        factors=factor_words(details, candidates.program_rate),
        details=details,
    )


def factor_words(d: MatchFactors, program_rate: float) -> list[str]:
    """Each factor of a match as a sentence a manager can weigh."""
    if not d.needs:
        expertise = "Expertise: no skill gaps to match"
    elif d.matched_skills:
        expertise = (
            f"Expertise: covers {len(d.matched_skills)} of {len(d.needs)} skill gaps "
            f"({', '.join(d.matched_skills)})"
        )
    else:
        expertise = f"Expertise: none of the skill gaps ({', '.join(d.needs)})"
    if d.hours_apart is None:
        timezone = "Timezone: not known"
    elif d.hours_apart == 0:
        timezone = "Timezone: same working hours (0 h apart)"
    else:
        timezone = f"Timezone: {d.hours_apart:g} h apart"
    if d.finished:
        success = (
            f"Past success: {d.succeeded} of {d.finished} mentorships completed and rated 4+ "
            f"({d.success_rate:.0%} after smoothing toward the program's {program_rate:.0%})"
        )
    else:
        success = (
            f"Past success: no finished mentorship yet, counted at the program's {program_rate:.0%}"
        )
    slots = "slot" if d.max_mentees == 1 else "slots"
    capacity = f"Capacity: {d.free_slots} of {d.max_mentees} {slots} free"
    return [expertise, timezone, success, capacity]


def _as_uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
