"""Three `mentorbot serve` processes on one PostgreSQL database, as behind a load
balancer: the requests of a whole flow go round-robin across them, two of them run
the sweep every second at the same time, and every reminder is sent once, a
mentor's capacity holds when two replicas accept for them at once, and each
person's App Home is the same whichever replica builds it."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from bot.blocks.plaintext import render_blocks
from bot.testing.driver import SlackDriver
from bot.testing.fake_slack import FakeSlack
from bot.testing.harness import wait_until
from bot.testing.people import cast, seed
from bot.testing.signed_requests import HttpReply
from models import Assignment, Mentor, Notification
from models.db import make_engine, make_session_factory
from models.migrate import upgrade
from tests.conftest import BACKENDS, drop_postgres_database, fresh_postgres_database
from tests.factories import make_assignment, make_mentor
from tests.test_foundation_serve import _start_serve

pytestmark = pytest.mark.skipif(
    "postgresql" not in BACKENDS, reason="replicas share a PostgreSQL database"
)

NOW = datetime(2026, 11, 17, 15, 0, tzinfo=UTC)  # a Tuesday: 10:00 in New York
SECRET = "serve-secret"


def quiet(fake: FakeSlack, *, settle: float = 0.6, most: float = 20.0) -> Callable[[], None]:
    """Wait until the processes stop calling Slack for `settle` seconds: the work
    after an ack runs in another process, which no executor here can wait for."""

    def wait() -> None:
        deadline = time.monotonic() + most
        seen, since = len(fake.calls), time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.1)
            if len(fake.calls) != seen:
                seen, since = len(fake.calls), time.monotonic()
            elif time.monotonic() - since >= settle:
                return

    return wait


def open_home(driver: SlackDriver, who: str) -> str:
    """Open the home on `driver`'s replica and wait for the view it publishes (the
    work after the ack may draw a chart first: no Slack call for a while)."""

    def published() -> list[Any]:
        return [c for c in driver.fake.calls_to("views.publish") if c.args["user_id"] == who]

    before = len(published())
    assert driver.event(home_opened(who), event_id=f"Ev{time.time_ns()}").status == 200
    wait_until(lambda: len(published()) > before, f"a home published for {who}", timeout=30)
    view = published()[-1].args["view"]
    return render_blocks((json.loads(view) if isinstance(view, str) else view)["blocks"])


def home_opened(who: str) -> dict[str, str]:
    return {"type": "app_home_opened", "user": who, "channel": "D" + who, "tab": "home"}


class RoundRobin(SlackDriver):
    """A driver whose every request goes to the next replica, as a load balancer's."""

    def __init__(self, fake: FakeSlack, bases: list[str]) -> None:
        super().__init__(fake, bases[0], SECRET, quiet(fake))
        self._next = itertools.cycle(bases)
        self._lock = threading.Lock()

    def post(self, body: str, content_type: str, **kwargs: Any) -> HttpReply:
        with self._lock:
            self.endpoint = next(self._next).rstrip("/") + "/slack/events"
        return super().post(body, content_type, **kwargs)


@pytest.fixture
def replicas(tmp_path, fake_slack) -> Iterator[tuple[list[str], Any, Any]]:  # type: ignore[no-untyped-def]
    """A fresh database with the cast, and three replicas on it (two sweeping)."""
    url, admin = fresh_postgres_database()
    upgrade(url)
    fake_slack.reset()
    engine = make_engine(url)
    people = cast()
    db = make_session_factory(engine)()
    seed(db, fake_slack, people, NOW)
    db.commit()
    processes = []
    try:
        for n, sweeping in enumerate((True, True, False)):
            args = ("--now", NOW.isoformat(), "--sweep-interval", "1")
            process, base = _start_serve(
                tmp_path,
                fake_slack,
                scheduler=sweeping,
                url=url,
                args=args,
                env={"MENTORBOT_ADMINS": "UADMIN"},
                log=tmp_path / f"replica-{n}.log",
            )
            processes.append((process, base))
        yield [base for _, base in processes], db, people
    finally:
        db.close()
        for process, _ in processes:
            process.terminate()
        for process, _ in processes:
            process.wait(timeout=20)
        engine.dispose()
        drop_postgres_database(url, admin)


def test_three_replicas_send_each_reminder_once_hold_capacity_and_agree_on_homes(
    replicas, fake_slack
) -> None:  # type: ignore[no-untyped-def]
    bases, db, people = replicas
    person = {p.id: p for p in people.values()}
    vera, omar = person["UVERA"], person["UOMAR"]
    admin, manager, junior = person["UADMIN"], person["UMAX"], person["UJUNIOR"]
    newt, nova = person["UNEWT"], person["UNOVA"]
    # Due now: Vera and Jun's weekly check-in (their mentorship began last Monday).
    vera_mentor = make_mentor(db, vera, max_mentees=3)
    make_assignment(db, vera_mentor, junior, start=date(2026, 11, 9))
    make_mentor(db, omar, max_mentees=1)
    db.commit()

    slack = RoundRobin(fake_slack, bases)
    # The flow, every request to the next replica: a manager and an admin each open
    # the request for Omar (one free slot) to mentor a new hire, and send it at the
    # same moment, on two replicas: one request is made, the other is told he's full.
    for asker, hire in ((manager, newt), (admin, nova)):
        slack.slash(asker, "/mentor", f"assign {omar.mention} {hire.mention}")
        assert f"Ask *{omar.name}* to mentor" in slack.modal_text(asker)
    confirm = {"I confirm the expectations": ["I confirm the expectations"]}
    pinned = [SlackDriver(fake_slack, base, SECRET, quiet(fake_slack)) for base in bases]
    results: dict[str, bool] = {}

    def send(driver: SlackDriver, asker: Any) -> None:
        results[asker.id] = driver.submit(asker, confirm).ok

    sends = [
        threading.Thread(target=send, args=(driver, asker))
        for driver, asker in zip(pinned, (manager, admin), strict=False)
    ]
    for thread in sends:
        thread.start()
    for thread in sends:
        thread.join()
    slack.wait_idle()
    assert sorted(results.values()) == [False, True], results
    offers = [m for m in slack.dms(omar) if "asks you to mentor" in m.all_text]
    assert len(offers) == 1, [m.all_text for m in slack.dms(omar)]
    slack.click(omar, "Accept", message=offers[0])

    omar_row = db.scalar(sa.select(Mentor).where(Mentor.user_id == omar.user_id))
    assert omar_row is not None

    def taken() -> list[str]:
        db.expire_all()
        return list(
            db.scalars(sa.select(Assignment.status).where(Assignment.mentor_id == omar_row.id))
        )

    # The click's work runs after its ack in some replica: on a loaded machine it may
    # not have called Slack yet when the driver's quiet spell ends, so wait for its effect.
    wait_until(lambda: taken() != ["pending"], "the Accept to be saved", timeout=20)
    assert taken() == ["active"] and omar_row.current_mentee_count == 1  # capacity held

    # Both sweeping replicas have swept many times (every second) by now: the due
    # check-in reached Vera and Jun once each, and the ledger says the same.
    time.sleep(2.5)
    slack.wait_idle()
    for who in (vera, junior):
        checkins = [m for m in fake_slack.dms(who.id) if "check-in" in m.text]
        assert len(checkins) == 1, [m.text for m in fake_slack.dms(who.id)]
    sent = db.scalars(sa.select(Notification).where(Notification.status == "sent")).all()
    assert [n.kind for n in sent].count("checkin") == 2
    assert len({(n.kind, n.target, n.period) for n in sent}) == len(sent)

    # Every home, built by each replica in turn, is the same (the admin's chart is
    # each replica's own upload of the same picture: compared by its title).
    cast_ids = (admin.id, manager.id, vera.id, omar.id, newt.id, nova.id, junior.id)
    for who in cast_ids:
        open_home(slack, who)  # first use everywhere (their milestones), then let it settle
    time.sleep(2.5)
    slack.wait_idle()
    for who in cast_ids:
        views = [open_home(driver, who) for driver in pinned]
        assert views[0] == views[1] == views[2], (who, views)
        if who == admin.id:
            assert "PROGRAM ANALYTICS" in views[0] and "Program figures as of 10:00" in views[0]
