"""FR-5.5: which mentors do best? Mentors ranked by their mentees' ratings, session
completion and ramp gain, each shrunk toward the program's average with
`effectiveness_prior_mentorships` pseudo-mentorships (empirical Bayes), so one lucky
mentorship doesn't top the list."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import case, func, literal, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnElement

from bot.services.analytics import mentorships, response_times
from bot.services.analytics.ramp import RampComparison
from bot.services.analytics.satisfaction import Satisfaction
from bot.services.analytics.sessions import SessionFrequency
from bot.services.analytics.shared import Scope, beside_totals, name_of, ratio, to_float
from bot.services.program import ProgramConfig
from models import Mentor


@dataclass(frozen=True, slots=True)
class MentorScore:
    rank: int
    mentor_id: uuid.UUID
    name: str
    score: float
    #: Sample sizes: mentorships (active or completed), ratings, mentees fully ramped.
    mentorships: int
    ratings: int
    ramped: int
    average_rating: float | None
    completion: float | None
    #: Mean fraction by which their mentees ramped faster than the non-mentored median.
    ramp_gain: float | None


@dataclass(frozen=True)
class Effectiveness:
    """FR-5.5: mentors ranked by a score shrunk toward the program average."""

    ranked: int
    prior_mentorships: int
    baseline_days: float | None
    mentors: list[MentorScore] = field(default_factory=list)


def program_figures(
    db: Session,
    config: ProgramConfig,
    today: date,
    ramp: RampComparison,
    *,
    only_mentor: uuid.UUID | None = None,
    limit: int | None,
    now: datetime | None = None,
) -> tuple[SessionFrequency, Satisfaction, Effectiveness]:
    """Everyone's session frequency, satisfaction and mentor ranking in one statement:
    the mentorships are summed per mentor once, and both each mentor's score and the
    program's totals (the per-mentor sums added up) are read from those rows. With
    `effectiveness_weights.responsiveness` above 0 (and `now`), the share of the Mentor
    Role's response-time standards each mentor met counts too, shrunk like the others."""
    k = config.effectiveness_prior_mentorships
    weights = config.effectiveness_weights
    total_weight = weights.rating + weights.completion + weights.ramp
    w_rating, w_completion, w_ramp = (
        (weights.rating, weights.completion, weights.ramp) if total_weight else (1.0, 1.0, 1.0)
    )
    fully = ramp.fully_ramped
    baseline = fully.not_mentored.median_days if fully is not None else None
    if fully is not None and fully.not_mentored.reached < ramp.min_sample:
        baseline = None  # too few non-mentored hires to compare anyone against
    per = mentorships.per_mentorship(
        today, Scope(), final_key=fully.milestone_key if fully else None
    )

    # Each signal per mentorship, on a 0..1 scale.
    rating_n = ratio(per.c.mentee_rating - 1, 4)
    completion_n = case((per.c.expected > 0, ratio(per.c.completed, per.c.expected)))
    if baseline:
        gain = ratio(literal(baseline, sa.Float) - per.c.final_days, baseline)
        gain_n = case(
            (per.c.final_days.is_(None), None),
            (gain > 0.5, 1.0),
            (gain < -0.5, 0.0),
            else_=gain + 0.5,
        )
        gain_raw: ColumnElement[Any] = gain
    else:
        gain_n = gain_raw = sa.cast(sa.null(), sa.Float)

    by_mentor = (
        select(
            per.c.mentor_id,
            func.count().label("mentorships"),
            *mentorships.partial_sums(per),
            func.coalesce(func.sum(rating_n), 0.0).label("rating_sum"),
            func.coalesce(func.sum(completion_n), 0.0).label("completion_sum"),
            func.count(gain_n).label("ramped"),
            func.coalesce(func.sum(gain_n), 0.0).label("gain_sum"),
            func.avg(gain_raw).label("ramp_gain"),
        )
        .group_by(per.c.mentor_id)
        .cte("by_mentor")
    )

    signals = by_mentor
    w_responses = weights.responsiveness if now is not None else 0.0
    if w_responses:
        met = response_times.met_by_mentor(now, config)  # type: ignore[arg-type]
        signals = (
            select(
                by_mentor,
                func.coalesce(met.c.met, 0).label("responses_met"),
                func.coalesce(met.c.responses, 0).label("responses"),
            )
            .join_from(by_mentor, Mentor, Mentor.id == by_mentor.c.mentor_id)
            .outerjoin(met, met.c.mentor == Mentor.user_id)
            .cte("signals")
        )

    def shrunk(total: str, count: str) -> ColumnElement[float]:
        """(own sum + k * program mean) / (own count + k), neutral when nobody has data."""
        program_mean = ratio(
            func.sum(signals.c[total]).over(), func.nullif(func.sum(signals.c[count]).over(), 0)
        )
        own = ratio(signals.c[total] + k * program_mean, func.nullif(signals.c[count] + k, 0))
        return func.coalesce(own, program_mean, 0.5)

    weighted = (
        w_rating * shrunk("rating_sum", "mentee_ratings")
        + w_completion * shrunk("completion_sum", "paced")
        + w_ramp * shrunk("gain_sum", "ramped")
    )
    if w_responses:
        weighted = weighted + w_responses * shrunk("responses_met", "responses")
    score = 100 * weighted / (w_rating + w_completion + w_ramp + w_responses)
    scored = select(signals, score.label("score")).subquery()
    ranked = (
        select(
            scored,
            func.rank()
            .over(order_by=(scored.c.score.desc(), scored.c.mentorships.desc()))
            .label("rank"),
        )
    ).subquery()
    name = name_of(Mentor.user_id).label("name")
    top = (
        select(
            ranked.c.rank,
            ranked.c.mentor_id,
            name,
            ranked.c.score,
            ranked.c.mentorships,
            ranked.c.mentee_ratings,
            ranked.c.mentee_rating_sum,
            ranked.c.paced,
            ranked.c.completion_sum,
            ranked.c.ramped,
            ranked.c.ramp_gain,
        )
        .join(Mentor, Mentor.id == ranked.c.mentor_id)
        .order_by(ranked.c.rank, name)
    )
    if only_mentor is not None:
        top = top.where(ranked.c.mentor_id == only_mentor)
    if limit is not None:
        top = top.limit(limit)
    listed = top.subquery("listed")
    totals = select(
        *mentorships.totals(by_mentor, Scope()),
        func.count(by_mentor.c.mentor_id).label("ranked"),
    ).subquery("totals")
    # Core rows: thousands of mentors don't need the ORM's row processing.
    rows = db.connection().execute(beside_totals(totals, listed, ["rank", "name"])).all()
    frequency, satisfaction = mentorships.figures_from(rows[0]._mapping)
    effectiveness = Effectiveness(
        ranked=int(rows[0].ranked),
        prior_mentorships=k,
        baseline_days=baseline,
        # Unpacked by position: attribute access on thousands of rows shows in the timing.
        mentors=[
            MentorScore(
                rank=rank,
                mentor_id=mentor_id,
                name=name,
                score=float(score),
                mentorships=count,
                ratings=ratings,
                ramped=ramped,
                average_rating=rating_sum / ratings if ratings else None,
                completion=completion_sum / paced if paced else None,
                ramp_gain=to_float(ramp_gain),
            )
            for (
                rank,
                mentor_id,
                name,
                score,
                count,
                ratings,
                rating_sum,
                paced,
                completion_sum,
                ramped,
                ramp_gain,
            ) in (row[len(totals.c) :] for row in rows)
            if mentor_id is not None
        ],
    )
    return frequency, satisfaction, effectiveness
