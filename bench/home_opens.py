"""What one App Home open costs this process and the database, per role: the whole
path of an `app_home_opened` event after Bolt parsed it (the actor middleware's
transaction, the first-use check, every home section), on a small generated program
on PostgreSQL. Counts and CPU time rather than the wall clock, which a shared
machine makes noisy.

    .venv/bin/python -m bench.home_opens setup [--hires N]     # prints a database URL
    .venv/bin/python -m bench.home_opens measure URL [--opens N] [--cold]
    .venv/bin/python -m bench.home_opens drop URL

`setup` keeps its database so that two checkouts (each run from its own directory:
`python -m` imports the current one before PYTHONPATH) can be measured alternately on
the same data; `--cold` forgets each person's kept figures before every open (the first
open after a change)."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

SERVER_URL = os.environ.get(
    "MENTORBOT_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
NOW = datetime(2026, 11, 17, 15, 0, tzinfo=UTC)


def setup(hires: int) -> str:
    """A kept database with the analytics benchmark's program of `hires` hires, its
    summary refreshed; its URL."""
    from bench.analytics import bench_spec, copy_load
    from bench.database import throwaway_database
    from bot.services.analytics import summary
    from bot.testing.program_generator import generate
    from models.db import make_engine, make_session_factory

    with throwaway_database(SERVER_URL, keep=True) as url:
        engine = make_engine(url)
        copy_load(engine, generate(bench_spec(hires)))
        with make_session_factory(engine)() as db:
            summary.refresh(db, now=NOW)
            db.commit()
        engine.dispose()
    return url


def drop(url: str) -> None:
    name = sa.engine.make_url(url).database
    admin = sa.create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


class _PublishNowhere:
    """The app's Web API client for everything but `views.publish`, which costs the
    same whatever the home holds and is not what is measured here."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def views_publish(self, **kwargs: Any) -> None:
        return None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


def _backend_cpu(pid: int) -> float:
    """Seconds of CPU the PostgreSQL backend `pid` has used (user + system)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(
    url: str, opens: int, cold: bool, show: bool = False, roles: list[str] | None = None
) -> None:
    from slack_sdk import WebClient

    import bot.app  # noqa: F401  (registers every home section)
    from bench.homes import ROLES, pick_people
    from bot.config import Settings
    from bot.listeners import analytics as analytics_listener
    from bot.listeners.actor import Actor
    from bot.listeners.home import publish_home
    from bot.runtime import Runtime
    from bot.services import first_contact
    from bot.testing.fake_slack import FakeSlack
    from models import User
    from models.db import make_engine, make_session_factory

    # One connection, so that its backend's CPU is the database's share of the opens.
    engine = make_engine(url, pool_size=1, max_overflow=0)
    factory = make_session_factory(engine)
    settings = Settings(DATABASE_URL=url, SLACK_BOT_TOKEN="xoxb-bench")  # type: ignore[call-arg]
    runtime = Runtime(settings, factory, clock=lambda: NOW)
    with factory() as db:
        people = pick_people(db)
        slack_ids = {role: db.get(User, uid).slack_user_id for role, uid in people.items()}  # type: ignore[union-attr]
        backend = db.scalar(sa.text("SELECT pg_backend_pid()"))
    fake = FakeSlack().start()
    for slack_id in slack_ids.values():
        fake.add_user(slack_id, slack_id)
    client = _PublishNowhere(WebClient(token="xoxb-bench", base_url=fake.url))
    statements: list[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))

    def open_home(slack_id: str) -> None:
        # What bot/listeners/profiles.py's middleware and home.on_home_opened do.
        with runtime.db() as db:
            user = first_contact.ensure_user(
                db, slack_user_id=slack_id, team_id="T1", admin_ids=[], now=NOW
            )
            actor = Actor.of(user)
        publish_home(client, runtime, actor, first_use=True)  # type: ignore[arg-type]

    load1 = os.getloadavg()[0]
    print(
        f"{'role':<8} {'statements':>10} {'median ms':>10} {'CPU ms':>8} {'min CPU':>8}"
        f" {'db CPU ms':>10}"
    )
    for role in roles or ROLES:
        open_home(slack_ids[role])  # first open: chart upload, first-use writes
        walls, cpus = [], []
        statements.clear()
        db0 = _backend_cpu(backend)
        for _ in range(opens):
            if cold:
                analytics_listener.FIGURE_HOMES.clear()
            t0, c0 = time.perf_counter(), time.process_time()
            open_home(slack_ids[role])
            walls.append(time.perf_counter() - t0)
            cpus.append(time.process_time() - c0)
        db_cpu = (_backend_cpu(backend) - db0) / opens
        if show:
            for statement in statements[-len(statements) // opens :]:
                print("   ", " ".join(statement.split())[:200])
        print(
            f"{role:<8} {len(statements) / opens:>10.1f} {statistics.median(walls) * 1000:>10.1f}"
            f" {statistics.median(cpus) * 1000:>8.1f} {min(cpus) * 1000:>8.1f}"
            f" {db_cpu * 1000:>10.1f}"
        )
    print(f"load average: {load1:.2f} before, {os.getloadavg()[0]:.2f} after (1 min)")
    fake.stop()
    engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("setup")
    make.add_argument("--hires", type=int, default=3000)
    run = commands.add_parser("measure")
    run.add_argument("url")
    run.add_argument("--opens", type=int, default=200)
    run.add_argument("--cold", action="store_true")
    run.add_argument("--role", action="append", help="only this role (repeatable)")
    run.add_argument("--show", action="store_true", help="print the last open's statements")
    commands.add_parser("drop").add_argument("url")
    args = parser.parse_args(argv)
    if args.command == "setup":
        print(setup(args.hires))
    elif args.command == "measure":
        measure(args.url, args.opens, args.cold, args.show, args.role)
    else:
        drop(args.url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
