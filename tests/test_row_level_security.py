"""PostgreSQL's row-level security as a second wall behind access.py: a deliberately
unchecked SELECT on each private table, run as a mentor and as a manager through the
app's own role (neither owner nor superuser), returns only what access.py allows."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from bot.services import access, acting, feedback_texts
from models import (
    Assignment,
    CircleMember,
    CircleSession,
    MentorQuestion,
    MilestoneSubmission,
    ProgressNote,
    RampMilestone,
    TopicCircle,
    User,
)
from tests.factories import make_assignment, make_mentor, make_session

PRIVATE = {
    "mentorship_sessions": ("assignment_id", access.READ_PRIVATE),
    "progress_notes": ("assignment_id", access.READ_NOTES),
    "mentor_questions": ("assignment_id", access.READ_PRIVATE),
    "mentorship_feedback": ("assignment_id", access.READ_PRIVATE),
}


@pytest.fixture
def mentorships(backend: str, db: Session, world: Any, clock: list[Any]) -> dict[str, Any]:
    if backend != "postgresql":
        pytest.skip("row-level security is PostgreSQL's; SQLite keeps access.py alone")
    vera = make_mentor(db, world.veteran)
    omar = make_mentor(db, world.londoner)
    ours = make_assignment(db, vera, world.new_hire)
    theirs = make_assignment(db, omar, world.tokyo_hire)
    for a, mentor in ((ours, world.veteran), (theirs, world.londoner)):
        make_session(db, a, when=clock[0] - timedelta(days=3), summary=f"notes of {a.id}")
        db.add(
            ProgressNote(
                assignment_id=a.id, author_user_id=mentor.user_id, note="n", flag="on_track"
            )
        )
        db.add(
            MentorQuestion(
                assignment_id=a.id,
                asked_by_user_id=a.mentee_user_id,
                mentor_user_id=mentor.user_id,
                question="a private question",
                asked_at=clock[0],
            )
        )
        for kind, author in (
            ("mentor_feedback", mentor.user_id),
            ("mentee_feedback", a.mentee_user_id),
            ("completion_notes", None),
        ):
            feedback_texts.write(
                db, assignment_id=a.id, kind=kind, text=f"{kind} of {a.id}", author_id=author
            )
        milestone = RampMilestone(mentee_user_id=a.mentee_user_id, milestone_name=f"m {a.id}")
        db.add(milestone)
        db.flush()
        db.add(
            MilestoneSubmission(
                milestone_id=milestone.id,
                submitted_by_user_id=a.mentee_user_id,
                evidence="private evidence",
                submitted_at=clock[0],
            )
        )
    db.commit()
    return {"ours": ours, "theirs": theirs}


def _as(served: Any, person: uuid.UUID | None) -> Iterator[Session]:
    with acting.as_person(person), served.runtime.session_factory() as session:
        yield session


def _unchecked(served: Any, person: uuid.UUID | None, sql: str) -> list[Any]:
    """What a forgotten access check would hand out: a raw SELECT, acting as `person`."""
    for session in _as(served, person):
        return list(session.execute(text(sql)).all())
    return []


def _allowed(db: Session, person: uuid.UUID, what: str) -> set[uuid.UUID]:
    """The mentorships access.py lets `person` do `what` on."""
    user = db.get(User, person)
    return {a.id for a in db.query(Assignment).all() if access.allowed(db, user, what, a)}


def test_the_app_role_is_neither_owner_nor_superuser(served, mentorships) -> None:  # type: ignore[no-untyped-def]
    row = _unchecked(
        served,
        None,
        "SELECT r.rolsuper, r.rolbypassrls, t.tableowner = current_user AS owns "
        "FROM pg_roles r, pg_tables t WHERE r.rolname = current_user "
        "AND t.tablename = 'mentorship_sessions'",
    )[0]
    assert (row.rolsuper, row.rolbypassrls, row.owns) == (False, False, False)


@pytest.mark.parametrize("table", sorted(PRIVATE))
def test_unchecked_select_shows_a_person_only_what_access_allows(  # type: ignore[no-untyped-def]
    served, db, world, mentorships, table
) -> None:
    column, rule = PRIVATE[table]
    everything = {r[0] for r in _unchecked(served, None, f"SELECT {column} FROM {table}")}
    assert everything == {mentorships["ours"].id, mentorships["theirs"].id}  # the system
    for person in (world.veteran, world.new_hire, world.manager, world.londoner, world.admin):
        seen = {r[0] for r in _unchecked(served, person.user_id, f"SELECT {column} FROM {table}")}
        assert seen == _allowed(db, person.user_id, rule), (table, person.name)
    assert _unchecked(served, world.manager.user_id, f"SELECT * FROM {table}") == []


def test_submissions_only_for_the_mentee_and_their_mentor(served, world, mentorships) -> None:  # type: ignore[no-untyped-def]
    sql = "SELECT submitted_by_user_id FROM milestone_submissions"
    assert {r[0] for r in _unchecked(served, world.new_hire.user_id, sql)} == {
        world.new_hire.user_id
    }
    assert {r[0] for r in _unchecked(served, world.veteran.user_id, sql)} == {
        world.new_hire.user_id
    }
    assert _unchecked(served, world.manager.user_id, sql) == []
    assert _unchecked(served, world.junior.user_id, sql) == []


def test_completion_feedback_only_for_the_pair(served, world, mentorships) -> None:  # type: ignore[no-untyped-def]
    sql = "SELECT body FROM mentorship_feedback"
    kinds = ("mentor_feedback", "mentee_feedback", "completion_notes")
    for pair, people in (
        ("ours", (world.veteran, world.new_hire)),
        ("theirs", (world.londoner, world.tokyo_hire)),
    ):
        texts = {f"{kind} of {mentorships[pair].id}" for kind in kinds}
        for person in people:
            assert {r[0] for r in _unchecked(served, person.user_id, sql)} == texts
    for person in (world.manager, world.junior, world.admin):
        assert _unchecked(served, person.user_id, sql) == [], person.name
    assert len(_unchecked(served, None, sql)) == 6  # the system: both mentorships'


def test_a_manager_sees_the_status_columns_of_reports_sessions_only(  # type: ignore[no-untyped-def]
    served, db, world, mentorships
) -> None:
    rows = _unchecked(served, world.manager.user_id, "SELECT * FROM mentorship_session_status")
    visible = _allowed(db, world.manager.user_id, access.VIEW_STATUS)
    assert {r.assignment_id for r in rows} == visible
    assert visible  # Max manages Newt
    assert "summary" not in rows[0]._fields and "action_items" not in rows[0]._fields
    assert _unchecked(served, world.junior.user_id, "SELECT * FROM mentorship_session_status") == []


def test_a_write_for_someone_elses_mentorship_is_refused_by_the_database(  # type: ignore[no-untyped-def]
    served, world, mentorships
) -> None:
    from sqlalchemy.exc import ProgrammingError

    theirs = mentorships["theirs"].id
    for session in _as(served, world.veteran.user_id):
        with pytest.raises(ProgrammingError, match="row-level security"):
            session.execute(
                text(
                    "INSERT INTO mentorship_sessions (assignment_id, session_date, summary) "
                    "VALUES (:a, now(), 'forged')"
                ),
                {"a": theirs},
            )
        session.rollback()
        changed = session.execute(
            text("UPDATE mentorship_sessions SET summary = 'x' WHERE assignment_id = :a"),
            {"a": theirs},
        )
        assert changed.rowcount == 0


def test_db_upgrade_grants_a_plain_role_and_refuses_a_superuser(  # type: ignore[no-untyped-def]
    backend, empty_database, monkeypatch, capsys
) -> None:
    from bot.cli import main

    if backend != "postgresql":
        pytest.skip("roles are PostgreSQL's")
    monkeypatch.setenv("DATABASE_URL", empty_database)
    monkeypatch.setenv("MENTORBOT_APP_ROLE", "postgres")
    assert main(["db", "upgrade"]) == 2
    assert "'postgres' is a superuser" in capsys.readouterr().err
    monkeypatch.setenv("MENTORBOT_APP_ROLE", "no_such_role_here")
    assert main(["db", "upgrade"]) == 2
    assert "there is no database role 'no_such_role_here'" in capsys.readouterr().err


def test_circle_notes_only_for_the_host_and_members(served, db, world, mentorships, clock) -> None:  # type: ignore[no-untyped-def]
    """A circle session's notes are the circle's: its host and members read them, nobody
    else (not another mentor, a manager or an admin), the system reads all."""
    hosts = {
        "renewals": (mentorships["ours"].mentor_id, world.new_hire),
        "discovery": (mentorships["theirs"].mentor_id, world.tokyo_hire),
    }
    for name, (mentor_id, member) in hosts.items():
        circle = TopicCircle(
            host_mentor_id=mentor_id, name=name, topic=name, seats=3, cadence="weekly"
        )
        db.add(circle)
        db.flush()
        db.add(CircleMember(circle_id=circle.id, user_id=member.user_id, joined_at=clock[0]))
        db.add(
            CircleSession(
                circle_id=circle.id,
                session_day=clock[0].date(),
                duration_minutes=60,
                topics=name,
                notes=f"notes of {name}",
                logged_by_user_id=world.admin.user_id,
            )
        )
    db.commit()
    sql = "SELECT notes FROM circle_sessions"
    assert len(_unchecked(served, None, sql)) == 2  # the system
    for person, seen in (
        (world.veteran, {"notes of renewals"}),
        (world.new_hire, {"notes of renewals"}),
        (world.londoner, {"notes of discovery"}),
        (world.tokyo_hire, {"notes of discovery"}),
    ):
        assert {r[0] for r in _unchecked(served, person.user_id, sql)} == seen, person.name
    for person in (world.manager, world.junior, world.admin):
        assert _unchecked(served, person.user_id, sql) == [], person.name
