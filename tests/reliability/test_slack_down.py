"""Slack's Web API answers 500 for a minute while a mentor accepts a request and logs a
session: the mentor is told at once what was saved and who will hear; the worker
keeps retrying through the minute; once Slack answers, the mentee's introduction, the
manager's notice and the "session logged" notice each arrive exactly once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.delivery import deliver
from bot.slack_client import make_client
from models import OutboxMessage
from tests.factories import make_mentor
from tests.reliability.forms import FULL

pytestmark = pytest.mark.reliability

#: How often the worker runs during the outage (serve's scheduler: every 5 s).
WORKER_EVERY = timedelta(seconds=5)
OUTAGE = timedelta(minutes=1) * (10 if FULL else 1)


def test_slack_down_for_a_minute_during_a_flow_everything_is_delivered_once_afterwards(
    slack, world, db, served, settings, clock
) -> None:  # type: ignore[no-untyped-def]
    make_mentor(db, world.veteran)
    db.commit()
    slack.mentor(world.manager, f"match {world.new_hire.mention}")
    slack.click(world.manager, "Assign", near=world.veteran.name)
    assert slack.submit(
        world.manager, {"I confirm the expectations": ["I confirm the expectations"]}
    ).ok
    request = slack.last_dm(world.veteran)
    before = {p.id: len(slack.dms(p)) for p in (world.new_hire, world.manager)}

    slack.fake.fail("chat.postMessage", status=500, times=100_000)
    slack.click(world.veteran, "Accept", message=request)
    told = slack.last_ephemeral(world.veteran).text
    assert "Saved. I'll tell" in told and "as soon as Slack answers" in told
    assert world.new_hire.id in told and world.manager.id in told

    slack.slash(world.veteran, "/mentor", "log")
    assert slack.submit(world.veteran, {"Topics": ["Renewals"], "Summary": "Slack was down."}).ok
    assert f"I'll tell <@{world.new_hire.id}> as soon as Slack answers" in slack.modal_text(
        world.veteran
    )

    client = make_client(settings)
    outage_end = clock[0] + OUTAGE
    runs = 0
    while clock[0] < outage_end:  # the scheduler's worker, every few seconds
        clock[0] += WORKER_EVERY
        slack.fake.advance(WORKER_EVERY.total_seconds())
        assert deliver(served.runtime, client).sent == []
        runs += 1
    assert {p: len(slack.dms(p)) for p in before} == before  # nothing got through

    slack.fake.failures.clear()  # Slack answers again
    waited = timedelta()
    while True:  # the next runs after it, until nothing waits (backoff: at most 10 min)
        clock[0] += WORKER_EVERY
        waited += WORKER_EVERY
        slack.fake.advance(WORKER_EVERY.total_seconds())
        deliver(served.runtime, client)
        db.expire_all()
        if not db.scalars(select(OutboxMessage).where(OutboxMessage.status != "sent")).all():
            break
        assert waited < timedelta(minutes=11), "messages still waiting after the backoff"
    for _ in range(3):  # and later runs send nothing again
        clock[0] += timedelta(minutes=5)
        deliver(served.runtime, client)

    new_hire = [m.all_text for m in slack.dms(world.new_hire)[before[world.new_hire.id] :]]
    manager = [m.all_text for m in slack.dms(world.manager)[before[world.manager.id] :]]
    intros = sum("Vera Veteran" in text and "mentor" in text.lower() for text in new_hire)
    logged = sum("Slack was down." in text for text in new_hire)
    notices = sum("accepted" in text.lower() for text in manager)
    print(
        f"Slack down {OUTAGE.total_seconds():.0f} s, {runs} worker runs during it; delivered "
        f"{waited.total_seconds():.0f} s after: mentee {len(new_hire)} DMs "
        f"(intro {intros}, session {logged}), manager {len(manager)} (accepted {notices})"
    )
    assert (len(new_hire), intros, logged) == (2, 1, 1)
    assert (len(manager), notices) == (1, 1)
