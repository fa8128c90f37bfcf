"""Each role's App Home timed on the analytics benchmark's program: what one person
waits for when they open MentorBot's Home tab (the whole view, every section), at
the 95th percentile of repeated opens, with the statements it ran.

Used by bench/analytics.py, which prints these figures beside the report's: the goal
is every role's home within HOME_ROLE_GOAL_SECONDS at the 95th percentile, the same
at 10,000 mentees as at 100,000 and 300,000 (the home reads only what it shows; the
program-wide figures come from the analytics summary the sweep keeps)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

#: Every role's whole App Home, 95th percentile.
HOME_ROLE_GOAL_SECONDS = 0.05

ROLES = ("admin", "manager", "mentor", "mentee")


@dataclass(frozen=True)
class HomeTiming:
    role: str
    p95: float
    median: float
    statements: int
    #: Seconds spent in the database (statement execution), median over the opens.
    database: float
    #: The baseline in the same run: what this role's program-wide figures cost when
    #: the home computed them on every open (before the stored summary), p95.
    computed_p95: float | None = None
    #: The first open after a change, median: a manager's and a mentor's figures are
    #: kept while the data's version stays the same (FIGURE_HOMES), and made again then.
    cold_median: float = 0.0
    cold_statements: int = 0


def pick_people(db: Session) -> dict[str, Any]:
    """One person per role, the busiest of each where that makes a difference: the
    manager with the most reports, the mentor with the most mentorships, a mentee in
    an active mentorship, and as admin a hire without a mentor (made admin here), so
    that the admin's home is the admin's sections and little else."""
    from models import Assignment, Mentor, User

    manager_id = db.scalar(
        sa.select(User.manager_id)
        .where(User.manager_id.is_not(None))
        .group_by(User.manager_id)
        .order_by(sa.func.count().desc())
        .limit(1)
    )
    mentor_user_id = db.scalar(
        sa.select(Mentor.user_id)
        .join(Assignment, Assignment.mentor_id == Mentor.id)
        .group_by(Mentor.user_id)
        .order_by(sa.func.count().desc())
        .limit(1)
    )
    mentee_id = db.scalar(
        sa.select(Assignment.mentee_user_id).where(Assignment.status == "active").limit(1)
    )
    mentored = sa.select(Assignment.mentee_user_id)
    admin = db.scalar(
        sa.select(User)
        .where(User.hire_date.is_not(None), User.id.not_in(mentored))
        .order_by(User.hire_date.desc())
        .limit(1)
    )
    assert admin is not None, "the program has no hire without a mentor to make admin"
    admin.is_admin = True
    db.commit()
    return {
        "admin": admin.id,
        "manager": manager_id,
        "mentor": mentor_user_id,
        "mentee": mentee_id,
    }


def time_homes(
    factory: Callable[[], Session],
    engine: sa.Engine,
    now: datetime,
    *,
    opens: int = 20,
) -> list[HomeTiming]:
    """Open each role's whole home `opens` times after a first open (which draws and
    uploads the admin's chart to a local fake Slack, and warms the caches) and answer
    the timings. The analytics summary must have been refreshed before."""
    from slack_sdk import WebClient

    import bot.app  # noqa: F401  (the listener modules register every home section)
    from bot.listeners.actor import Actor
    from bot.listeners.analytics import FIGURE_HOMES
    from bot.listeners.home import build_home, home_client
    from bot.services import access
    from bot.testing.fake_slack import FakeSlack

    with factory() as db:
        people = pick_people(db)
        actors = {role: Actor.of(access.load_user(db, uid)) for role, uid in people.items()}
    fake = FakeSlack().start()
    for actor in actors.values():
        fake.add_user(actor.slack_user_id, actor.name)
    statements: list[float] = []

    def started(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        conn.info["bench_started"] = time.perf_counter()

    def finished(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(time.perf_counter() - conn.info.pop("bench_started"))

    sa.event.listen(engine, "before_cursor_execute", started)
    sa.event.listen(engine, "after_cursor_execute", finished)
    token = home_client.set(WebClient(token="xoxb-bench", base_url=fake.url))
    timings = []
    try:
        for role in ROLES:
            seconds, in_database = [], []
            for attempt in range(opens + 1):
                with factory() as db:
                    statements.clear()
                    t0 = time.perf_counter()
                    build_home(db, actors[role], now)
                    elapsed = time.perf_counter() - t0
                    db.rollback()
                if attempt:
                    seconds.append(elapsed)
                    in_database.append(sum(statements))
            warm_statements = len(statements)
            cold = []
            for _ in range(max(opens // 4, 5)):
                FIGURE_HOMES.clear()
                with factory() as db:
                    statements.clear()
                    t0 = time.perf_counter()
                    build_home(db, actors[role], now)
                    cold.append(time.perf_counter() - t0)
                    db.rollback()
            cold_statements = len(statements)
            timings.append(
                HomeTiming(
                    role,
                    statistics.quantiles(seconds, n=20)[-1],
                    statistics.median(seconds),
                    warm_statements,
                    statistics.median(in_database),
                    computed_p95(factory, role, people[role], now, max(opens // 4, 5)),
                    statistics.median(cold),
                    cold_statements,
                )
            )
    finally:
        home_client.reset(token)
        sa.event.remove(engine, "before_cursor_execute", started)
        sa.event.remove(engine, "after_cursor_execute", finished)
        fake.stop()
    return timings


def computed_p95(
    factory: Callable[[], Session], role: str, user_id: Any, now: datetime, runs: int
) -> float | None:
    """The program-wide figures this role's home used to compute on each open: the
    admin's headlines and ramp, a mentor's place among every mentor."""
    from bot.services import analytics

    work: dict[str, Callable[[Session], object]] = {
        "admin": lambda db: (
            analytics.program_headlines(db, now=now),
            analytics.program_ramp(db, now=now),
        ),
        "mentor": lambda db: analytics.mentor_report(db, user_id=user_id, now=now),
    }
    if role not in work:
        return None
    seconds = []
    for _ in range(runs):
        with factory() as db:
            t0 = time.perf_counter()
            work[role](db)
            seconds.append(time.perf_counter() - t0)
    return statistics.quantiles(seconds, n=20)[-1]


def print_homes(timings: list[HomeTiming], mentees: int) -> None:
    """The per-role table and the goal's verdict ("database s": the median time the
    opens spent in their statements, what must stay flat as the program grows)."""
    print(f"\n  App Home per role at {mentees:,} mentees (whole view, {len(ROLES)} roles)")
    print(
        f"  {'role':<10} {'p95 s':>8} {'median s':>9} {'database s':>11} {'statements':>11}"
        f" {'after a change: median s, statements':>37}"
        f" {'computed on open, p95 s (before)':>33}"
    )
    for t in timings:
        before = "—" if t.computed_p95 is None else f"{t.computed_p95:.3f}"
        print(
            f"  {t.role:<10} {t.p95:>8.3f} {t.median:>9.3f} {t.database:>11.3f}"
            f" {t.statements:>11} {t.cold_median:>27.3f} {t.cold_statements:>9}"
            f" {before:>33}"
        )
    worst = max(t.p95 for t in timings)
    verdict = "met" if worst <= HOME_ROLE_GOAL_SECONDS else "NOT met"
    print(f"  goal: every role's home <= {HOME_ROLE_GOAL_SECONDS * 1000:.0f} ms p95: {verdict}")
