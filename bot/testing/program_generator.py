"""A mentorship program with known effects, for the analytics tests and benchmark.

`generate(spec)` decides every hire, mentorship, session and milestone from a
seeded random source, so the same spec always gives the same rows. The effects
are built in: mentored hires reach the final ramp milestone `ramp_speedup` sooner,
sessions are logged at `session_completion` of what each cadence expects, ratings
are drawn with the spec's means. `Truth` holds the exact counts the generator
decided, for tests to compare the analytics with.

Rows are tuples in each table's column order and the big tables (sessions,
milestones) are produced lazily, so a million sessions never sit in memory;
`load(db, program)` inserts them with SQLAlchemy (tests), and the benchmark
streams the same rows through PostgreSQL's COPY."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.services import tallies
from bot.services.milestone_templates import DEFAULT_TEMPLATES
from models import CADENCE_DAYS, COVERED_STATUSES, Base, MilestoneTemplate, ramp_facts

#: (key, name, share of the final milestone's days, is_final)
#: The program's own ramp (the default templates), each milestone due at its share of
#: the time to "fully ramped", so generated programs read like real ones.
_FINAL_DAYS = next(days for _k, _n, _d, days, final in DEFAULT_TEMPLATES if final)
TEMPLATES = [
    (key, name, days / _FINAL_DAYS, final) for key, name, _desc, days, final in DEFAULT_TEMPLATES
]
_NAMESPACE = uuid.UUID("6f1c8a52-3f0e-4d7c-9a51-0f6f3e1b2c77")


@dataclass(frozen=True)
class ProgramSpec:
    hires: int = 300
    mentored_share: float = 0.6
    mentors: int = 40
    #: max_mentees is drawn from this inclusive range.
    mentor_capacity: tuple[int, int] = (2, 6)
    managers: int = 12
    today: date = date(2026, 11, 17)
    #: Hire dates are spread evenly over this many days before `today`.
    hire_span_days: int = 720
    #: Median days to "fully ramped" without a mentor, and the mentored speed-up.
    baseline_ramp_days: float = 120.0
    ramp_speedup: float = 0.20
    #: Relative spread (standard deviation) of each hire's ramp time.
    ramp_spread: float = 0.08
    session_completion: float = 0.92
    mentorship_weeks: int = 12
    cadence_mix: tuple[tuple[str, float], ...] = (
        ("weekly", 0.6),
        ("biweekly", 0.3),
        ("monthly", 0.1),
    )
    #: Share of logged sessions held as group sessions, and attendance at those.
    group_share: float = 0.2
    group_attendance: float = 0.85
    #: Rating -> probability; the defaults have means 4.4 (mentees) and 4.1 (mentors).
    mentee_ratings: tuple[tuple[int, float], ...] = ((5, 0.5), (4, 0.4), (3, 0.1))
    mentor_ratings: tuple[tuple[int, float], ...] = ((5, 0.3), (4, 0.5), (3, 0.2))
    #: Extra hires in the program whose hire date is missing from the roster.
    missing_hire_dates: int = 0
    seed: int = 7
    slack_prefix: str = "UG"


@dataclass
class Truth:
    """What the generator decided, counted as it went."""

    hires: int = 0
    mentored: int = 0
    new_hires: int = 0
    new_hires_covered: int = 0
    sessions_expected: int = 0
    sessions_logged: int = 0
    mentee_ratings: list[int] = field(default_factory=list)
    mentor_ratings: list[int] = field(default_factory=list)
    active_mentorships: int = 0


@dataclass
class _Mentorship:
    id: uuid.UUID
    mentor_id: uuid.UUID
    mentee_id: uuid.UUID
    start: date
    end: date | None
    cadence: str
    status: str
    expected: int
    logged: int


@dataclass
class _Hire:
    id: uuid.UUID
    hire_date: date | None
    final_days: int
    mentorship: _Mentorship | None


@dataclass
class GeneratedProgram:
    spec: ProgramSpec
    truth: Truth
    users: list[tuple[Any, ...]]
    mentors: list[tuple[Any, ...]]
    assignments: list[tuple[Any, ...]]
    hires: list[_Hire]

    def templates(self) -> list[tuple[Any, ...]]:
        return [
            (
                uuid.uuid5(_NAMESPACE, key),
                key,
                name,
                round(self.spec.baseline_ramp_days * share),
                i,
                final,
            )
            for i, (key, name, share, final) in enumerate(TEMPLATES)
        ]

    def sessions(self) -> Iterator[tuple[Any, ...]]:
        """Every session row, decided by a random source of its own so the rows
        come out the same however (and however often) they are read."""
        rng = random.Random(self.spec.seed * 7919 + 1)
        spec = self.spec
        for hire in self.hires:
            m = hire.mentorship
            if m is None or m.status not in ("active", "completed"):
                continue
            step = CADENCE_DAYS[m.cadence]
            slots = [m.start + timedelta(days=step * (i + 1) - 1) for i in range(m.expected)]
            held = sorted(rng.sample(range(m.expected), m.logged))
            for i in held:
                when = datetime.combine(slots[i], time(15, 0), UTC)
                if rng.random() < spec.group_share:
                    group = uuid.uuid5(_NAMESPACE, f"{m.mentor_id}:{slots[i]}")
                    yield (
                        uuid.UUID(int=rng.getrandbits(128)),
                        m.id,
                        when,
                        45,
                        "mentor",
                        group,
                        True,
                    )
                    # Another group session of this mentor, half a period later, that
                    # this mentee missed: seats at group sessions are attended at
                    # `group_attendance`, and a missed seat is not a logged session.
                    if rng.random() < (1 - spec.group_attendance) / spec.group_attendance:
                        other = slots[i] + timedelta(days=step // 2 or 1)
                        yield (
                            uuid.UUID(int=rng.getrandbits(128)),
                            m.id,
                            datetime.combine(other, time(15, 0), UTC),
                            45,
                            "mentor",
                            uuid.uuid5(_NAMESPACE, f"{m.mentor_id}:{other}"),
                            False,
                        )
                else:
                    yield (
                        uuid.UUID(int=rng.getrandbits(128)),
                        m.id,
                        when,
                        45,
                        "mentor",
                        None,
                        True,
                    )

    def milestones(self) -> Iterator[tuple[Any, ...]]:
        """Each hire's template milestones, achieved when their ramp time has passed."""
        today = self.spec.today
        for hire in self.hires:
            m = hire.mentorship
            for _id, key, name, target_days, _pos, _final in self.templates():
                share = next(s for k, _n, s, _f in TEMPLATES if k == key)
                days = round(hire.final_days * share)
                achieved = None
                target = None
                if hire.hire_date is not None:
                    target = hire.hire_date + timedelta(days=target_days)
                    reached = hire.hire_date + timedelta(days=days)
                    achieved = reached if reached <= today else None
                yield (
                    uuid.uuid5(hire.id, key),
                    m.id if m is not None and m.status in ("active", "completed") else None,
                    hire.id,
                    name,
                    target,
                    achieved,
                    key,
                    "system_tracked" if achieved else None,
                    "achieved" if achieved else "open",
                )

    def tables(self) -> list[tuple[str, list[str], Iterable[tuple[Any, ...]]]]:
        """(table, columns, rows) in the order foreign keys need."""
        return [
            ("users", USER_COLUMNS, self.users),
            ("milestone_templates", TEMPLATE_COLUMNS, self.templates()),
            ("mentors", MENTOR_COLUMNS, self.mentors),
            ("mentorship_assignments", ASSIGNMENT_COLUMNS, self.assignments),
            ("mentorship_sessions", SESSION_COLUMNS, self.sessions()),
            ("mentee_ramp_milestones", MILESTONE_COLUMNS, self.milestones()),
        ]


USER_COLUMNS = ["id", "slack_user_id", "name", "title", "hire_date", "manager_id", "timezone"]
TEMPLATE_COLUMNS = ["id", "key", "name", "days_from_hire", "position", "is_final"]
MENTOR_COLUMNS = ["id", "user_id", "max_mentees", "current_mentee_count", "total_mentees_to_date"]
ASSIGNMENT_COLUMNS = [
    "id",
    "mentor_id",
    "mentee_user_id",
    "start_date",
    "expected_end_date",
    "actual_end_date",
    "check_in_cadence",
    "status",
    "mentor_accepted_at",
    "mentee_rating",
    "mentor_rating",
]
SESSION_COLUMNS = [
    "id",
    "assignment_id",
    "session_date",
    "duration_minutes",
    "logged_by",
    "group_session_id",
    "attended",
]
MILESTONE_COLUMNS = [
    "id",
    "assignment_id",
    "mentee_user_id",
    "milestone_name",
    "target_date",
    "achieved_date",
    "template_key",
    "verification_method",
    "status",
]


def generate(spec: ProgramSpec) -> GeneratedProgram:
    """Decide the whole program for `spec` (the sessions and milestones lazily)."""
    rng = random.Random(spec.seed)
    truth = Truth()
    users: list[tuple[Any, ...]] = []
    veteran_hired = spec.today - timedelta(days=1500)

    def new_id() -> uuid.UUID:
        return uuid.UUID(int=rng.getrandbits(128), version=4)

    def person(
        n: int, name: str, title: str, hired: date | None, manager: uuid.UUID | None
    ) -> uuid.UUID:
        user_id = new_id()
        slack_id = f"{spec.slack_prefix}{n:07d}"
        users.append((user_id, slack_id, name, title, hired, manager, "America/New_York"))
        return user_id

    counter = iter(range(10_000_000))
    managers = [
        person(next(counter), f"Manager {i + 1}", "CS Manager", veteran_hired, None)
        for i in range(spec.managers)
    ]
    mentor_rows: list[list[Any]] = []
    for i in range(spec.mentors):
        user_id = person(
            next(counter),
            f"Mentor {i + 1}",
            "Senior CSM",
            veteran_hired,
            managers[i % len(managers)],
        )
        mentor_rows.append([new_id(), user_id, rng.randint(*spec.mentor_capacity), 0, 0])

    cadences = [c for c, _w in spec.cadence_mix]
    cadence_weights = [w for _c, w in spec.cadence_mix]
    window_start = spec.today - timedelta(days=90)
    hires: list[_Hire] = []
    assignments: list[tuple[Any, ...]] = []
    next_mentor = 0
    total = spec.hires + spec.missing_hire_dates
    for i in range(total):
        missing = i >= spec.hires
        hire_date = (
            None
            if missing
            else spec.today - timedelta(days=(i * spec.hire_span_days) // max(spec.hires, 1))
        )
        hire_id = person(
            next(counter),
            f"Hire {i + 1:06d}",
            "Associate CSM",
            hire_date,
            managers[i % len(managers)],
        )
        mentored = not missing and rng.random() < spec.mentored_share
        speed = (1 - spec.ramp_speedup) if mentored else 1.0
        final_days = max(
            1, round(spec.baseline_ramp_days * speed * (1 + rng.gauss(0, spec.ramp_spread)))
        )
        mentorship = None
        if mentored and hire_date is not None:
            start = hire_date + timedelta(days=rng.randint(0, 7))
            end = start + timedelta(weeks=spec.mentorship_weeks)
            status = (
                "pending"
                if start > spec.today
                else ("completed" if end <= spec.today else "active")
            )
            cadence = rng.choices(cadences, cadence_weights)[0]
            span = ((end if status == "completed" else spec.today) - start).days
            expected = max(span, 0) // CADENCE_DAYS[cadence] if status != "pending" else 0
            logged = sum(rng.random() < spec.session_completion for _ in range(expected))
            mentor = _pick_mentor(mentor_rows, next_mentor, needs_slot=status == "active")
            next_mentor = (mentor_rows.index(mentor) + 1) % len(mentor_rows)
            if status == "active":
                mentor[3] += 1
            if status in ("active", "completed"):
                mentor[4] += 1
            mentee_rating = mentor_rating = None
            if status == "completed":
                mentee_rating = _draw(rng, spec.mentee_ratings)
                mentor_rating = _draw(rng, spec.mentor_ratings)
                truth.mentee_ratings.append(mentee_rating)
                truth.mentor_ratings.append(mentor_rating)
            mentorship = _Mentorship(
                new_id(),
                mentor[0],
                hire_id,
                start,
                end if status == "completed" else None,
                cadence,
                status,
                expected,
                logged,
            )
            assignments.append(
                (
                    mentorship.id,
                    mentor[0],
                    hire_id,
                    start,
                    end,
                    mentorship.end,
                    cadence,
                    status,
                    None if status == "pending" else datetime.combine(start, time(9), UTC),
                    mentee_rating,
                    mentor_rating,
                )
            )
            truth.sessions_expected += expected
            truth.sessions_logged += logged
            truth.active_mentorships += status == "active"
            truth.mentored += status in ("active", "completed")
        truth.hires += not missing
        if hire_date is not None and hire_date >= window_start:
            truth.new_hires += 1
            truth.new_hires_covered += (
                mentorship is not None and mentorship.status in COVERED_STATUSES
            )
        hires.append(_Hire(hire_id, hire_date, final_days, mentorship))
    return GeneratedProgram(
        spec=spec,
        truth=truth,
        users=users,
        mentors=[tuple(row) for row in mentor_rows],
        assignments=assignments,
        hires=hires,
    )


def _pick_mentor(mentors: list[list[Any]], start: int, *, needs_slot: bool) -> list[Any]:
    """The next mentor round-robin; an active mentorship needs one with a free slot."""
    for offset in range(len(mentors)):
        mentor = mentors[(start + offset) % len(mentors)]
        if not needs_slot or mentor[3] < mentor[2]:
            return mentor
    raise ValueError("the spec has too little mentor capacity for its active mentorships")


def _draw(rng: random.Random, distribution: tuple[tuple[int, float], ...]) -> int:
    return rng.choices([v for v, _p in distribution], [p for _v, p in distribution])[0]


def mean_of(distribution: tuple[tuple[int, float], ...]) -> float:
    """The mean of a rating distribution of the spec."""
    return sum(v * p for v, p in distribution) / sum(p for _v, p in distribution)


def load(db: Session, generated: GeneratedProgram, batch: int = 2000) -> None:
    """Insert the whole program through SQLAlchemy, in batches (fine for tests;
    the benchmark uses COPY)."""
    tables = Base.metadata.tables
    existing_templates = set(db.scalars(sa.select(MilestoneTemplate.key)))
    for name, columns, rows in generated.tables():
        table = tables[name]
        if name == "milestone_templates":  # the program's own templates stay as they are
            rows = [row for row in rows if row[1] not in existing_templates]
        iterator = iter(rows)
        while chunk := list(islice(iterator, batch)):
            db.execute(sa.insert(table), [dict(zip(columns, row, strict=True)) for row in chunk])
    db.flush()
    # Bulk inserts, not ORM objects: recount what the app keeps as the app would.
    tallies.refresh_tallies(db)
    ramp_facts.refresh(db)
