"""Which mentors could take a mentee today, and what is their track record? One
grouped statement: every available mentor (a cohort), or for one mentee only a
shortlist per timezone that surely holds their best (see `_shortlisted`), so ten
thousand mentors never cross the wire."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.services.match_mentees import Mentee
from bot.services.mentors import available_filter
from bot.services.program import ProgramConfig
from bot.services.skills_sql import skills_offered
from models import Assignment, Mentor, User

#: The success rate (the PRD's) while the program has no finished mentorship yet.
NO_RECORD_RATE = 0.5

_FINISHED = sa.and_(
    Assignment.status.in_(("completed", "cancelled")), Assignment.mentor_accepted_at.is_not(None)
)
_SUCCEEDED = sa.and_(Assignment.status == "completed", Assignment.mentee_rating >= 4)


@dataclass
class Candidates:
    """The available mentors, column by column (numpy arrays where we compute)."""

    mentor_ids: list[uuid.UUID]
    user_ids: list[uuid.UUID]
    slack_ids: list[str]
    names: list[str]
    timezones: list[str | None]
    #: (candidates, skills): 1 where the mentor offers the skill, in `skill_vocabulary` order
    offers: np.ndarray
    max_mentees: np.ndarray
    free: np.ndarray
    finished: np.ndarray
    succeeded: np.ndarray
    program_rate: float
    #: Which candidates offer each skill (lower-cased): their row numbers.
    skill_rows: dict[str, np.ndarray] = field(default_factory=dict)
    #: Each candidate's row by mentor id and by user id, to rule pairs out.
    row_of_mentor: dict[uuid.UUID, int] = field(default_factory=dict)
    row_of_user: dict[uuid.UUID, int] = field(default_factory=dict)
    #: The distinct timezones, and each candidate's as a position in `zones`: an offset
    #: is worked out once per timezone, not once per mentor.
    zones: list[str | None] = field(default_factory=list)
    zone_of: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.intp))

    def __len__(self) -> int:
        return len(self.mentor_ids)

    def for_vocabulary(self, vocabulary: dict[str, int]) -> Candidates:
        """These candidates with `offers` in this vocabulary's order: the same rows,
        shared, so one read of the mentors serves any mentee's skill gaps."""
        offers = np.zeros((len(self), len(vocabulary)), dtype=np.float32)
        for skill, k in vocabulary.items():
            rows = self.skill_rows.get(skill)
            if rows is not None:
                offers[rows, k] = 1.0
        return replace(self, offers=offers)


@dataclass(frozen=True)
class _Shortlist:
    """Ask the database for a shortlist that surely holds one mentee's `limit` best
    mentors, instead of every available mentor (see `_shortlisted`)."""

    mentee: Mentee
    config: ProgramConfig
    limit: int


def shortlist_for(mentee: Mentee, config: ProgramConfig, limit: int) -> _Shortlist | None:
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


def load_candidates(
    db: Session,
    today: date,
    vocabulary: dict[str, int],
    *,
    only_mentor_ids: Sequence[uuid.UUID] | None = None,
    shortlist: _Shortlist | None = None,
) -> Candidates:
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
    return _candidates(rows).for_vocabulary(vocabulary)


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
    # PostgreSQL sums bigints as numeric: each row would carry the totals as Decimals,
    # whose reading took more than half of reading every mentor.
    totals = sa.select(
        sa.cast(sa.func.coalesce(sa.func.sum(record.c.finished), 0), sa.BigInteger).label(
            "finished"
        ),
        sa.cast(sa.func.coalesce(sa.func.sum(record.c.succeeded), 0), sa.BigInteger).label(
            "succeeded"
        ),
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
    """`score_pairs`'s expertise and success terms, weighted and not yet divided by the sum
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


def _candidates(rows: Sequence[sa.Row[Any]]) -> Candidates:
    """The candidate rows (`_COLUMNS`), column by column, with the skills each offers
    (no `offers` yet: `Candidates.for_vocabulary`)."""
    columns = dict(zip(_COLUMNS, zip(*rows, strict=True), strict=True)) if rows else {}
    mentor_ids = list(columns.get("mentor_id", ()))
    user_ids = list(columns.get("user_id", ()))
    timezones = list(columns.get("timezone", ()))
    zone_position: dict[str | None, int] = {}
    zone_of = [zone_position.setdefault(tz, len(zone_position)) for tz in timezones]
    finished_all = int(rows[0].program_finished) if rows else 0
    succeeded_all = int(rows[0].program_succeeded) if rows else 0
    return Candidates(
        mentor_ids=mentor_ids,
        user_ids=user_ids,
        slack_ids=list(columns.get("slack_user_id", ())),
        names=list(columns.get("name", ())),
        timezones=timezones,
        offers=np.zeros((len(rows), 0), dtype=np.float32),
        max_mentees=np.array(columns.get("max_mentees", ()), dtype=np.int64),
        free=np.array(columns.get("free", ()), dtype=np.int64),
        finished=np.array(columns.get("finished", ()), dtype=np.float64),
        succeeded=np.array(columns.get("succeeded", ()), dtype=np.float64),
        program_rate=succeeded_all / finished_all if finished_all else NO_RECORD_RATE,
        skill_rows=_skill_rows(columns.get("expertise_areas", ())),
        row_of_mentor={m: j for j, m in enumerate(mentor_ids)},
        row_of_user={u: j for j, u in enumerate(user_ids)},
        zones=list(zone_position),
        zone_of=np.array(zone_of, dtype=np.intp),
    )


def _skill_rows(expertise: Iterable[list[str] | None]) -> dict[str, np.ndarray]:
    rows: dict[str, list[int]] = {}
    for j, skills in enumerate(expertise):
        for skill in skills or []:
            rows.setdefault(skill.lower(), []).append(j)
    return {skill: np.array(found, dtype=np.intp) for skill, found in rows.items()}
