"""Benchmark: the full program analytics on PostgreSQL at 100,000 mentees and
1,000,000 sessions, against a naive Python-side computation in the same run.

    .venv/bin/python -m bench.analytics [--hires N] [--runs N] [--keep]

Makes its own throw-away database on the server of MENTORBOT_BENCH_POSTGRES_URL
(default postgresql+psycopg://postgres@127.0.0.1:5432/test), loads the generated
program with COPY, runs `analytics.program_report` several times (the goal: at
most 1 s) and `bench.naive.naive_report` once, checks they agree, and prints the
figures and the ratio. Nothing is asserted about time: the table is the result."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa

from bench.database import recount_derived_columns, throwaway_database, vacuum
from bench.homes import print_homes, time_homes
from bench.naive import differences, naive_report
from bot.services import analytics
from bot.services.analytics import summary
from bot.testing.program_generator import GeneratedProgram, ProgramSpec, generate
from models.db import make_engine, make_session_factory

SERVER_URL = os.environ.get(
    "MENTORBOT_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
NOW = datetime(2026, 11, 17, 15, 0, tzinfo=UTC)
GOAL_SECONDS = 1.0
#: Rendering every chart may add at most this to the report; the admin's App Home
#: with its cached chart must open within HOME_GOAL_SECONDS at the 95th percentile.
CHARTS_GOAL_SECONDS = 1.0
HOME_GOAL_SECONDS = 0.1
#: The size the goal is stated for.
GOAL_MENTEES = 100_000
GOAL_SESSIONS = 1_000_000


def bench_spec(hires: int) -> ProgramSpec:
    """Two thirds of hires mentored (100,000 mentees at 150,000 hires) over two
    years of 16-week mentorships: about 11 sessions each, over a million in all
    (14-week mentorships came to 950,748)."""
    return ProgramSpec(
        hires=hires,
        mentored_share=2 / 3,
        mentors=max(hires // 25, 10),
        managers=max(hires // 100, 2),
        today=NOW.date(),
        mentorship_weeks=16,
        seed=2026,
    )


def copy_load(engine: sa.Engine, program: GeneratedProgram) -> dict[str, int]:
    """Stream every table through COPY; returns rows per table."""
    counts: dict[str, int] = {}
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        # The generated program brings its own ramp templates in place of those the
        # migrations seed (the same keys).
        cursor.execute("DELETE FROM milestone_templates")
        for table, columns, rows in program.tables():
            n = 0
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in rows:
                    copy.write_row(row)
                    n += 1
            counts[table] = n
        raw.commit()
    finally:
        raw.close()
    recount_derived_columns(engine)
    vacuum(engine)
    return counts


def count_statements(engine: sa.Engine) -> list[str]:
    statements: list[str] = []

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    return statements


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hires", type=int, default=150_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="don't drop the database")
    args = parser.parse_args(argv)

    with throwaway_database(SERVER_URL, keep=args.keep) as url:
        engine = make_engine(url)
        try:
            return measure(engine, sa.engine.make_url(url).database or "", args)
        finally:
            engine.dispose()


def measure(engine: sa.Engine, name: str, args: argparse.Namespace) -> int:
    """Load the program, time the report and the naive computation, print the table."""
    started = time.perf_counter()
    program = generate(bench_spec(args.hires))
    counts = copy_load(engine, program)
    load_seconds = time.perf_counter() - started
    factory = make_session_factory(engine)
    statements = count_statements(engine)

    sql_times = []
    for _ in range(args.runs):
        with factory() as db:
            statements.clear()
            t0 = time.perf_counter()
            report = analytics.program_report(db, now=NOW, ranking_limit=None)
            sql_times.append(time.perf_counter() - t0)
            statement_count = len(statements)
    home_times = []
    for _ in range(args.runs):
        with factory() as db:
            t0 = time.perf_counter()
            headlines = analytics.program_headlines(db, now=NOW)
            home_times.append(time.perf_counter() - t0)
    with factory() as db:
        t0 = time.perf_counter()
        summary.refresh(db, now=NOW)
        db.commit()
        refresh_seconds = time.perf_counter() - t0
    chart_seconds, chart_cpu, home_p95 = time_charts_and_home(factory, report, args.runs)
    homes = time_homes(factory, engine, NOW)
    with factory() as db:
        t0 = time.perf_counter()
        naive = naive_report(db, now=NOW)
        naive_seconds = time.perf_counter() - t0

    mismatches = differences(analytics.as_json(report), analytics.as_json(naive))
    agree = not mismatches and headlines == report.headlines
    sql_median = statistics.median(sql_times)
    mentees = counts["mentorship_assignments"]
    print(f"\nMentorBot analytics benchmark (PostgreSQL, database {name})")
    print(f"  loaded with COPY in {load_seconds:.1f} s (generation included):")
    for table, n in counts.items():
        print(f"    {table:<24} {n:>10,}")
    print(f"  mentees (mentorships): {mentees:,}; hires: {report.ramp.hires:,}")
    sessions = counts["mentorship_sessions"]
    full_size = mentees >= GOAL_MENTEES and sessions >= GOAL_SESSIONS
    print(
        f"  at least {GOAL_MENTEES:,} mentees and {GOAL_SESSIONS:,} sessions: "
        f"{'yes' if full_size else 'NO'}"
    )
    load1, load5, _load15 = os.getloadavg()
    print(f"  load average while measuring: {load1:.2f} (1 min), {load5:.2f} (5 min)")
    print()
    print(f"  {'computation':<34} {'seconds':>9}")
    print(f"  {'SQL aggregates, median of ' + str(args.runs):<34} {sql_median:>9.3f}")
    print(f"  {'SQL aggregates, best':<34} {min(sql_times):>9.3f}")
    print(f"  {'admin home headlines, median':<34} {statistics.median(home_times):>9.3f}")
    print(f"  {'naive Python over every row':<34} {naive_seconds:>9.3f}")
    print(f"  {'ratio naive / SQL':<34} {naive_seconds / sql_median:>8.1f}x")
    print(f"  {'all 5 charts drawn as PNG, median':<34} {chart_seconds:>9.3f}")
    print(f"  {'  of which CPU time (this process)':<34} {chart_cpu:>9.3f}")
    print(f"  {'report + charts':<34} {sql_median + chart_seconds:>9.3f}")
    print(f"  {'admin home, cached chart, p95':<34} {home_p95:>9.3f}")
    print(f"  statements per report: {statement_count}")
    verdict = "met" if sql_median <= GOAL_SECONDS else "NOT met"
    print(f"  goal: full analytics <= {GOAL_SECONDS:.0f} s: {verdict}")
    charts_verdict = "met" if chart_seconds <= CHARTS_GOAL_SECONDS else "NOT met"
    print(f"  goal: charts <= {CHARTS_GOAL_SECONDS:.0f} s beyond the report: {charts_verdict}")
    home_verdict = "met" if home_p95 <= HOME_GOAL_SECONDS else "NOT met"
    print(f"  goal: App Home with cached chart <= 100 ms p95: {home_verdict}")
    print(f"  {'summary refresh (the sweep, when data changed)':<34} {refresh_seconds:>9.3f}")
    print_homes(homes, mentees)
    print(f"  load average after the homes: {os.getloadavg()[0]:.2f} (1 min)")
    print(f"  SQL, home headlines and naive figures agree: {'yes' if agree else 'NO'}")
    for mismatch in mismatches[:10]:
        print(f"    {mismatch}")
    print()
    for metric in report.metrics:
        value = "—" if metric.value is None else f"{metric.value:.3f}"
        print(f"  {metric.name:<26} {value:>7}  (target {metric.target:g}; {metric.sample})")
    return 0 if agree else 1


def time_charts_and_home(factory: Any, report: Any, runs: int) -> tuple[float, float, float]:
    """Median seconds (wall clock, and CPU time: on a shared machine the wall clock
    also counts other processes' turns) to draw every program chart as PNG from the
    report, and the 95th percentile of admin App Home opens once its chart is cached (the first open
    draws and uploads it to a local fake Slack and is not counted)."""
    from slack_sdk import WebClient

    from bot.charts import program_charts
    from bot.listeners.analytics import program_home
    from bot.listeners.home import home_client
    from bot.services import access
    from bot.testing.fake_slack import FakeSlack

    chart_times, chart_cpu = [], []
    for _ in range(runs):
        t0, cpu0 = time.perf_counter(), time.process_time()
        for chart in program_charts(report):
            chart.render("png")
        chart_times.append(time.perf_counter() - t0)
        chart_cpu.append(time.process_time() - cpu0)

    fake = FakeSlack().start()
    fake.add_user("UBENCHADMIN", "Bench Admin")
    token = home_client.set(WebClient(token="xoxb-bench", base_url=fake.url))
    admin = SimpleNamespace(slack_user_id="UBENCHADMIN", timezone=None)
    home_times = []
    try:
        for attempt in range(20 * runs + 1):
            with factory() as db:
                t0 = time.perf_counter()
                blocks = program_home(db, admin, {access.ADMIN}, NOW)
                seconds = time.perf_counter() - t0
            if attempt:
                home_times.append(seconds)
        assert any(b["type"] == "image" for b in blocks), "the home has no ramp chart"
    finally:
        home_client.reset(token)
        fake.stop()
    return (
        statistics.median(chart_times),
        statistics.median(chart_cpu),
        statistics.quantiles(home_times, n=20)[-1],
    )


if __name__ == "__main__":
    sys.exit(main())
