"""What three request paths besides App Home cost this process, per request: a manager's
`/mentor match @hire` (the ranking and its blocks), the opt-in modal's form ("Edit
profile": the form and its modal) and a manager's figures (their report and its
blocks, as a manager's home makes them after a change). In-process, on the program
`bench.home_opens setup` makes; counts and CPU time, not the wall clock.

    .venv/bin/python -m bench.request_cpu URL [--requests N] [--path match|optin|manager]

Run it alternately from two checkouts to compare them on the same data and the same
machine load, each from its own directory (`cd` there: `python -m` imports the current
directory before PYTHONPATH, so PYTHONPATH alone measures this checkout twice)."""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import time
from collections.abc import Callable

import sqlalchemy as sa

from bench.home_opens import NOW

PATHS = ("match", "optin", "manager")
#: Different people in turn, so that nothing a person's first request leaves is reused.
PEOPLE = 50


def measure(url: str, requests: int, paths: list[str]) -> None:
    from bench.homes import pick_people
    from bot.blocks import analytics as analytics_blocks
    from bot.blocks import matching as matching_blocks
    from bot.blocks import mentors as mentor_blocks
    from bot.services import analytics, assignment_forms, mentor_optin
    from models import Assignment, Mentor, User
    from models.db import make_engine, make_session_factory, session_scope

    engine = make_engine(url, pool_size=1, max_overflow=0)
    factory = make_session_factory(engine)
    with factory() as db:
        manager_id = pick_people(db)["manager"]
        hires = db.execute(
            sa.select(User.slack_user_id, User.manager_id)
            .where(
                User.hire_date.is_not(None),
                User.manager_id.is_not(None),
                User.id.not_in(sa.select(Assignment.mentee_user_id)),
            )
            .order_by(User.hire_date.desc(), User.id)
            .limit(PEOPLE)
        ).all()
        mentors = list(db.scalars(sa.select(Mentor.user_id).order_by(Mentor.user_id).limit(PEOPLE)))
    next_hire, next_mentor = itertools.cycle(hires), itertools.cycle(mentors)

    def match() -> None:
        hire = next(next_hire)
        with session_scope(factory) as db:
            ranking = assignment_forms.suggestions_for(
                db, actor_id=hire.manager_id, mentee_slack_id=hire.slack_user_id, now=NOW
            )
        matching_blocks.suggestions(ranking)

    def optin() -> None:
        with session_scope(factory) as db:
            form = mentor_optin.start_optin(db, user_id=next(next_mentor), now=NOW)
        mentor_blocks.optin_modal(form, "America/New_York")

    def manager() -> None:
        with session_scope(factory) as db:
            report = analytics.manager_report(db, manager_id=manager_id, now=NOW)
        analytics_blocks.manager_report(report)

    runs: dict[str, Callable[[], None]] = {"match": match, "optin": optin, "manager": manager}
    statements: list[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    print(f"{'path':<8} {'statements':>10} {'CPU ms':>8} {'min CPU':>8}")
    for path in paths:
        for _ in range(3):  # warm: the statements built once, the driver's caches
            runs[path]()
        statements.clear()
        cpus = []
        for _ in range(requests):
            c0 = time.process_time()
            runs[path]()
            cpus.append(time.process_time() - c0)
        print(
            f"{path:<8} {len(statements) / requests:>10.1f}"
            f" {statistics.median(cpus) * 1000:>8.2f} {min(cpus) * 1000:>8.2f}"
        )
    print(f"load average: {os.getloadavg()[0]:.2f} (1 min)")
    engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--path", action="append", choices=PATHS, help="only this path")
    args = parser.parse_args(argv)
    measure(args.url, args.requests, args.path or list(PATHS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
