"""Analytics (PRD FR-5): a program lead, a manager and a mentor each see what they
may see, the figures are right on a program with known effects, and an empty or
odd program says "not enough data yet" instead of failing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from bot.cli import main
from bot.scheduler import refresh_summary
from bot.services import analytics, program
from bot.testing.program_generator import ProgramSpec, generate, load, mean_of
from models import MilestoneTemplate, RampMilestone
from tests.factories import make_assignment, make_mentor, make_session

NOW = datetime(2026, 11, 17, 15, 0, tzinfo=UTC)
SPEC = ProgramSpec(today=NOW.date())


@pytest.fixture
def generated(db):  # type: ignore[no-untyped-def]
    """The default program: 300 hires, 60 % mentored, mentored hires fully ramped
    20 % sooner, 92 % session completion, mentee ratings averaging 4.4."""
    program_ = generate(SPEC)
    load(db, program_)
    db.commit()
    return program_


# -- the known effects, within stated tolerances ---------------------------------------------
def test_mentored_hires_are_reported_fully_ramped_20_percent_sooner(db, generated) -> None:  # type: ignore[no-untyped-def]
    report = analytics.program_report(db, now=NOW)
    fully = report.ramp.fully_ramped
    assert fully is not None and fully.milestone_key == "fully-ramped"
    # Built in: medians 120 d vs 96 d with an 8 % spread per hire.
    assert report.ramp.reduction == pytest.approx(0.20, abs=0.03)
    assert fully.not_mentored.median_days == pytest.approx(120, abs=6)
    assert fully.mentored.median_days == pytest.approx(96, abs=5)
    assert fully.mentored.mean_days == pytest.approx(96, abs=5)
    # Every hire is counted; those not ramped yet are "not yet", not dropped.
    assert report.ramp.hires == generated.truth.hires == 300
    assert fully.mentored.hires == generated.truth.mentored
    assert fully.mentored.hires + fully.not_mentored.hires == 300
    assert fully.mentored.not_yet > 0 and fully.not_mentored.not_yet > 0
    # Each earlier milestone shows the same effect, and the cohorts add up.
    for row in report.ramp.milestones:
        assert row.difference_pct == pytest.approx(-20, abs=4), row.milestone_key
    final_cohorts = [r for r in report.ramp.by_cohort if r.is_final]
    assert len(final_cohorts) >= 8  # two years of quarters
    assert sum(r.mentored.hires + r.not_mentored.hires for r in final_cohorts) == 300
    assert all(r.cohort[:4].isdigit() and " Q" in r.cohort for r in final_cohorts)


def test_session_completion_satisfaction_and_coverage_match_the_program(db, generated) -> None:  # type: ignore[no-untyped-def]
    truth = generated.truth
    report = analytics.program_report(db, now=NOW)
    sessions = report.sessions
    assert sessions.completion_rate == pytest.approx(0.92, abs=0.02)
    assert (sessions.completed, sessions.expected) == (
        truth.sessions_logged,
        truth.sessions_expected,
    )
    assert sessions.attendance_rate == pytest.approx(SPEC.group_attendance, abs=0.05)
    assert sessions.group_sessions > 0
    # Weekly 60 %, biweekly 30 %, monthly 10 % at 92 %: about 3 sessions a month.
    assert sessions.per_mentorship_month == pytest.approx(3.0, abs=0.4)

    satisfaction = report.satisfaction
    assert satisfaction.mentee_average == pytest.approx(mean_of(SPEC.mentee_ratings), abs=0.1)
    assert satisfaction.mentee_average == pytest.approx(
        sum(truth.mentee_ratings) / len(truth.mentee_ratings)
    )
    assert satisfaction.mentee_ratings == len(truth.mentee_ratings)
    assert satisfaction.mentor_average == pytest.approx(mean_of(SPEC.mentor_ratings), abs=0.12)

    coverage = report.coverage
    assert (coverage.covered, coverage.new_hires) == (truth.new_hires_covered, truth.new_hires)
    assert len(coverage.without_mentor) == min(truth.new_hires - truth.new_hires_covered, 25)

    workload = report.workload
    assert workload.mentors == SPEC.mentors
    assert workload.active_mentees == truth.active_mentorships
    assert workload.idle + sum(1 for m in workload.busiest if m.active) <= SPEC.mentors

    by_key = {m.key: m for m in report.metrics}
    assert by_key["session_completion"].met is True
    assert by_key["mentee_satisfaction"].met is False  # 4.4 against the PRD's 4.5
    assert by_key["ramp_reduction"].value == pytest.approx(0.20, abs=0.03)


def test_the_sql_figures_equal_a_plain_python_computation(db, generated) -> None:  # type: ignore[no-untyped-def]
    """The benchmark's naive computation reads every row into Python; on the same
    program it must find exactly what the SQL aggregates report."""
    from bench.naive import differences, naive_report

    sql = analytics.as_json(analytics.program_report(db, now=NOW, ranking_limit=None))
    plain = analytics.as_json(naive_report(db, now=NOW))
    assert differences(sql, plain) == []
    scores = [m["score"] for m in sql["effectiveness"]["mentors"]]
    assert scores == sorted(scores, reverse=True)
    assert [m["rank"] for m in sql["effectiveness"]["mentors"]][:1] == [1]
    assert differences(sql, {**plain, "as_of": "1999-01-01"}) == [
        "report.as_of: '2026-11-17' vs '1999-01-01'"
    ]


# -- what people see ---------------------------------------------------------------------------
def test_program_lead_sees_every_metric_against_its_target(slack, world, db, generated) -> None:  # type: ignore[no-untyped-def]
    reply = slack.mentor(world.admin, "analytics")
    text = reply.all_text
    for name in (
        "Mentorship coverage",
        "Ramp time reduction",
        "Session completion rate",
        "Mentee satisfaction",
        "Mentor satisfaction",
    ):
        assert name in text
    assert "target 100%" in text and "target 90%" in text and "target 4.50/5" in text
    assert "Fully ramped" in text and "by hire cohort" in text
    assert "Mentor workload" in text and "Over 80 %" in text
    assert "Mentor effectiveness ranking" in text and "pseudo-mentorships" in text
    # The people without a mentor are named: the cast's two new hires among them.
    assert "Newt Newhire" in text and "Nova Fresh" in text
    report = analytics.program_report(db, now=NOW)
    assert f"{report.sessions.completion_rate * 100:.0f}%" in text
    assert len(reply.blocks) <= 50
    assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in reply.blocks)


def test_manager_sees_only_their_reports_and_no_ranking(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    vera = make_mentor(db, world.veteran)
    make_assignment(db, vera, world.new_hire, start=date(2026, 11, 2), assigned_by=world.manager)
    stranger = generate(ProgramSpec(today=NOW.date(), hires=20, mentors=3, managers=2))
    load(db, stranger)
    db.commit()

    text = slack.mentor(world.manager, "analytics").all_text
    assert "YOUR REPORTS' MENTORSHIPS" in text
    assert "Newt Newhire" in text and "mentor *Vera Veteran*, active" in text
    assert "Nova Fresh" in text and "no mentor yet" in text
    assert "1 of 2 new hires on your team" in text
    # Nothing from other teams, no ranking, no program-wide figures.
    assert "Hire 0000" not in text and "Mentor 1" not in text
    assert "effectiveness ranking" not in text and "PROGRAM ANALYTICS" not in text


def test_mentor_sees_only_their_own_figures(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    vera = make_mentor(db, world.veteran)
    omar = make_mentor(db, world.londoner)
    mine = make_assignment(db, vera, world.new_hire, start=date(2026, 10, 6))
    for week in range(4):
        make_session(db, mine, when=datetime(2026, 10, 12, 15, tzinfo=UTC) + timedelta(weeks=week))
    make_assignment(db, omar, world.tokyo_hire, start=date(2026, 10, 6))
    db.commit()

    text = slack.mentor(world.veteran, "analytics").all_text
    assert "YOUR MENTORING" in text
    assert "1 of 2" in text  # active mentees of capacity
    assert "of 2 (from 1 mentorships)" in text  # rank among the two mentors
    assert "Omar" not in text and "Nova" not in text
    assert "Only you see your own figures" in text


def test_admin_home_shows_the_report_headlines_without_computing_anything(
    slack, world, db, generated, served
) -> None:  # type: ignore[no-untyped-def]
    """App Home is rebuilt on every open, so the admin's section reads the headlines the
    sweep stored; they are exactly those at the top of `/mentor analytics`."""
    full = analytics.program_report(db, now=NOW)
    cheap = analytics.program_headlines(db, now=NOW)
    assert cheap == full.headlines
    assert cheap.hires == 300 and cheap.sessions_logged == generated.truth.sessions_logged
    assert [m.value for m in cheap.metrics] == [m.value for m in full.metrics]

    refresh_summary(served.runtime)
    home = json.dumps(slack.open_home(world.admin))
    assert "Program analytics" in home and "Ramp time reduction" in home
    assert f"{cheap.sessions_logged} sessions logged" in home

    # What the admin's section runs when it is made (not read from its cache): no
    # aggregate over the program at all, only the stored summary.
    from bot.listeners.analytics import PROGRAM_HOMES, program_home
    from bot.services import access

    PROGRAM_HOMES.clear()
    statements: list[str] = []

    def record(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    admin = access.load_user(db, world.admin.user_id)
    sa.event.listen(db.get_bind(), "before_cursor_execute", record)
    try:
        blocks = program_home(db, admin, {access.ADMIN}, NOW)
    finally:
        sa.event.remove(db.get_bind(), "before_cursor_execute", record)
    assert blocks and statements
    assert not any("count(" in s.lower() or "rank()" in s for s in statements), statements


def test_ramp_counts_each_hire_once_per_milestone(db, world) -> None:  # type: ignore[no-untyped-def]
    """A hire with the same template milestone twice is counted once, from the first
    achieved date, as the definition (and the plain computation) says."""
    from bench.naive import differences, naive_report

    load(db, generate(ProgramSpec(today=NOW.date(), hires=60, mentors=4, managers=2)))
    hire = db.scalars(
        select(RampMilestone).where(
            RampMilestone.template_key == "fully-ramped", RampMilestone.achieved_date.is_not(None)
        )
    ).first()
    assert hire is not None and hire.achieved_date is not None
    db.add(
        RampMilestone(
            mentee_user_id=hire.mentee_user_id,
            milestone_name=hire.milestone_name,
            template_key="fully-ramped",
            achieved_date=hire.achieved_date + timedelta(days=30),
        )
    )
    db.commit()
    report = analytics.program_report(db, now=NOW, ranking_limit=None)
    fully = report.ramp.fully_ramped
    assert fully is not None
    assert fully.mentored.reached <= fully.mentored.hires
    assert fully.not_mentored.reached <= fully.not_mentored.hires
    plain = naive_report(db, now=NOW)
    assert differences(analytics.as_json(report), analytics.as_json(plain)) == []


def test_home_tab_shows_each_role_its_section(slack, world, db, generated, served) -> None:  # type: ignore[no-untyped-def]
    vera = make_mentor(db, world.veteran)
    make_assignment(db, vera, world.new_hire, start=date(2026, 11, 2))
    db.commit()
    refresh_summary(served.runtime)
    admin_home = json.dumps(slack.open_home(world.admin))
    assert "Program analytics" in admin_home and "Ramp time reduction" in admin_home
    manager_home = json.dumps(slack.open_home(world.manager))
    assert "Your reports' mentorships" in manager_home and "Program analytics" not in manager_home
    mentor_home = json.dumps(slack.open_home(world.veteran))
    assert "Your mentoring" in mentor_home and "Program analytics" not in mentor_home


def test_group_sessions_of_cancelled_mentorships_are_not_counted(db, world) -> None:  # type: ignore[no-untyped-def]
    """A group session counts while one of its seats belongs to a mentorship that ran
    (active or completed); a seat of a mentorship cancelled afterwards does not."""
    from bench.naive import differences, naive_report

    mentor = make_mentor(db, world.veteran, max_mentees=5)
    start = date(2026, 9, 7)
    with_two, with_one, cancelled = (
        make_assignment(db, mentor, mentee, start=start)
        for mentee in (world.new_hire, world.tokyo_hire, world.junior)
    )
    shared, lone = uuid.uuid4(), uuid.uuid4()
    when = datetime(2026, 10, 6, 15, 0, tzinfo=UTC)
    for mentorship in (with_two, cancelled):
        make_session(db, mentorship, when=when, group_session_id=shared)
    make_session(db, with_one, when=when, group_session_id=shared, attended=False)
    make_session(db, cancelled, when=when + timedelta(days=7), group_session_id=lone)
    cancelled.status = "cancelled"
    db.commit()

    sessions = analytics.program_report(db, now=NOW).sessions
    assert sessions.group_sessions == 1  # the lone one had only the cancelled seat
    assert (sessions.group_seats, sessions.group_attended) == (2, 1)
    plain = naive_report(db, now=NOW)
    assert differences(analytics.as_json(sessions), analytics.as_json(plain.sessions)) == []


def test_a_hire_counts_as_mentored_once_their_mentor_accepts(slack, world, db, clock) -> None:  # type: ignore[no-untyped-def]
    """The ramp comparison follows the mentorship: asked is not mentored yet,
    accepted is, from the moment Vera clicks Accept."""
    from bot.services import milestone_instances
    from tests.flows import assign

    milestone_instances.ensure_for(db, world.new_hire.user_id, clock[0])
    make_mentor(db, world.veteran, max_mentees=3)
    db.commit()

    def mentored_hires() -> int:
        db.expire_all()
        ramp = analytics.program_report(db, now=clock[0]).ramp
        return next(row.mentored.hires for row in ramp.milestones if row.is_final)

    assert assign(slack, world.manager, world.veteran, world.new_hire).ok
    assert mentored_hires() == 0  # a request waiting for an answer
    slack.click(world.veteran, "Accept", message=slack.last_dm(world.veteran))
    assert mentored_hires() == 1


def test_a_corrected_hire_date_moves_the_hire_in_the_ramp(  # type: ignore[no-untyped-def]
    slack, world, db, clock, tmp_path, monkeypatch, database_url, capsys
) -> None:
    """A program lead fixes Newt's hire date by importing the roster again: the ramp
    counts Newt in the right quarter, with the days from the right date."""
    from bot.services import milestone_instances

    milestone_instances.ensure_for(db, world.new_hire.user_id, clock[0])
    final = db.scalar(
        select(RampMilestone).where(
            RampMilestone.mentee_user_id == world.new_hire.user_id,
            RampMilestone.template_key == "fully-ramped",
        )
    )
    assert final is not None
    final.achieved_date = date(2026, 11, 2)
    db.commit()

    def newt_days() -> dict[str, float | None]:
        db.expire_all()
        ramp = analytics.program_report(db, now=clock[0]).ramp
        return {
            row.cohort: row.not_mentored.median_days
            for row in ramp.by_cohort
            if row.is_final and row.not_mentored.reached
        }

    before = newt_days()
    roster = tmp_path / "roster.csv"
    roster.write_text(f"slack_user_id,hire_date\n{world.new_hire.id},2026-06-30\n")
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["users", "import", str(roster), "--now", clock[0].isoformat()]) == 0
    assert newt_days() == {"2026 Q2": 125.0}  # 30 June to 2 November
    assert "2026 Q2" not in before


# -- the ranking is fair to small samples --------------------------------------------------------
def test_one_glowing_mentorship_does_not_top_a_long_good_record(db, world) -> None:  # type: ignore[no-untyped-def]
    newcomer = make_mentor(db, world.londoner, max_mentees=20)
    stalwart = make_mentor(db, world.veteran, max_mentees=20)
    make_assignment(
        db,
        newcomer,
        world.new_hire,
        status="completed",
        start=date(2026, 1, 5),
        actual_end_date=date(2026, 1, 5),
        mentee_rating=5,
    )
    for i in range(8):
        make_assignment(
            db,
            stalwart,
            world.tokyo_hire,
            status="completed",
            start=date(2025, 1, 6 + i),
            actual_end_date=date(2025, 1, 6 + i),
            mentee_rating=5 if i % 4 else 4,
        )
    for i in range(8):
        make_assignment(
            db,
            make_mentor(db, _extra(db, world, i), max_mentees=20),
            world.junior,
            status="completed",
            start=date(2025, 3, 3),
            actual_end_date=date(2025, 3, 3),
            mentee_rating=3,
        )
    db.commit()

    ranking = analytics.program_report(db, now=NOW, ranking_limit=None).effectiveness
    by_name = {m.name: m for m in ranking.mentors}
    assert by_name["Vera Veteran"].rank < by_name["Omar Okafor"].rank
    assert by_name["Omar Okafor"].mentorships == 1 and by_name["Vera Veteran"].mentorships == 8
    assert by_name["Omar Okafor"].average_rating == 5.0

    # Without the prior, the single 5-star mentorship would win: the prior is what's fair.
    program.update(db, changes={"effectiveness_prior_mentorships": 0}, actor_id=None, now=NOW)
    raw = analytics.program_report(db, now=NOW, ranking_limit=None).effectiveness
    assert {m.name: m for m in raw.mentors}["Omar Okafor"].rank == 1


def _extra(db, world, i: int):  # type: ignore[no-untyped-def]
    from bot.services import first_contact
    from bot.testing.people import Person

    person = Person(f"UEXTRA{i}", f"Extra Mentor {i}", "CSM", "UTC", 900)
    user = first_contact.ensure_user(db, slack_user_id=person.id, team_id="", admin_ids=[], now=NOW)
    user.name = person.name
    db.flush()
    person.user_id = user.id
    return person


# -- not enough data, never a traceback ---------------------------------------------------------
def test_empty_program_says_not_enough_data_yet(slack) -> None:  # type: ignore[no-untyped-def]
    text = slack.mentor("UADMIN", "analytics").all_text
    assert text.count("not enough data yet") >= 5  # every success metric
    assert "Not enough data yet: nobody has opted in as a mentor" in text
    assert "Not enough data yet: no hires with ramp milestones yet" in text
    assert "Not enough data yet: no mentorship has started" in text
    assert "went wrong" not in text


def test_single_mentor_and_too_few_hires_give_no_difference(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    vera = make_mentor(db, world.veteran)
    mentorship = make_assignment(
        db,
        vera,
        world.junior,
        status="completed",
        start=date(2026, 8, 10),
        actual_end_date=date(2026, 11, 2),
        mentee_rating=5,
        mentor_rating=4,
    )
    make_session(db, mentorship, when=datetime(2026, 8, 20, 15, tzinfo=UTC))
    db.add(
        MilestoneTemplate(
            key="fully-ramped", name="Fully ramped", days_from_hire=120, is_final=True
        )
    )
    db.add(
        RampMilestone(
            mentee_user_id=world.junior.user_id,
            milestone_name="Fully ramped",
            template_key="fully-ramped",
            achieved_date=date(2026, 10, 30),
        )
    )
    db.commit()

    text = slack.mentor(world.admin, "analytics").all_text
    assert "#" in text and "Vera Veteran" in text  # the one mentor is ranked
    assert "n/a" in text  # one mentored hire, none without: no difference
    assert "Ramp time reduction*\n:hourglass: not enough data yet" in text
    report = analytics.program_report(db, now=NOW)
    assert report.effectiveness.ranked == 1
    assert report.effectiveness.baseline_days is None
    assert 0 <= report.effectiveness.mentors[0].score <= 100


def test_missing_hire_dates_are_reported_not_counted(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    load(db, generate(ProgramSpec(today=NOW.date(), hires=40, missing_hire_dates=3)))
    db.commit()
    report = analytics.program_report(db, now=NOW)
    assert report.ramp.missing_hire_date == 3 and report.ramp.hires == 40
    text = slack.mentor(world.admin, "analytics").all_text
    assert "3 hire(s) have no hire date in the roster" in text


def test_manager_without_reports_and_people_without_a_role(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    empty = analytics.manager_report(db, manager_id=world.new_hire.user_id, now=NOW)
    assert empty.reports == 0 and empty.coverage.rate is None and empty.statuses == []
    assert empty.sessions.completion_rate is None and empty.satisfaction.mentee_average is None

    reply = slack.mentor(world.veteran, "analytics")
    assert "Not enough data yet for you" in reply.all_text
    assert "admins" in reply.all_text and "managers" in reply.all_text


# -- the command line --------------------------------------------------------------------------
def test_cli_prints_the_report_and_one_json_object(
    db, generated, database_url, monkeypatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["analytics", "--json", "--now", NOW.isoformat()]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {
        "ramp",
        "workload",
        "sessions",
        "satisfaction",
        "effectiveness",
        "coverage",
        "metrics",
    }
    assert data["ramp"]["hires"] == 300
    assert len(data["effectiveness"]["mentors"]) == SPEC.mentors  # every mentor, not a top 10

    assert main(["analytics", "--now", NOW.isoformat()]) == 0
    out = capsys.readouterr().out
    assert "PROGRAM ANALYTICS" in out and "Ramp time reduction" in out and "Fully ramped" in out


def test_cli_report_is_not_buried_in_migration_log_lines(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A program lead running `mentorbot analytics` in a terminal sees the report and
    nothing else but which database it read: the schema check before it says nothing
    unless something is wrong."""
    url = f"sqlite:///{tmp_path / 'program.db'}"
    env = {**os.environ, "DATABASE_URL": url}
    upgrade = subprocess.run(
        [sys.executable, "-m", "bot", "db", "upgrade"], env=env, capture_output=True, text=True
    )
    assert upgrade.returncode == 0, upgrade.stderr
    assert "Running upgrade" in upgrade.stderr  # `db upgrade` still says what it did
    assert "setup plugin" not in upgrade.stderr

    report = subprocess.run(
        [sys.executable, "-m", "bot", "analytics"], env=env, capture_output=True, text=True
    )
    assert report.returncode == 0, report.stderr
    assert "PROGRAM ANALYTICS" in report.stdout
    assert report.stderr == f"database: {url}\n"


def test_a_managers_home_figures_follow_their_team_the_day_and_the_settings(  # type: ignore[no-untyped-def]
    slack, world, db, clock
) -> None:
    """A manager's figures come from statements built once and run with each open's
    values: their own team, today and the program's new-hire window, never those of
    an earlier open or another manager."""
    from bot.blocks.plaintext import render_blocks
    from models import User

    vera = make_mentor(db, world.veteran)
    make_assignment(db, vera, world.new_hire, start=date(2026, 11, 2), assigned_by=world.manager)
    db.get(User, world.tokyo_hire.user_id).manager_id = world.veteran.user_id  # Nova: Vera's
    db.commit()

    def team(who) -> str:  # type: ignore[no-untyped-def]
        home = render_blocks(slack.open_home(who)["blocks"])
        return home.split("YOUR REPORTS' MENTORSHIPS", 1)[1]

    mine = team(world.manager)
    assert "6 people report to you" in mine and "1 of 2 new hires on your team" in mine
    theirs = team(world.veteran)  # the same statements, Vera's one report
    assert "1 people report to you" in theirs and "0 of 1 new hires on your team" in theirs
    assert "Nova Fresh" in theirs and "Newt Newhire" not in theirs

    clock[0] += timedelta(hours=1)  # a change later than the last (the kept figures' key)
    program.update(db, changes={"new_hire_window_days": 4}, actor_id=None, now=clock[0])
    db.commit()
    mine = team(world.manager)  # Newt, hired 5 days ago, is no longer a new hire
    assert "0 of 1 new hires on your team (hired in the last 4 days)" in mine

    clock[0] += timedelta(days=2)  # nor Nova, 5 days on
    assert "no new hires on your team hired in the last 4 days" in team(world.manager)
