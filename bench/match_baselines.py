"""The baselines `bench/match.py` times our mentor ranking against: `findBestMentors`
of PRD-255 as written (a query per mentor), and the same algorithm as one SQL query,
the fair baseline (the ratio that matters is against the best simple alternative)."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

# -- the PRD's reference algorithm, literally --------------------------------------------------


def reference_find_best_mentors(db: Session, mentee_id: uuid.UUID) -> list[dict[str, Any]]:
    """`findBestMentors` of PRD-255 as written: the available mentors, then for each
    one a query for the mentee's skill gaps and one for the mentor's past assignments."""
    mentee = db.execute(
        sa.text("SELECT id, timezone FROM users WHERE id = :id"), {"id": mentee_id}
    ).one()
    available = db.execute(
        sa.text(
            # u.* first: of the two `id` columns the later one names the row, and the
            # mentor's past assignments are looked up by the mentor's id.
            "SELECT u.*, m.* FROM mentors m JOIN users u ON m.user_id = u.id "
            "WHERE m.is_active = true AND m.current_mentee_count < m.max_mentees "
            "AND m.user_id != :mentee"
        ),
        {"mentee": mentee_id},
    ).mappings()
    matches = []
    for mentor in list(available):
        needs = [
            row.skill
            for row in db.execute(
                sa.text(
                    # Ties broken by skill, so both baselines pick the same three.
                    "SELECT skill FROM skill_assessments WHERE user_id = :id "
                    "ORDER BY rating, skill LIMIT 3"
                ),
                {"id": mentee_id},
            )
        ]
        expertise = set(mentor["expertise_areas"] or [])
        overlap = len(expertise & set(needs)) / len(needs) if needs else 0.0
        location_match = mentor["timezone"] == mentee.timezone
        past = db.execute(
            sa.text(
                "SELECT status, mentee_rating FROM mentorship_assignments WHERE mentor_id = :id"
            ),
            {"id": mentor["id"]},
        ).all()
        success_rate = (
            sum(1 for a in past if a.status == "completed" and (a.mentee_rating or 0) >= 4)
            / len(past)
            if past
            else 0.5
        )
        matches.append(
            {
                "mentor_id": mentor["id"],
                "match_score": overlap * 40 + (20 if location_match else 0) + success_rate * 40,
            }
        )
    return sorted(matches, key=lambda m: m["match_score"], reverse=True)


# -- the same algorithm as one sensible SQL query ---------------------------------------------

#: `findBestMentors` of PRD-255 with the same inputs and score, written as one statement
#: the way anyone fluent in SQL would: the fair baseline for our ranking's speed.
PRD_AS_ONE_QUERY = sa.text(
    """
    WITH needs AS (
        SELECT skill FROM skill_assessments WHERE user_id = :mentee ORDER BY rating, skill LIMIT 3
    ), past AS (
        SELECT mentor_id,
               count(*) AS mentorships,
               count(*) FILTER (
                   WHERE status = 'completed' AND coalesce(mentee_rating, 0) >= 4
               ) AS successes
        FROM mentorship_assignments GROUP BY mentor_id
    )
    SELECT m.id AS mentor_id,
           coalesce(
               (SELECT count(DISTINCT n.skill) FROM needs n WHERE n.skill = ANY(m.expertise_areas))
               / nullif((SELECT count(*) FROM needs), 0)::float, 0
           ) * 40
           + CASE WHEN u.timezone = (SELECT timezone FROM users WHERE id = :mentee)
                  THEN 20 ELSE 0 END
           + coalesce(p.successes / nullif(p.mentorships, 0)::float, 0.5) * 40 AS match_score
    FROM mentors m
    JOIN users u ON u.id = m.user_id
    LEFT JOIN past p ON p.mentor_id = m.id
    WHERE m.is_active AND m.current_mentee_count < m.max_mentees AND m.user_id != :mentee
    ORDER BY match_score DESC
    """
)


def sql_find_best_mentors(db: Session, mentee_id: uuid.UUID) -> list[dict[str, Any]]:
    """`findBestMentors` of PRD-255 as one SQL statement (`PRD_AS_ONE_QUERY`)."""
    return [dict(row) for row in db.execute(PRD_AS_ONE_QUERY, {"mentee": mentee_id}).mappings()]


def same_scores(literal: list[dict[str, Any]], one_query: list[dict[str, Any]]) -> bool:
    """Both baselines give every mentor the same score (the order of ties may differ)."""

    def scores(found: list[dict[str, Any]]) -> dict[Any, float]:
        return {m["mentor_id"]: round(m["match_score"], 9) for m in found}

    return scores(literal) == scores(one_query)
