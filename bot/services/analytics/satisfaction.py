"""FR-5.4 and the satisfaction metrics: how do mentees rate their mentorship, and
mentors theirs? Averages of the 1-5 ratings, with how many there are."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import case, func
from sqlalchemy.sql.expression import ColumnElement

from bot.services.analytics.shared import ratio, summed, to_float

SCORES = (1, 2, 3, 4, 5)
#: (side, score, column name) of each count of ratings with that score.
_SCORE_COUNTS = [
    (side, score, f"{side}_rated_{score}") for side in ("mentee", "mentor") for score in SCORES
]


@dataclass(frozen=True)
class Satisfaction:
    """FR-5.4: mentee ratings and mentor satisfaction, 1-5, with their counts."""

    mentee_average: float | None
    mentee_ratings: int
    mentor_average: float | None
    mentor_ratings: int
    #: How many ratings gave 1, 2, 3, 4 and 5.
    mentee_counts: tuple[int, ...] = (0,) * 5
    mentor_counts: tuple[int, ...] = (0,) * 5


def partial_sums(per: sa.CTE) -> list[ColumnElement[Any]]:
    """Rating sums and counts over a group of the mentorships of `per`."""
    return [
        func.coalesce(func.sum(per.c.mentee_rating), 0).label("mentee_rating_sum"),
        func.count(per.c.mentee_rating).label("mentee_ratings"),
        func.coalesce(func.sum(per.c.mentor_rating), 0).label("mentor_rating_sum"),
        func.count(per.c.mentor_rating).label("mentor_ratings"),
        *[
            func.count(case((per.c[f"{side}_rating"] == score, 1))).label(name)
            for side, score, name in _SCORE_COUNTS
        ],
    ]


def totals(partials: sa.Subquery | sa.CTE) -> list[ColumnElement[Any]]:
    """The `partial_sums` rows added up into counts and averages."""
    averages = []
    for side in ("mentee", "mentor"):
        count = summed(partials, f"{side}_ratings")
        averages.append(
            ratio(summed(partials, f"{side}_rating_sum"), func.nullif(count, 0)).label(
                f"{side}_average"
            )
        )
    return [
        summed(partials, "mentee_ratings").label("mentee_ratings"),
        summed(partials, "mentor_ratings").label("mentor_ratings"),
        *averages,
        *[summed(partials, name).label(name) for _side, _score, name in _SCORE_COUNTS],
    ]


def satisfaction_from(row: Mapping[str, Any]) -> Satisfaction:
    """The figures of a row of `totals`."""
    return Satisfaction(
        mentee_average=to_float(row["mentee_average"]),
        mentee_ratings=int(row["mentee_ratings"]),
        mentor_average=to_float(row["mentor_average"]),
        mentor_ratings=int(row["mentor_ratings"]),
        mentee_counts=tuple(int(row[f"mentee_rated_{score}"]) for score in SCORES),
        mentor_counts=tuple(int(row[f"mentor_rated_{score}"]) for score in SCORES),
    )
