"""How well does each mentor fit each mentee, as a number? numpy scores a whole
mentees x mentors matrix at once: expertise overlap, hours apart, smoothed past
success, weighted by the program settings; ruled-out pairs get -inf."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np

from bot.services.match_candidates import Candidates
from bot.services.match_mentees import Mentee
from bot.services.program import ProgramConfig


@dataclass
class Scores:
    """Every (mentee, mentor) score and the factors behind it, for `mentor_match`."""

    total: np.ndarray  # (mentees, candidates); -inf where the pair is ruled out
    overlap_count: np.ndarray
    hours: np.ndarray  # NaN where a timezone is unknown
    tz_score: np.ndarray
    success: np.ndarray  # (candidates,)
    offers: np.ndarray
    vocabulary: dict[str, int]


def score_pairs(
    mentees: list[Mentee],
    candidates: Candidates,
    vocabulary: dict[str, int],
    config: ProgramConfig,
    now: datetime,
) -> Scores:
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
    zone_offsets = [_utc_offset(tz, now, offsets) for tz in candidates.zones]
    mentor_offsets = np.array(zone_offsets, dtype=np.float64)[candidates.zone_of]
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

    for i, mentee in enumerate(mentees):
        for user_id in (mentee.user_id, mentee.manager_id):
            j = candidates.row_of_user.get(user_id) if user_id else None
            if j is not None:
                total[i, j] = -np.inf
        for mentor_id in mentee.excluded_mentor_ids:
            j = candidates.row_of_mentor.get(mentor_id)
            if j is not None:
                total[i, j] = -np.inf
    return Scores(total, overlap_count, hours, tz_score, success, candidates.offers, vocabulary)


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
