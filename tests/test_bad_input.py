"""Whatever Slack can send: a click on a message that is gone, a click or a modal for
something the bot no longer has, an event from a stranger. Each gets HTTP 200, a clear
answer to the person where there is one, one log line, and nothing half-written."""

from __future__ import annotations

import logging
from datetime import timedelta

import sqlalchemy as sa

from models import Assignment, AuditEntry, MentorshipSession, User
from tests.factories import make_assignment, make_mentor
from tests.flows import assign


def _count(db, model) -> int:  # type: ignore[no-untyped-def]
    db.expire_all()
    return db.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def _lines_from_the_app(caplog) -> list[logging.LogRecord]:  # type: ignore[no-untyped-def]
    """What the app itself logged (not Bolt's or slack_sdk's chatter)."""
    return [r for r in caplog.records if r.name.startswith("bot.")]


def _is_one_line(record: logging.LogRecord) -> bool:
    return record.exc_info is None and "\n" not in record.getMessage()


def _offer_to_vera(slack, world, db):  # type: ignore[no-untyped-def]
    make_mentor(db, world.veteran)
    db.commit()
    assert assign(slack, world.manager, world.veteran, world.new_hire).ok
    return slack.last_dm(world.veteran)


def test_accept_on_a_message_slack_has_deleted_still_accepts_and_says_so(
    slack, world, db, caplog
) -> None:  # type: ignore[no-untyped-def]
    offer = _offer_to_vera(slack, world, db)
    # A retention policy removes the DM while Vera's client still shows it.
    assert slack.fake.api_chat_delete({"channel": offer.channel, "ts": offer.ts})["ok"]
    caplog.set_level(logging.INFO, logger="bot")

    reply = slack.click(world.veteran, "Accept", message=offer)

    assert reply.status == 200
    db.expire_all()
    assert db.scalar(sa.select(Assignment.status)) == "active"
    assert "Vera Veteran" in slack.last_dm(world.new_hire).all_text  # the intro still goes
    told = slack.last_ephemeral(world.veteran).text
    assert "mentor Newt Newhire" in told and "accepted" in told.lower()
    [line] = [r for r in _lines_from_the_app(caplog) if "message_not_found" in r.getMessage()]
    assert _is_one_line(line)


def test_accept_for_a_request_the_bot_no_longer_has_says_so_and_writes_nothing(
    slack, world, db, caplog
) -> None:  # type: ignore[no-untyped-def]
    offer = _offer_to_vera(slack, world, db)
    slack.open_home(world.veteran)  # her first request (audited as such) comes first
    db.execute(sa.delete(Assignment))
    db.commit()
    audit_rows = _count(db, AuditEntry)
    caplog.set_level(logging.INFO, logger="bot")

    reply = slack.click(world.veteran, "Accept", message=offer)

    assert reply.status == 200
    assert "I can't find that request any more." in slack.last_ephemeral(world.veteran).text
    assert _count(db, Assignment) == 0 and _count(db, AuditEntry) == audit_rows
    assert "Vera Veteran" not in " ".join(m.all_text for m in slack.dms(world.new_hire))
    [line] = [r for r in _lines_from_the_app(caplog) if "can't find that request" in r.getMessage()]
    assert _is_one_line(line)


def test_a_decline_sent_after_the_request_was_withdrawn_is_refused_on_the_form(
    slack, world, db, clock
) -> None:  # type: ignore[no-untyped-def]
    offer = _offer_to_vera(slack, world, db)
    slack.click(world.veteran, "Decline", message=offer)
    assert "Decline" in slack.modal_text(world.veteran)
    # Vera leaves the modal open for days; past the fallback time Max asks Omar
    # instead, which withdraws her unanswered request.
    clock[0] += timedelta(days=4)
    make_mentor(db, world.londoner)
    db.commit()
    assert assign(slack, world.manager, world.londoner, world.new_hire).ok
    audit_rows = _count(db, AuditEntry)

    sent = slack.submit(world.veteran, {"Reason": "No capacity"})

    assert sent.http.status == 200
    assert "withdrawn" in " ".join(sent.errors.values())
    db.expire_all()
    statuses = sorted(db.scalars(sa.select(Assignment.status)))
    assert statuses == ["cancelled", "pending"]  # nothing declined
    assert _count(db, AuditEntry) == audit_rows


def test_a_session_logged_for_a_mentorship_since_deleted_is_refused_on_the_form(
    slack, world, db, caplog
) -> None:  # type: ignore[no-untyped-def]
    assignment = make_assignment(db, make_mentor(db, world.veteran), world.new_hire)
    db.commit()
    slack.slash(world.veteran, "/mentor", "log")
    assert "Newt Newhire" in slack.modal_text(world.veteran)
    db.execute(sa.delete(Assignment).where(Assignment.id == assignment.id))
    db.commit()
    audit_rows = _count(db, AuditEntry)
    caplog.set_level(logging.INFO, logger="bot")

    sent = slack.submit(world.veteran, {"Topics": ["Renewals"], "Summary": "Quick sync."})

    assert sent.http.status == 200
    assert "can't find that mentorship" in " ".join(sent.errors.values())
    assert _count(db, MentorshipSession) == 0 and _count(db, AuditEntry) == audit_rows
    [line] = _lines_from_the_app(caplog)
    assert "can't find that mentorship" in line.getMessage() and _is_one_line(line)


def test_app_home_opened_by_someone_slack_cannot_find_gets_200_and_one_line(
    slack, db, caplog
) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.INFO, logger="bot")
    reply = slack.event(
        {"type": "app_home_opened", "user": "UGHOST", "channel": "DGHOST", "tab": "home"}
    )
    assert reply.status == 200
    slack.wait_idle()
    lines = _lines_from_the_app(caplog)
    assert lines and all(_is_one_line(r) for r in lines)
    assert any("UGHOST" in r.getMessage() for r in lines)


def test_team_join_for_someone_not_in_the_roster_sends_nothing(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    # In Slack's directory (they just joined) but not in the HR roster: no new hire of
    # the program, so no manager is nudged about a mentor for them.
    slack.fake.add_user("USTRANGER", "Sam Stranger")
    reply = slack.event({"type": "team_join", "user": {"id": "USTRANGER", "name": "sam"}})
    assert reply.status == 200
    assert slack.fake.calls_to("chat.postMessage") == []
    db.expire_all()
    assert db.scalar(sa.select(User.hire_date).where(User.slack_user_id == "USTRANGER")) is None


def test_an_event_from_another_workspace_is_ignored_with_one_line(slack, world, db, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.INFO, logger="bot")
    users = _count(db, User)
    body_team = "TOTHERORG"
    reply = slack.event(
        {"type": "app_home_opened", "user": "UOUTSIDER", "channel": "DOUT", "tab": "home"},
        team_id=body_team,
    )
    assert reply.status == 200
    assert _count(db, User) == users  # no stranger put in the roster
    assert slack.fake.home("UOUTSIDER") is None
    [line] = [r for r in _lines_from_the_app(caplog) if body_team in r.getMessage()]
    assert _is_one_line(line)
