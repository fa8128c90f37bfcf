"""`/mentor pause until DATE` with requests still waiting (issue 17.9): the mentor is
asked whether to decline them (each asker gets the reason and the next suggestion with
**Assign**) or keep them."""

from __future__ import annotations

import sqlalchemy as sa

from bot.blocks.actions import PAUSE_DECLINE_WAITING
from bot.testing.surface_inputs import buttons_in
from models import Assignment, AuditEntry
from tests.factories import make_assignment, make_mentor


def _statuses(db) -> dict[str, str]:  # type: ignore[no-untyped-def]
    db.expire_all()
    return {
        a.mentee.name: a.status for a in db.scalars(sa.select(Assignment).order_by(Assignment.id))
    }


def test_declining_the_waiting_requests_sends_each_asker_the_next_suggestion(
    slack, world, db
) -> None:  # type: ignore[no-untyped-def]
    vera = make_mentor(db, world.veteran, expertise=["Renewals"])
    make_mentor(db, world.londoner, expertise=["Renewals"])  # the next best
    for hire in (world.new_hire, world.tokyo_hire):
        make_assignment(db, vera, hire, status="pending", assigned_by=world.manager)
    db.commit()

    reply = slack.mentor(world.veteran, "pause until 2026-12-31")
    assert "2 requests are still waiting for your answer" in reply.all_text
    assert [b.label for b in buttons_in(reply.blocks)] == ["Decline them", "Keep them"]
    slack.click(world.veteran, "Decline them", message=reply)

    assert _statuses(db) == {"Newt Newhire": "declined", "Nova Fresh": "declined"}
    reasons = set(db.scalars(sa.select(Assignment.decline_reason)))
    assert reasons == {"Paused until Thu 31 Dec 2026"}
    assert "Declined 2 requests" in slack.last_ephemeral(world.veteran).all_text
    told = [m for m in slack.dms(world.manager) if "declined to mentor" in m.text]
    assert len(told) == 2
    newt = next(m for m in told if "Newt Newhire" in m.text)
    assert "Reason: Paused until Thu 31 Dec 2026" in newt.all_text
    assert "Omar Okafor" in newt.all_text
    slack.click(world.manager, "Assign", message=newt)  # the existing flow from here
    assert "Ask *Omar Okafor* to mentor *Newt Newhire*" in slack.modal_text(world.manager)
    actions = db.scalars(sa.select(AuditEntry.action)).all()
    assert actions.count("assignment.declined") == 2

    # The question is gone; pressed again anyway: nothing left to decline, nobody told twice.
    assert buttons_in(slack.last_ephemeral(world.veteran).blocks) == []
    slack.press(world.veteran, PAUSE_DECLINE_WAITING, "")
    assert len([m for m in slack.dms(world.manager) if "declined to mentor" in m.text]) == 2


def test_keeping_them_leaves_them_waiting(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    make_assignment(db, make_mentor(db, world.veteran), world.new_hire, status="pending")
    db.commit()
    reply = slack.mentor(world.veteran, "pause until 2026-12-31")
    assert "1 request is still waiting" in reply.all_text
    slack.click(world.veteran, "Keep them", message=reply)
    assert "Kept" in slack.last_ephemeral(world.veteran).all_text
    assert _statuses(db) == {"Newt Newhire": "pending"}
    assert not slack.dms(world.manager)


def test_no_question_without_waiting_requests_and_none_once_the_pause_is_off(
    slack, world, db
) -> None:  # type: ignore[no-untyped-def]
    vera = make_mentor(db, world.veteran)
    db.commit()
    quiet = slack.mentor(world.veteran, "pause until 2026-12-31")
    assert buttons_in(quiet.blocks) == [] and "Paused" in quiet.all_text

    make_assignment(db, vera, world.new_hire, status="pending")
    db.commit()
    reply = slack.mentor(world.veteran, "pause until 2027-01-15")
    slack.mentor(world.veteran, "pause off")
    slack.click(world.veteran, "Decline them", message=reply)
    assert "aren't paused any more" in slack.last_ephemeral(world.veteran).all_text
    assert _statuses(db) == {"Newt Newhire": "pending"}
