"""Capacity under concurrency: of two accepts or assigns racing for a mentor's last
slot exactly one wins, and the other person is told why."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.services import answers, assignment_views, assignments
from bot.services.errors import CapacityFull, DomainError
from models import Assignment, Mentor
from tests.factories import make_assignment, make_mentor
from tests.flows import assign


def _race(engine, *calls: Callable[[Session], Any]) -> list[Any]:  # type: ignore[no-untyped-def]
    """Run each call in its own thread and session, released together by a barrier;
    each commits on success. Returns each call's result or the exception it raised."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[Session], Any]) -> None:
        with Session(engine) as session:
            barrier.wait()
            try:
                results[index] = call(session)
                session.commit()
            except Exception as exc:
                session.rollback()
                results[index] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def _postgres_only(backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL (SQLite has one writer)")


def test_two_accepts_racing_for_the_last_slot_one_wins(backend, engine, db, world, clock) -> None:  # type: ignore[no-untyped-def]
    _postgres_only(backend)
    vera = make_mentor(db, world.veteran, max_mentees=1)
    first = make_assignment(db, vera, world.new_hire, status="pending", assigned_by=world.manager)
    second = make_assignment(
        db, vera, world.tokyo_hire, status="pending", assigned_by=world.manager
    )
    db.commit()

    def accepting(assignment_id):  # type: ignore[no-untyped-def]
        return lambda session: answers.accept(
            session, assignment_id=assignment_id, actor_id=world.veteran.user_id, now=clock[0]
        )

    for _ in range(5):  # several rounds, so a lucky ordering can't hide a lost update
        results = _race(engine, accepting(first.id), accepting(second.id))
        winners = [r for r in results if isinstance(r, assignment_views.AssignmentView)]
        losers = [r for r in results if isinstance(r, CapacityFull)]
        assert len(winners) == 1 and len(losers) == 1, results
        assert "You have no free slot left" in str(losers[0])
        db.expire_all()
        assert db.get(Mentor, vera.id).current_mentee_count == 1
        statuses = sorted(db.scalars(select(Assignment.status)))
        assert statuses == ["active", "pending"]
        # reset for the next round
        for a in db.scalars(select(Assignment)):
            a.status, a.mentor_accepted_at = "pending", None
        db.get(Mentor, vera.id).current_mentee_count = 0
        db.commit()


def test_two_assigns_racing_for_the_last_slot_one_wins(backend, engine, db, world, clock) -> None:  # type: ignore[no-untyped-def]
    _postgres_only(backend)
    vera = make_mentor(db, world.veteran, max_mentees=1)
    db.commit()

    def asking(actor, mentee):  # type: ignore[no-untyped-def]
        return lambda session: assignments.request(
            session,
            actor_id=actor.user_id,
            mentor_id=vera.id,
            mentee_id=mentee.user_id,
            now=clock[0],
            start_date="2026-11-17",
            expected_end="2027-02-09",
            cadence="weekly",
            goals="",
            confirmed=True,
        )

    results = _race(
        engine, asking(world.manager, world.new_hire), asking(world.admin, world.tokyo_hire)
    )
    winners = [r for r in results if isinstance(r, assignments.Requested)]
    losers = [r for r in results if isinstance(r, CapacityFull)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert "Vera Veteran has no free slot" in str(losers[0])
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Assignment)) == 1


def test_the_same_accept_twice_at_once_is_applied_once(backend, engine, db, world, clock) -> None:  # type: ignore[no-untyped-def]
    _postgres_only(backend)
    vera = make_mentor(db, world.veteran, max_mentees=3)
    request = make_assignment(db, vera, world.new_hire, status="pending")
    db.commit()

    def accepting(session):  # type: ignore[no-untyped-def]
        return answers.accept(
            session, assignment_id=request.id, actor_id=world.veteran.user_id, now=clock[0]
        )

    results = _race(engine, accepting, accepting)
    assert sum(isinstance(r, assignment_views.AssignmentView) for r in results) == 1
    assert sum(isinstance(r, assignments.AlreadyAnswered) for r in results) == 1
    db.expire_all()
    mentor = db.get(Mentor, vera.id)
    assert (mentor.current_mentee_count, mentor.total_mentees_to_date) == (1, 1)


def test_the_mentor_who_is_full_is_told_why_and_can_still_decline(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    vera = make_mentor(db, world.veteran, max_mentees=1)
    db.commit()
    assert assign(slack, world.manager, world.veteran, world.new_hire).ok
    # Meanwhile Vera's last slot went to a mentorship made elsewhere (e.g. by an admin).
    make_assignment(db, db.get(Mentor, vera.id), world.junior)
    db.commit()
    offer = slack.last_dm(world.veteran)
    slack.click(world.veteran, "Accept", message=offer)
    assert (
        "You have no free slot left (all 1 are taken)" in slack.last_ephemeral(world.veteran).text
    )
    db.expire_all()
    assert (
        db.scalar(
            select(Assignment.status).where(Assignment.mentee_user_id == world.new_hire.user_id)
        )
        == "pending"
    )
    assert db.get(Mentor, vera.id).current_mentee_count == 1
    assert "[Decline]" in slack.last_dm(world.veteran).rendered


def test_unanswered_requests_are_listed_for_the_sweep(db, world, clock) -> None:  # type: ignore[no-untyped-def]
    vera = make_mentor(db, world.veteran, max_mentees=3)
    old = make_assignment(
        db, vera, world.new_hire, status="pending", created_at=clock[0] - timedelta(hours=30)
    )
    make_assignment(db, vera, world.tokyo_hire, status="pending", created_at=clock[0])
    db.commit()
    assert answers.unanswered_requests(db, now=clock[0], older_than_hours=24) == [old.id]
    assert answers.unanswered_requests(db, now=clock[0], older_than_hours=48) == []


def test_domain_errors_say_what_to_do(db, world, clock) -> None:  # type: ignore[no-untyped-def]
    vera = make_mentor(db, world.veteran)
    done = make_assignment(db, vera, world.new_hire, status="cancelled")
    db.commit()
    with pytest.raises(DomainError, match="was withdrawn, so there is nothing to answer"):
        answers.accept(db, assignment_id=done.id, actor_id=world.veteran.user_id, now=clock[0])
