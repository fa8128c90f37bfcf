"""A sender SIGKILLed at each step of a send (claimed and not posted; posted and not
recorded; recorded): after the next worker or sweep, every message is in Slack exactly
once. Each test prints its figure."""

from __future__ import annotations

import signal
import time
from datetime import date, datetime, timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from bot.delivery import deliver
from bot.runtime import Runtime
from bot.services import outbox
from bot.slack_client import make_client
from bot.sweep import run_sweep
from models import Notification, OutboxMessage
from tests.factories import make_assignment, make_mentor
from tests.reliability.forms import FULL
from tests.reliability.kill_sender import STEPS
from tests.reliability.support import posted_keys, run_killed
from tests.reminders_support import at

pytestmark = pytest.mark.reliability

#: Which post of the run is killed: quick, the first; full, each of the first three.
NTHS = (1, 2, 3) if FULL else (1,)
MONDAY_MORNING = at("2026-11-16T15:00")  # 10:00 New York: the pair's check-ins are due


@pytest.mark.parametrize("step", STEPS)
def test_an_outbox_sender_killed_at_each_step_loses_and_repeats_nothing(
    step, slack, world, db, served, settings, clock
) -> None:  # type: ignore[no-untyped-def]
    people = [world.veteran.id, world.new_hire.id, world.manager.id]
    client = make_client(settings)
    kills = lost = repeated = 0
    queued: list[str] = []
    for round_, nth in enumerate(NTHS):
        with served.runtime.db() as tx:
            ids = [
                outbox.enqueue(
                    tx, to=p, text=f"Note {round_} for <@{p}>", purpose="t", now=clock[0]
                )
                for p in people
            ]
        queued += [f"outbox:{i}" for i in ids]
        died = run_killed(settings, "outbox", step, nth, clock[0])
        assert died.returncode == -signal.SIGKILL, died.stdout + died.stderr
        kills += 1
        clock[0] += timedelta(minutes=2)  # the dead sender's lease (a minute) ran out
        slack.fake.advance(120)
        deliver(served.runtime, client)
    found = posted_keys(slack.fake, people)
    lost = sum(1 for key in queued if found[key] == 0)
    repeated = sum(max(found[key] - 1, 0) for key in queued)
    db.expire_all()
    unsent = db.scalars(select(OutboxMessage.status).where(OutboxMessage.status != "sent")).all()
    figure = f"{len(queued)} messages, {lost} lost, {repeated} repeated"
    print(f"outbox sender killed {kills}x {step}: {figure}")
    assert (lost, repeated, unsent) == (0, 0, [])


@pytest.mark.parametrize("step", STEPS)
def test_a_sweep_killed_at_each_step_loses_and_repeats_nothing(
    step, slack, world, db, served, settings, clock
) -> None:  # type: ignore[no-untyped-def]
    make_assignment(db, make_mentor(db, world.veteran), world.new_hire, start=date(2026, 11, 9))
    db.commit()
    people = [world.veteran.id, world.new_hire.id, world.manager.id]
    client = make_client(settings)
    kills = 0
    for week, nth in enumerate(NTHS):
        monday = MONDAY_MORNING + timedelta(weeks=week)
        died = run_killed(settings, "sweep", step, nth, monday)
        assert died.returncode == -signal.SIGKILL, died.stdout + died.stderr
        kills += 1
        clock[0] = monday + timedelta(minutes=2)  # its claims' lease (a minute) ran out
        slack.fake.advance(7 * 24 * 3600)
        sweep_after_the_dead_one(served.runtime, client, clock[0])
    db.expire_all()
    reminders = db.scalars(select(Notification)).all()
    found = posted_keys(slack.fake, people)
    # A reminder is posted under its claim's key, or queued in the outbox under it
    # (a fallback offer, a coverage nudge): count what Slack has under either.
    for dedupe_key, message_id in db.execute(
        select(OutboxMessage.dedupe_key, OutboxMessage.id).where(
            OutboxMessage.dedupe_key.is_not(None)
        )
    ):
        found[dedupe_key.split("/")[0]] += found.pop(f"outbox:{message_id}", 0)
    lost = sum(1 for n in reminders if found[f"ledger:{n.id}"] == 0)
    repeated = sum(max(found[f"ledger:{n.id}"] - 1, 0) for n in reminders)
    print(
        f"sweep killed {kills}x {step}: {len(reminders)} reminders, "
        f"{lost} lost, {repeated} repeated"
    )
    assert len(reminders) >= 3 * len(NTHS)  # two check-ins and the manager's digest a week
    assert (lost, repeated) == (0, 0)
    assert {n.status for n in reminders} == {"sent"}


def sweep_after_the_dead_one(runtime: Runtime, client: WebClient, now: datetime) -> None:
    """The next sweep. On PostgreSQL the killed sweep's advisory lock goes when its
    server session notices the dead connection, which on a busy machine can take a
    moment; a sweep finding it still held does nothing (the next one, 5 minutes
    later, would do the work), so try again briefly until one runs."""
    for _ in range(200):
        if run_sweep(runtime, client, now=now).ran:
            return
        time.sleep(0.05)
    pytest.fail("the killed sweep's lock was still held 10 s after it died")
