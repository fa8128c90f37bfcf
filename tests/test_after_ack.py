"""Once a form is saved and acknowledged, nothing that goes wrong after can change what
Slack is answered: the work after the ack (the DMs it causes, the App Homes it
refreshes) may fail for a reason nobody planned for, and the person still sees their
form close on "saved" and the failure is logged with its cause; when the people it
concerns may hear of it late, the person is told so (a home that failed to refresh is
only logged: it is rebuilt when next opened). (Bolt's listener thread used to swap the
acknowledged answer for a 500, or lose it to a 404 "unhandled request", when the
listener raised right after its ack.)"""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from bot.delivery import deliver
from bot.listeners import home, messaging
from bot.slack_client import make_client
from models import MentorshipSession, RampMilestone
from tests.factories import make_assignment, make_mentor

QBR = "First QBR run solo"


@pytest.fixture
def pair(db, world):  # type: ignore[no-untyped-def]
    """Vera mentors Newt."""
    assignment = make_assignment(
        db, make_mentor(db, world.veteran), world.new_hire, assigned_by=world.manager
    )
    db.commit()
    return assignment


def _errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_home_refresh_that_breaks_after_a_log_is_saved_leaves_the_form_answered(  # type: ignore[no-untyped-def]
    slack, world, db, pair, monkeypatch, caplog
) -> None:
    """Only Vera's App Home failed to refresh: her session is saved, Newt is told, and
    Newt's home is refreshed all the same. Vera's home is rebuilt the next time she
    opens it, so a DM about a failure she can neither see nor act on would only alarm
    her: the failure is one log line with its cause, and she gets no DM."""
    build_home = home.build_home

    def broken_for_vera(db, actor, now):  # type: ignore[no-untyped-def]
        if actor.slack_user_id == world.veteran.id:
            raise RuntimeError("the home's query broke")
        return build_home(db, actor, now)

    slack.slash(world.veteran, "/mentor", "log")
    monkeypatch.setattr(home, "build_home", broken_for_vera)
    sent = slack.submit(world.veteran, {"Topics": ["Renewals"], "Summary": "Renewal sync."})
    monkeypatch.undo()

    assert sent.http.status == 200, sent.http.body
    assert sent.ok, sent.errors
    assert "saved" in slack.modal_text(world.veteran)
    db.expire_all()
    assert db.scalars(sa.select(MentorshipSession.summary)).all() == ["Renewal sync."]
    assert "logged your session" in slack.last_dm(world.new_hire).all_text
    assert slack.fake.home(world.new_hire.id) is not None
    assert _errors(caplog) and all(r.exc_info for r in _errors(caplog))
    assert "the home's query broke" in caplog.text
    assert slack.dms(world.veteran) == []
    assert slack.fake.home(world.veteran.id) is None
    assert "Your mentorships" in str(slack.open_home(world.veteran))  # her next look is right


def test_a_database_error_while_sending_a_submissions_dms_leaves_the_form_answered(  # type: ignore[no-untyped-def]
    slack, world, db, pair, served, settings, monkeypatch, caplog
) -> None:
    def database_gone(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OperationalError("SELECT outbox", {}, Exception("server closed the connection"))

    slack.open_home(world.new_hire)
    slack.click(world.new_hire, "Submit", home=True, near=QBR)
    monkeypatch.setattr(messaging, "deliver", database_gone)
    sent = slack.submit(world.new_hire, {"Evidence": "Ran it with Acme."})
    monkeypatch.undo()

    assert sent.http.status == 200, sent.http.body
    assert sent.ok, sent.errors
    assert "submitted" in slack.modal_text(world.new_hire)
    db.expire_all()
    milestone = db.scalars(
        sa.select(RampMilestone).where(
            RampMilestone.mentee_user_id == world.new_hire.user_id,
            RampMilestone.milestone_name == QBR,
        )
    ).one()
    assert milestone.status == "submitted"
    assert "server closed the connection" in caplog.text
    assert all(r.exc_info for r in _errors(caplog)) and _errors(caplog)
    told = slack.last_dm(world.new_hire).all_text
    assert "is saved" in told and "ref " in told, told
    # The mentor's review request was queued with the submission: the delivery worker
    # posts it on its next run.
    assert slack.dms(world.veteran) == []
    assert len(deliver(served.runtime, make_client(settings)).sent) == 1
    assert QBR in slack.last_dm(world.veteran).all_text
