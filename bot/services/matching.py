"""Mentor matching (PRD FR-2.1): who fits a new hire best, and why, in plain words.

The PRD's reference ranks mentors with two queries per mentor. Ranking here costs
three statements whatever the number of mentors: the program settings, everything
about the mentee(s) in one UNION, and the available mentors with their track
record in one grouped query. For one mentee that query returns only a shortlist
per timezone that surely holds the best (see `match_candidates`), so ten thousand
mentors never cross the wire; numpy then scores the candidates. The cohort solver
scores a whole hires x mentors matrix with the same function and finds the best
total with SciPy's `linear_sum_assignment` over capacity slots.

Scoring starts from the PRD's formula (expertise 40, location 20, success 40) and
improves it: the timezone is graded by hours apart instead of same/not same, past
success is smoothed toward the program average, and the weights are settings.

This module answers "who fits this new hire best, and why"; the parts live in
`match_mentees` (what the mentee needs), `match_candidates` (who could take them),
`match_scores` (the numbers) and `cohort_solver` (a whole cohort at once)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from bot.services import match_candidates, match_pool, program
from bot.services.errors import InvalidInput, NotFound
from bot.services.match_candidates import Candidates
from bot.services.match_mentees import Mentee, load_mentees, set_needs, skill_vocabulary
from bot.services.match_scores import Scores, score_pairs
from bot.services.program import ProgramConfig


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
    pooled: bool = False,
) -> Ranking:
    """Like `suggest`, with the skill gaps the ranking used and where they came from.
    Three SQL statements whatever the number of mentors.

    `pooled`: the caller has written nothing in this transaction, so the mentors and
    settings may come from `match_pool` (kept per version of the data): then the
    statements are the version's lookup and the mentee's (with the three above at
    the first match of a version, and a count and every available mentor at the second)."""

    def read(config: ProgramConfig, focus_skills: list[str]) -> Mentee:
        mentee = load_mentees(db, [mentee_id], config, {mentee_id: focus_skills}).get(mentee_id)
        if mentee is None:
            raise NotFound("I can't find that person in the roster.")
        mentee.excluded_mentor_ids.update(exclude_mentor_ids)
        return mentee

    return _rank(
        db,
        read,
        now=now,
        limit=limit,
        focus=focus,
        only_mentor_ids=only_mentor_ids,
        pooled=pooled and only_mentor_ids is None,
    )


def rank_read(
    db: Session, mentee: Mentee, *, now: datetime, limit: int = 5, focus: Sequence[str] = ()
) -> Ranking:
    """`rank` (`pooled`) for a mentee already read (`match_mentees.mentee_named`): the
    caller has written nothing in this transaction."""

    def with_needs(config: ProgramConfig, focus_skills: list[str]) -> Mentee:
        set_needs(mentee, config, focus_skills)
        return mentee

    return _rank(db, with_needs, now=now, limit=limit, focus=focus, pooled=True)


def _rank(
    db: Session,
    mentee_for: Callable[[ProgramConfig, list[str]], Mentee],
    *,
    now: datetime,
    limit: int,
    focus: Sequence[str] | None,
    only_mentor_ids: Sequence[uuid.UUID] | None = None,
    pooled: bool,
) -> Ranking:
    """`rank`, with the mentee (and their needs, for the settings and the focus as
    program skills) from `mentee_for`."""
    pool = match_pool.current(db, now) if pooled else None
    config = pool.config if pool is not None else program.load(db)
    focus_skills = resolve_focus(focus, config.skills) if focus else []
    mentee = mentee_for(config, focus_skills)
    vocabulary = skill_vocabulary([mentee])
    if pool is not None:
        candidates = pool.candidates.for_vocabulary(vocabulary)
    else:
        candidates = match_candidates.load_candidates(
            db,
            program.program_today(now, config),
            vocabulary,
            only_mentor_ids=only_mentor_ids,
            shortlist=match_candidates.shortlist_for(mentee, config, limit),
        )
    scores = score_pairs([mentee], candidates, vocabulary, config, now)
    row = scores.total[0]
    # Best score first; ties go to the mentor with more free slots, then by name
    # (candidates arrive sorted by name and lexsort is stable).
    order = np.lexsort((-candidates.free, -row))
    matches = [
        mentor_match(scores, candidates, mentee, 0, int(j))
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


def mentor_match(
    scores: Scores, candidates: Candidates, mentee: Mentee, i: int, j: int
) -> MentorMatch:
    """The match of mentee row `i` with candidate column `j` of these scores, with each
    factor in plain words."""
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
