"""The program-wide figures App Home shows, kept in the `analytics_summary` table so
that opening a home reads a row instead of ranking every mentor in the program.

The figures are `program_report`'s, computed by it and stored as they are: the
headlines, the ramp comparison, each mentor's place in the ranking and the program's
averages a mentor compares with. Nothing here computes a figure. The reminder sweep
refreshes the summary when the data changed since (`refresh_if_stale`); App Home
shows its age ("figures as of 09:05"). Any number of replicas may refresh at once: on
PostgreSQL one takes a transaction lock and the others leave it to them; readers see
the previous summary until the new one is committed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.services import program
from bot.services.analytics.effectiveness import MentorScore
from bot.services.analytics.ramp import RampComparison
from bot.services.analytics.reports import MentorStanding, ProgramHeadlines, program_report
from bot.services.analytics.shared import as_json, from_json
from bot.services.data_version import data_version
from models import AnalyticsSummary

#: pg_advisory_xact_lock key of a refresh ("MNTRSUMM" as an int64), the same everywhere.
REFRESH_LOCK_KEY = 0x4D4E5452_53554D4D & 0x7FFFFFFFFFFFFFFF
#: Refreshed after this long even if nothing was saved: some figures (sessions
#: expected so far) move with the date alone.
MAX_AGE = timedelta(hours=1)
PROGRAM_KEY = "program"


@dataclass(frozen=True)
class ProgramSummary:
    """The program-wide figures as of `computed_at`."""

    computed_at: datetime
    data_version: str
    #: How many mentors are ranked, and the program's session completion and mentee
    #: rating: what a mentor's own figures are shown beside.
    ranked: int
    program_completion: float | None
    program_mentee_average: float | None
    #: The stored JSON of the headlines and the ramp comparison, made into their
    #: dataclasses only when asked for: a mentor's home never shows them, and the
    #: admin's only when its cached section is out of date.
    stored: dict[str, Any] = field(repr=False, compare=False)

    @cached_property
    def headlines(self) -> ProgramHeadlines:
        return from_json(ProgramHeadlines, self.stored["headlines"])

    @cached_property
    def ramp(self) -> RampComparison:
        return from_json(RampComparison, self.stored["ramp"])


@dataclass(frozen=True)
class SummaryStamp:
    """When the stored summary was computed, and from which data: what a home's kept
    figures are keyed by, read without the figures themselves."""

    computed_at: datetime
    data_version: str


def _mentor_key(mentor_id: uuid.UUID) -> str:
    return f"mentor:{mentor_id}"


def load(db: Session) -> ProgramSummary | None:
    """The stored summary (one primary-key read), None before the first refresh."""
    row = db.get(AnalyticsSummary, PROGRAM_KEY)
    if row is None:
        return None
    return _summary(row.computed_at, row.data_version, row.payload)


#: Built once (see roster._BY_SLACK_ID): the admin's and a mentor's App Home read it
#: on every open.
_STAMP = sa.select(AnalyticsSummary.computed_at, AnalyticsSummary.data_version).where(
    AnalyticsSummary.key == PROGRAM_KEY
)


def stamp(db: Session) -> SummaryStamp | None:
    """The stored summary's `SummaryStamp` (two columns of one row, not its figures),
    None before the first refresh."""
    row = db.execute(_STAMP).first()
    return SummaryStamp(row.computed_at, row.data_version) if row is not None else None


#: The program's figures a mentor's own are shown beside, as the payload keys them.
_COMPARED_WITH = ("ranked", "program_completion", "program_mentee_average")


def _summary(computed_at: datetime, version: str, payload: dict[str, Any]) -> ProgramSummary:
    ranked, completion, mentee_average = (payload[field] for field in _COMPARED_WITH)
    return ProgramSummary(
        computed_at=computed_at,
        data_version=version,
        ranked=ranked,
        program_completion=completion,
        program_mentee_average=mentee_average,
        stored=payload,
    )


#: Built once (see roster._BY_SLACK_ID): a mentor's App Home reads it on their first
#: open of each summary. Of the program's row only the three figures a mentor compares
#: with: its whole payload (the ramp, every headline) is tens of kilobytes to decode.
_STANDING = sa.select(
    AnalyticsSummary.key,
    *(AnalyticsSummary.payload[field] for field in _COMPARED_WITH),
    sa.case(
        (AnalyticsSummary.key == PROGRAM_KEY, sa.null()),
        else_=AnalyticsSummary.payload,
    ),
).where(AnalyticsSummary.key.in_([PROGRAM_KEY, sa.bindparam("mentor_key")]))


def standing_of(db: Session, mentor_id: uuid.UUID) -> MentorStanding:
    """This mentor's place as the stored ranking has it and the program's figures they
    compare with, in one statement (the summary's row and theirs); no score when the
    summary doesn't rank them (no mentorship of theirs had started at its last
    refresh), nothing ranked when there is no summary yet."""
    rows = {row[0]: row for row in db.execute(_STANDING, {"mentor_key": _mentor_key(mentor_id)})}
    program_row, mine = rows.get(PROGRAM_KEY), rows.get(_mentor_key(mentor_id))
    if program_row is None:
        return MentorStanding(None, 0, None, None)
    _, ranked, completion, mentee_average, _ = program_row
    return MentorStanding(
        score=from_json(MentorScore, mine[-1]) if mine is not None else None,
        ranked=ranked,
        program_completion=completion,
        program_mentee_average=mentee_average,
    )


def is_stale(db: Session, summary: ProgramSummary | None, *, now: datetime) -> bool:
    """Missing, older than MAX_AGE, of another program day, or saved data changed since."""
    if summary is None or now - summary.computed_at >= MAX_AGE:
        return True
    if summary.headlines.as_of != program.todays_date(db, now):
        return True
    return summary.data_version != data_version(db)


def refresh(db: Session, *, now: datetime) -> ProgramSummary | None:
    """Compute the program report and store its App Home figures, replacing the
    previous summary, in the caller's transaction (commit it). None when another
    process is refreshing it right now (PostgreSQL): theirs will do."""
    if db.get_bind().dialect.name == "postgresql":
        locked = db.scalar(sa.select(sa.func.pg_try_advisory_xact_lock(REFRESH_LOCK_KEY)))
        if not locked:
            return None
    version = data_version(db)  # before reading: a change while computing shows as stale
    report = program_report(db, now=now, ranking_limit=None)
    payload = {
        "headlines": as_json(report.headlines),
        "ramp": as_json(report.ramp),
        "ranked": report.effectiveness.ranked,
        "program_completion": report.sessions.completion_rate,
        "program_mentee_average": report.satisfaction.mentee_average,
    }
    rows = [
        {"key": PROGRAM_KEY, "payload": payload},
        *(
            {"key": _mentor_key(score.mentor_id), "payload": as_json(score)}
            for score in report.effectiveness.mentors
        ),
    ]
    db.execute(sa.delete(AnalyticsSummary))
    db.execute(
        sa.insert(AnalyticsSummary),
        [{**row, "computed_at": now, "data_version": version} for row in rows],
    )
    return _summary(now, version, payload)


def refresh_if_stale(db: Session, *, now: datetime) -> ProgramSummary | None:
    """What the sweep calls: refresh when `is_stale`; the summary in force after it
    (None only while another process is making the first one)."""
    summary = load(db)
    if not is_stale(db, summary, now=now):
        return summary
    return refresh(db, now=now) or summary
