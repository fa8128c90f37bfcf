"""Fixtures: every end-to-end test runs on SQLite and on PostgreSQL, against the
real Bolt app served over HTTP and a local fake Slack, each test isolated.

Set MENTORBOT_TEST_DATABASES=sqlite (or postgresql) to run on one database only,
MENTORBOT_TEST_POSTGRES_URL to use another PostgreSQL server, and
MENTORBOT_FAKE_SLACK_LATENCY_MS=150 to have every fake Slack call take 150 ms, as the
real API does (the slowest acks are listed at the end of the run)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

import models
from bot.config import Settings
from bot.listeners.analytics import FIGURE_HOMES, PROGRAM_HOMES
from bot.listeners.home import FIRST_USE
from bot.listeners.profiles import FETCHED
from bot.services import match_pool
from bot.testing.api_client import ApiClient
from bot.testing.driver import SlackDriver
from bot.testing.fake_slack import FakeSlack
from bot.testing.harness import ServedApp
from bot.testing.people import ROLE_NAMES, Person, cast, seed
from bot.testing.signed_requests import ACK_DEADLINE_S, ACK_TIMES
from models import ramp_facts
from models.db import make_engine
from models.migrate import grant_app_role, upgrade

SIGNING_SECRET = "test-signing-secret"
ADMINS = "UADMIN"
POSTGRES_URL = os.environ.get(
    "MENTORBOT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BACKENDS = [
    b.strip() for b in os.environ.get("MENTORBOT_TEST_DATABASES", "sqlite,postgresql").split(",")
]


#: The modules whose tests turn on dates, days and hours (tenure, due dates, working
#: hours, hire quarters, the demo, the scheduler). Marked `clock`: `.ci/clock-proof` runs
#: them again under shifted wall clocks and timezones.
DATE_SENSITIVE = {
    "test_analytics",
    "test_assignment_flow",
    "test_bad_input",
    "test_cohort",
    "test_completion",
    "test_coverage",
    "test_foundation_roster",
    "test_mentor_demo",
    "test_mentor_home",
    "test_mentor_optin",
    "test_mentor_optout_pause",
    "test_mentorship_lifecycle",
    "test_milestones",
    "test_progress",
    "test_reminders_cli",
    "test_reminders_delivery",
    "test_reminders_fallbacks",
    "test_reminders_kinds",
    "test_reminders_rules",
    "test_reminders_sweep",
    "test_sessions",
    "test_shifted_clock",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.stem in DATE_SENSITIVE:
            item.add_marker(pytest.mark.clock)


def fresh_postgres_database() -> tuple[str, sa.Engine]:
    """A new, empty database on the test server, so parallel runs never collide.
    Returns its URL and an admin engine to drop it with."""
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"mentorbot_t_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    return url, admin


def drop_postgres_database(url: str, admin: sa.Engine) -> None:
    name = sa.engine.make_url(url).database
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def empty_database(backend: str, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A URL of a brand-new database with no tables (for migration tests)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    url, admin = fresh_postgres_database()
    try:
        yield url
    finally:
        drop_postgres_database(url, admin)


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database for this test session, on `backend`. On PostgreSQL the app
    (and every test) connects as a plain role that neither owns the tables nor is a
    superuser, so the row-level-security policies are on for the whole suite."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'mentorbot.db'}"
        upgrade(url)
        yield url
        return
    url, admin = fresh_postgres_database()
    role = f"mentorbot_app_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOBYPASSRLS'))
    try:
        upgrade(url)
        grant_app_role(url, role)
        yield sa.engine.make_url(url).set(username=role).render_as_string(hide_password=False)
    finally:
        drop_postgres_database(url, admin)
        with sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT").connect() as conn:
            conn.execute(sa.text(f'DROP ROLE IF EXISTS "{role}"'))


FAKE_SLACK_LATENCY_S = float(os.environ.get("MENTORBOT_FAKE_SLACK_LATENCY_MS", "0")) / 1000


@pytest.fixture(scope="session")
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack(latency=FAKE_SLACK_LATENCY_S).start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def settings(database_url: str, fake_slack: FakeSlack) -> Settings:
    return Settings(
        DATABASE_URL=database_url,
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake_slack.url,
        MENTORBOT_ADMINS=ADMINS,
        _env_file=None,
    )


@pytest.fixture(scope="session")
def served(settings: Settings) -> Iterator[ServedApp]:
    app = ServedApp(settings).start()
    yield app
    app.stop()


def clean_database(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        for table in reversed(models.Base.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def clock(served: ServedApp) -> Iterator[list[datetime]]:
    """The app's clock, frozen at a Tuesday 10:00 UTC; tests move it with `clock[0] = ...`."""
    now = [datetime(2026, 11, 17, 15, 0, tzinfo=UTC)]
    served.runtime.clock = lambda: now[0]
    yield now
    served.runtime.clock = lambda: datetime.now(UTC)


@pytest.fixture
def slack(served: ServedApp, fake_slack: FakeSlack, clock: list[datetime]) -> Iterator[SlackDriver]:
    """The driver that plays people, on a clean database and a clean fake Slack."""
    clean_database(served.runtime.session_factory.kw["bind"])
    fake_slack.reset()
    PROGRAM_HOMES.clear()  # its charts were uploaded to the fake just forgotten
    FIGURE_HOMES.clear()  # keyed by a version stamp another test's data may share
    FIRST_USE.clear()  # a person's first use is made again in the new database
    match_pool.clear()  # keyed by a version stamp another test's data may share
    served.bolt.regulars.clear()  # and everyone's first contact
    FETCHED.clear()  # and whose Slack profile was fetched lately
    yield SlackDriver(fake_slack, served.url, SIGNING_SECRET, served.executor.wait_idle)
    served.executor.wait_idle()
    refused = fake_slack.take_refusals()
    assert not refused, f"Slack refused what the app sent: {refused}"
    # The next app to start (the other database's) calls auth.test: it must not meet
    # a failure this test left behind.
    fake_slack.failures.clear()
    # The app's client waits out a 429 and retries, so a test would pass slowly where
    # a busy workspace starts losing messages: going over Slack's limits is a failure.
    assert not fake_slack.throttled, f"Slack would have rate-limited: {fake_slack.throttled}"
    # Whatever the test did through the app or its own session, every milestone's
    # ramp facts must still agree with their sources: a write path that forgot to
    # recount them fails here (models/ramp_facts.py).
    with served.runtime.session_factory() as check:
        stale = ramp_facts.stale_rows(check)
    assert stale == 0, f"{stale} milestone rows carry ramp facts their sources disagree with"


@pytest.fixture
def db(served: ServedApp, slack: SlackDriver) -> Iterator[Session]:
    """A session on the app's database for setting up and checking state.
    Call `db.expire_all()` before reading what the app changed since."""
    session = served.runtime.session_factory()
    # What a test writes here skips the services and their audit rows, so the data's
    # version can't tell: the mentors kept for matching are read again after it.
    sa.event.listen(session, "after_commit", lambda _: match_pool.clear())
    try:
        yield session
    finally:
        session.rollback()
        session.close()


class World:
    """The cast, in the roster and in Slack's directory, reachable by role name:
    world.admin, world.manager, world.veteran, world.new_hire, ..."""

    def __init__(self, people: dict[str, Person]) -> None:
        self.people = people

    def __getattr__(self, role: str) -> Person:
        try:
            return self.people[ROLE_NAMES[role]]
        except KeyError as exc:
            raise AttributeError(role) from exc


@pytest.fixture
def world(db: Session, fake_slack: FakeSlack, clock: list[datetime]) -> World:
    people = cast()
    seed(db, fake_slack, people, clock[0])
    db.commit()
    return World(people)


@pytest.fixture
def engine(database_url: str) -> Iterator[sa.Engine]:
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture
def api(served: ServedApp, slack: SlackDriver) -> ApiClient:
    """A client of the REST API on the served app (no token until `as_token`)."""
    return ApiClient(served.url)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """With a fake Slack latency set, list the slowest acks (Slack allows 3 s)."""
    if not FAKE_SLACK_LATENCY_S or not ACK_TIMES:
        return
    slowest = sorted(ACK_TIMES, key=lambda t: t.seconds, reverse=True)
    late = [t for t in slowest if t.seconds > ACK_DEADLINE_S]
    terminalreporter.write_sep("-", f"acks at {FAKE_SLACK_LATENCY_S * 1000:.0f} ms a Slack call")
    terminalreporter.write_line(
        f"{len(ACK_TIMES)} acks, {len(late)} late (over {ACK_DEADLINE_S:.0f} s), "
        f"{sum(1 for t in slowest if t.seconds > 1)} over 1 s; slowest:"
    )
    for timing in slowest[:15]:
        terminalreporter.write_line(f"  {timing.seconds:6.2f} s  {timing.what}")
