"""A manager over more people than a scope names one by one (`TEAM_LISTED`) is scoped
by the recursive query over reports instead: their App Home and report still count
exactly their people, at every depth below them, and nobody beside them. The thousands
are inserted as rows in one statement: the roster, not Slack, is what this is about."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.services import analytics, roster
from bot.services.analytics import shared
from bot.testing.people import Person
from models import User
from tests.factories import make_assignment, make_mentor

LEADS = 3
PER_LEAD = 1_700  # 3 x 1,700: over TEAM_LISTED with the leads and the cast


def _people(
    db: Session, prefix: str, count: int, manager_id: uuid.UUID, hire_date: date
) -> list[uuid.UUID]:
    """`count` roster rows reporting to `manager_id`, in one INSERT."""
    rows = [
        {
            "id": uuid.uuid4(),
            "slack_user_id": f"{prefix}{n:05d}",
            "name": f"{prefix.title()} {n:05d}",
            "title": "CSM",
            "hire_date": hire_date,
            "manager_id": manager_id,
            "timezone": "America/New_York",
        }
        for n in range(count)
    ]
    db.execute(sa.insert(User), rows)
    return [r["id"] for r in rows]


def _hire(user_id: uuid.UUID, name: str) -> Person:
    return Person(name, name, "Associate CSM", "America/New_York", 10, user_id=user_id)


def test_a_manager_of_thousands_sees_exactly_their_team(  # type: ignore[no-untyped-def]
    slack, world, db, clock, monkeypatch
) -> None:
    max_id = world.manager.user_id
    today = clock[0].date()
    small = analytics.manager_report(db, manager_id=max_id, now=clock[0])

    # Max -> 3 leads -> 1,700 each; three levels below Max, 5 new hires under one of them.
    long_ago, lately = today - timedelta(days=1_000), today - timedelta(days=10)
    leads = _people(db, "ulead", LEADS, max_id, long_ago)
    first_reports = [
        _people(db, f"urep{i}x", PER_LEAD, lead, long_ago)[0] for i, lead in enumerate(leads)
    ]
    deep = _people(db, "udeep", 5, first_reports[0], lately)
    # Beside Max, under his own manager: a team of new hires that is not his.
    olga = _people(db, "uolga", 1, world.admin.user_id, long_ago)[0]
    beside = _people(db, "ubeside", 40, olga, lately)
    vera = make_mentor(db, world.veteran, max_mentees=5)
    make_assignment(db, vera, _hire(deep[0], "Udeep 00000"), assigned_by=world.manager)
    make_assignment(db, vera, _hire(beside[0], "Ubeside 00000"))
    db.commit()

    added = LEADS + LEADS * PER_LEAD + len(deep)
    assert len(roster.report_ids(db, max_id)) == small.reports + added > shared.TEAM_LISTED
    assert shared.team_of(db, max_id).values == {"manager_id": max_id}  # the recursive query

    big = analytics.manager_report(db, manager_id=max_id, now=clock[0])
    assert big.reports == small.reports + added
    assert big.coverage.new_hires == small.coverage.new_hires + len(deep)
    assert big.coverage.covered == small.coverage.covered + 1
    names = {s.name for s in big.statuses}
    assert {f"Udeep {n:05d}" for n in range(5)} <= names
    assert not any(name.startswith(("Ubeside", "Uolga", "Ulead", "Urep")) for name in names)
    assert names - {f"Udeep {n:05d}" for n in range(5)} == {s.name for s in small.statuses}
    # The same team named one id at a time gives the same report.
    monkeypatch.setattr(shared, "TEAM_LISTED", big.reports)
    assert shared.team_of(db, max_id).values != {"manager_id": max_id}
    assert analytics.manager_report(db, manager_id=max_id, now=clock[0]) == big
    monkeypatch.undo()

    home = str(slack.open_home(world.manager))
    assert f"{small.reports + added} people report to you" in home
    assert "Udeep 00001" in home and "Ubeside" not in home
