"""App Home in constant time, from the people's side: the program-wide figures on a
home are the stored summary's, the same as the analytics report's once the sweep
refreshed it, with their age shown; a burst of opens publishes once or twice; and
rendering a home reads the settings once and writes nothing."""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from bot.blocks.analytics.formatting import pct
from bot.scheduler import refresh_summary
from bot.services import analytics, audit, roster
from bot.testing.program_generator import ProgramSpec, generate, load
from models import Mentor, User
from tests.factories import make_assignment, make_mentor, make_session

NOW = datetime(2026, 11, 17, 15, 0, tzinfo=UTC)


def _as_of(person, when: datetime) -> str:  # type: ignore[no-untyped-def]
    return f"Program figures as of {when.astimezone(ZoneInfo(person.timezone)):%H:%M}"


def _home_text(slack, person) -> str:  # type: ignore[no-untyped-def]
    return json.dumps(slack.open_home(person))


def test_home_figures_are_the_reports_once_the_sweep_refreshed_them_with_their_age(
    slack, world, db, served, clock
) -> None:  # type: ignore[no-untyped-def]
    load(db, generate(ProgramSpec(today=NOW.date(), hires=120, mentors=12, managers=4)))
    vera = make_mentor(db, world.veteran)
    mine = make_assignment(db, vera, world.new_hire, start=date(2026, 10, 6))
    for week in range(3):
        make_session(db, mine, when=datetime(2026, 10, 12, 15, tzinfo=UTC) + timedelta(weeks=week))
    db.commit()

    # Before the first sweep: the figures are on their way, nothing is computed here.
    before = _home_text(slack, world.admin)
    assert "Program figures are being computed" in before
    assert "Ramp time reduction" not in before

    clock[0] = NOW
    refresh_summary(served.runtime)
    report = analytics.program_report(db, now=NOW, ranking_limit=None)
    admin_home = _home_text(slack, world.admin)
    assert _as_of(world.admin, NOW) in admin_home
    assert f"{report.headlines.sessions_logged} sessions logged" in admin_home
    for metric in report.metrics:
        if metric.value is not None and metric.unit == "share":
            assert f"{metric.name}" in admin_home

    mine_live = analytics.mentor_report(db, user_id=world.veteran.user_id, now=NOW)
    assert mine_live is not None and mine_live.score is not None
    mentor_home = _home_text(slack, world.veteran)
    assert f"#{mine_live.score.rank} of {mine_live.ranked} " in mentor_home
    assert f"(program {pct(mine_live.program_completion)})" in mentor_home
    assert _as_of(world.veteran, NOW) in mentor_home

    # Something changes: the homes keep the stored figures, and say how old they are,
    # until the next sweep stores new ones.
    clock[0] = NOW + timedelta(minutes=10)
    omar = make_mentor(db, world.londoner)
    theirs = make_assignment(db, omar, world.tokyo_hire, start=date(2026, 10, 6))
    make_session(db, theirs, when=datetime(2026, 10, 13, 15, tzinfo=UTC))

    audit.record(
        db, actor_id=None, action="test.change", entity_type="x", entity_id=None, now=clock[0]
    )
    db.commit()
    assert _as_of(world.veteran, NOW) in _home_text(slack, world.veteran)
    refresh_summary(served.runtime)
    later = analytics.mentor_report(db, user_id=world.veteran.user_id, now=clock[0])
    assert later is not None and later.score is not None and later.ranked == mine_live.ranked + 1
    after = _home_text(slack, world.veteran)
    assert _as_of(world.veteran, clock[0]) in after
    assert f"#{later.score.rank} of {later.ranked} " in after


def test_a_burst_of_opens_for_one_person_publishes_once_or_twice(slack, world, fake_slack) -> None:  # type: ignore[no-untyped-def]
    """Twenty opens at once: the view being built is published, then one more built
    from the latest state; not twenty. Slack answers in a second here, so the whole
    burst arrives while the first publish is under way even on a busy machine (at
    150 ms, twenty requests spread over more than one publish there)."""
    fake_slack.latency = 1.0
    try:
        opens = [
            threading.Thread(
                target=slack.event,
                args=(
                    {
                        "type": "app_home_opened",
                        "user": world.new_hire.id,
                        "channel": "D" + world.new_hire.id,
                        "tab": "home",
                        "event_ts": f"1767225600.{n:06d}",
                    },
                ),
            )
            for n in range(20)
        ]
        for thread in opens:
            thread.start()
        for thread in opens:
            thread.join()
        slack.wait_idle()
    finally:
        fake_slack.latency = 0.0
    published = [
        c
        for c in fake_slack.calls_to("views.publish")
        if c.args.get("user_id") == world.new_hire.id
    ]
    assert 1 <= len(published) <= 2, len(published)
    assert "Hi Newt" in json.dumps(fake_slack.home(world.new_hire.id))


def _home_statements(db, person) -> list[str]:  # type: ignore[no-untyped-def]
    """The statements one render of this person's whole home runs, its figures not
    cached (what the first open after a change costs)."""
    from bot.listeners.actor import Actor
    from bot.listeners.analytics import FIGURE_HOMES
    from bot.listeners.home import build_home
    from bot.services import access

    actor = Actor.of(access.load_user(db, person.user_id))
    statements: list[str] = []

    def record(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        statements.append(" ".join(statement.split()))

    engine = db.get_bind()
    FIGURE_HOMES.clear()
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        build_home(db, actor, NOW)
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    db.rollback()
    return statements


def test_rendering_a_home_reads_the_settings_once_and_writes_nothing(
    slack, world, db, served
) -> None:  # type: ignore[no-untyped-def]
    """The busiest person (admin, manager, mentor, mentee at once)."""
    vera = make_mentor(db, world.veteran)
    make_assignment(db, vera, world.new_hire, start=date(2026, 11, 2))
    db.commit()
    refresh_summary(served.runtime)
    slack.open_home(world.new_hire)  # first use: their milestones are made here
    for person in (world.admin, world.manager, world.veteran, world.new_hire):
        statements = [s.upper() for s in _home_statements(db, person)]
        settings_reads = [s for s in statements if "FROM PROGRAM_SETTINGS" in s]
        assert len(settings_reads) == 1, (person.name, settings_reads)
        writes = [s for s in statements if s.startswith(("INSERT", "UPDATE", "DELETE"))]
        assert writes == [], (person.name, writes)


def test_a_homes_statements_do_not_grow_with_the_program_or_the_persons_people(
    slack, world, db, served, fake_slack
) -> None:  # type: ignore[no-untyped-def]
    """Each role's home runs as many statements for a manager with 20 more reports, a
    mentor of 6 mentees (3 more asking) as of 1, and in a program grown by some 140
    people: it reads only what it shows, nothing per person or per row."""
    from tests.factories import make_people

    vera = make_mentor(db, world.veteran, max_mentees=10)
    first = make_assignment(db, vera, world.new_hire, start=date(2026, 10, 5))
    make_session(db, first, when=datetime(2026, 10, 12, 15, tzinfo=UTC))
    db.commit()
    refresh_summary(served.runtime)
    people = (world.admin, world.manager, world.veteran, world.new_hire)
    slack.open_home(world.new_hire)  # first use: their milestones are made here
    small = {p.name: _home_statements(db, p) for p in people}
    # Each whole home in as many statements as this, however the program grows below
    # (the person with their roles, names with each side, own milestones without
    # the reviewer; a mentor's figures with their active count, her circles in one
    # statement, her place with the program's figures): was 16, 15, 24, 12, then
    # Vera 20; the data's version is read in one statement (version.py); Vera's
    # requests, mentees and history in one, her circles with her row (was 15, 14, 18).
    # On PostgreSQL a manager's or mentor's figures first set the planner's options.
    figures = 1 if db.get_bind().dialect.name == "postgresql" else 0
    assert {name: len(run) for name, run in small.items()} == {
        "Ada Lovelace": 14 + figures,
        "Max Manager": 13 + figures,
        "Vera Veteran": 15 + figures,
        "Newt Newhire": 6,
    }, small
    reports_before = len(roster.report_ids(db, world.manager.user_id))
    assert f"{reports_before} people report to you" in _home_text(slack, world.manager)

    load(db, generate(ProgramSpec(today=NOW.date(), hires=120, mentors=12, managers=4)))
    hires = make_people(db, fake_slack, 20, now=NOW)
    for n, hire in enumerate(hires[:8]):
        status = "pending" if n >= 5 else "active"
        asked_by = (world.admin, world.manager, world.londoner)[n % 3]
        mine = make_assignment(
            db, vera, hire, status=status, start=date(2026, 10, 5), assigned_by=asked_by
        )
        if status == "active":
            make_session(
                db,
                mine,
                when=datetime(2026, 10, 12 + n, 15, tzinfo=UTC),
                action_items=[{"id": f"a{n}", "item": f"Read {n}", "owner": "mentor"}],
            )
    db.commit()
    refresh_summary(served.runtime)
    for person in people:
        now_run = _home_statements(db, person)
        assert len(now_run) == len(small[person.name]), (person.name, now_run, small[person.name])

    # The home did grow with them: the same statements show the new people.
    vera_home = _home_text(slack, world.veteran)
    assert "Hire 007" in vera_home and "Read 4" in vera_home
    assert f"{reports_before + 20} people report to you" in _home_text(slack, world.manager)


def test_a_managers_figures_are_kept_until_the_data_changes(
    slack, world, db, fake_slack, clock
) -> None:  # type: ignore[no-untyped-def]
    """Opening the home again reads a version stamp, not the team's figures; any saved
    change (every write is audited) shows on the next open."""
    from tests.factories import make_people

    make_people(db, fake_slack, 3, now=clock[0])
    db.commit()
    reports = len(roster.report_ids(db, world.manager.user_id))
    _home_text(slack, world.manager)  # the first open records the manager's first use
    assert f"{reports} people report to you" in _home_text(slack, world.manager)
    # A row changed behind the app's back, with no audited change: the kept figures stay.
    db.execute(sa.update(User).where(User.slack_user_id == "UHIRE001").values(manager_id=None))
    db.commit()
    assert f"{reports} people report to you" in _home_text(slack, world.manager)
    later = clock[0] + timedelta(seconds=1)
    audit.record(
        db, actor_id=None, action="test.change", entity_type="x", entity_id=None, now=later
    )
    db.commit()
    assert f"{reports - 1} people report to you" in _home_text(slack, world.manager)


def test_a_change_that_began_first_and_committed_last_still_shows(
    slack, world, db, fake_slack, clock
) -> None:  # type: ignore[no-untyped-def]
    """A change is stamped with its request's time, so on a busy morning a slow one
    commits after a quicker one that began later: its older stamp is not the newest
    audit row, and the kept figures must still know the data changed."""
    from tests.factories import make_people

    def audited(at: datetime) -> None:
        audit.record(
            db, actor_id=None, action="test.change", entity_type="x", entity_id=None, now=at
        )
        db.commit()

    audited(clock[0] + timedelta(seconds=2))  # the quick change, committed first
    reports = len(roster.report_ids(db, world.manager.user_id))
    assert f"{reports} people report to you" in _home_text(slack, world.manager)
    make_people(db, fake_slack, 3, now=clock[0])
    audited(clock[0] + timedelta(seconds=1))  # the slow one: began first, committed last
    assert f"{reports + 3} people report to you" in _home_text(slack, world.manager)


def test_kept_home_figures_are_bounded_the_least_recently_made_going_first() -> None:
    """However many people open their home, the process keeps a bounded number of
    people's figures; someone whose figures went is served by making them again."""
    from bot.listeners.charts import HomeCache

    kept = HomeCache(limit=2)
    made: list[str] = []

    def blocks_of(who: str):  # type: ignore[no-untyped-def]
        def make():  # type: ignore[no-untyped-def]
            made.append(who)
            return [{"type": "section", "text": {"type": "mrkdwn", "text": who}}], True

        return kept.get_or_make(who, "v1", NOW, make)

    for who in ("ann", "bob", "ann", "cat", "ann", "bob"):
        assert blocks_of(who)[0]["text"]["text"] == who
    # The second "ann" is served kept; "cat" pushes out "ann" (made first), whose next
    # open makes hers again and pushes out "bob".
    assert made == ["ann", "bob", "cat", "ann", "bob"]


def test_a_mentors_figures_are_kept_through_first_contacts_and_profile_refreshes(
    slack, world, db, fake_slack, clock
) -> None:  # type: ignore[no-untyped-def]
    """A busy morning's first contacts and the Slack profiles they bring in change
    nobody's figures: a mentor opening their home again is served the kept ones; a
    change to what figures count from shows on the next open."""

    def active_mentees() -> str:
        """What their own figures say (the last "Active mentees": the figures come
        after the mentor's profile and requests)."""
        figures = _home_text(slack, world.veteran).rsplit("Active mentees*\\n", 1)[1]
        return figures.split('"', 1)[0]

    make_mentor(db, world.veteran, max_mentees=1)
    db.commit()
    _home_text(slack, world.veteran)  # the first open records the mentor's first use
    assert active_mentees() == "0 of 1"
    # A row changed behind the app's back, with no audited change: the kept figures stay.
    db.execute(
        sa.update(Mentor).where(Mentor.user_id == world.veteran.user_id).values(max_mentees=3)
    )
    db.commit()
    slack.mentor(world.londoner, "help")  # Omar's first contact
    fake_slack.users[world.londoner.id]["tz"] = "Asia/Tokyo"
    assert slack.event({"type": "user_change", "user": fake_slack.users[world.londoner.id]})
    slack.wait_idle()
    assert db.scalar(sa.select(User.timezone).where(User.id == world.londoner.user_id)) == (
        "Asia/Tokyo"
    )
    assert active_mentees() == "0 of 1"
    later = clock[0] + timedelta(seconds=1)
    audit.record(
        db, actor_id=None, action="test.change", entity_type="x", entity_id=None, now=later
    )
    db.commit()
    assert active_mentees() == "0 of 3"
