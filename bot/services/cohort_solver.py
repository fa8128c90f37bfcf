"""Which pairing of a whole cohort of new hires with mentors gives the best total
score? SciPy's `linear_sum_assignment` over capacity slots, scored with the same
function as one mentee's ranking, and the total greedy matching would reach."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy.orm import Session

from bot.services import program
from bot.services.match_candidates import load_candidates
from bot.services.match_mentees import load_mentees, skill_vocabulary
from bot.services.match_scores import score_pairs
from bot.services.matching import MentorMatch, mentor_match


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


def solve_cohort(db: Session, *, mentee_ids: Sequence[uuid.UUID], now: datetime) -> CohortPlan:
    """The assignment of these mentees to mentors that maximises the total score under
    every mentor's free capacity (each free slot is a column of the assignment problem,
    solved exactly), plus the total greedy matching would reach, for comparison.
    Greedy takes the mentees in the order given, each with its best mentor still free."""
    config = program.load(db)
    mentees_by_id = load_mentees(db, mentee_ids, config, {})
    mentees = [mentees_by_id[m] for m in mentee_ids if m in mentees_by_id]
    vocabulary = skill_vocabulary(mentees)
    candidates = load_candidates(db, program.program_today(now, config), vocabulary)
    if not mentees or not len(candidates):
        return CohortPlan([], [(m.user_id, m.name) for m in mentees], 0.0, 0.0, 0)
    scores = score_pairs(mentees, candidates, vocabulary, config, now)
    chosen = optimal_assignment(scores.total, candidates.free)
    pairs: list[CohortPair] = []
    unmatched: list[tuple[uuid.UUID, str]] = []
    for i, mentee in enumerate(mentees):
        j = chosen.get(i)
        if j is None:
            unmatched.append((mentee.user_id, mentee.name))
        else:
            match = mentor_match(scores, candidates, mentee, i, j)
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
