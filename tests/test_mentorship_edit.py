"""`/mentor edit [@person]` (issue 17.7): the mentor, the mentee or the mentee's manager
change the cadence, goals and expected end of a pending or active mentorship; the others
are told what changed; audited; bad input stays on the field at fault."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from models import Assignment, AuditEntry
from tests.factories import make_assignment, make_mentor


def _fresh(db, row):  # type: ignore[no-untyped-def]
    db.expire_all()
    return db.get(type(row), row.id)


def test_the_manager_changes_a_pending_request_and_the_pair_is_told(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    pair = make_assignment(
        db,
        make_mentor(db, world.veteran),
        world.new_hire,
        status="pending",
        goals=[{"goal": "Shadow five calls", "target_date": None, "achieved": False}],
    )
    db.commit()
    slack.slash(world.manager, "/mentor", f"edit {world.new_hire.mention}")
    form = slack.modal_text(world.manager)
    assert "Newt Newhire (mentored by Vera Veteran)" in form
    assert "Shadow five calls" in form  # the goals as they are, to edit

    sent = slack.submit(
        world.manager,
        {
            "Cadence": "Biweekly",
            "Goals": "Shadow five calls\nRun a QBR solo by 2026-12-15",
            "Expected end": "2027-02-15",
        },
    )
    assert sent.ok, sent.errors
    saved = _fresh(db, pair)
    assert saved.check_in_cadence == "biweekly"
    assert saved.expected_end_date == date(2027, 2, 15)
    assert [g["goal"] for g in saved.goals] == ["Shadow five calls", "Run a QBR solo"]
    assert saved.goals[1]["target_date"] == "2026-12-15"
    for person in (world.veteran, world.new_hire):
        told = slack.last_dm(person).all_text
        assert "Max Manager changed the mentorship with Newt Newhire (mentored by Vera" in told
        assert "Cadence: Weekly → Biweekly" in told
        assert "Expected end: Mon 25 Jan 2027 → Mon 15 Feb 2027" in told
        assert "Goals: Shadow five calls; Run a QBR solo" in told
    assert not any("changed the mentorship" in m.text for m in slack.dms(world.manager))
    entry = db.scalars(sa.select(AuditEntry).where(AuditEntry.action == "mentorship.changed")).one()
    assert entry.entity_id == str(pair.id)


def test_the_mentee_edits_and_bad_input_stays_on_its_field(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    pair = make_assignment(db, make_mentor(db, world.veteran), world.new_hire)
    db.commit()
    slack.slash(world.new_hire, "/mentor", "edit")  # his only mentorship
    refused = slack.submit(
        world.new_hire, {"Expected end": "2026-11-01", "Goals": "Own a renewal by 2026-10-01"}
    )
    assert "can't be in the past" in refused.errors["Expected end"]
    assert "before the start" in refused.errors["Goals"]
    refused = slack.submit(world.new_hire, {"Expected end": "2029-01-01"})
    assert "at most 104 weeks" in refused.errors["Expected end"]
    assert _fresh(db, pair).expected_end_date == date(2027, 1, 25)  # nothing written
    assert not db.scalars(sa.select(AuditEntry.action)).all().count("mentorship.changed")

    assert slack.submit(world.new_hire, {"Expected end": "2027-01-25"}).ok  # as it was
    assert "Nothing changed" in slack.modal_text(world.new_hire)
    assert not any("changed the mentorship" in m.text for m in slack.dms(world.veteran))


def test_a_completed_mentorship_or_a_stranger_cannot_edit(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    mentor = make_mentor(db, world.veteran)
    done = make_assignment(db, mentor, world.junior, status="completed")
    make_assignment(db, mentor, world.new_hire)
    db.commit()
    slack.slash(world.junior, "/mentor", "edit")
    assert "only a pending or active one can be changed" in (
        slack.last_ephemeral(world.junior).all_text
    )
    assert _fresh(db, done).status == "completed"
    slack.slash(world.londoner, "/mentor", f"edit {world.new_hire.mention}")
    assert "Only the mentor, the mentee or the mentee's manager" in (
        slack.last_ephemeral(world.londoner).all_text
    )
    assert slack.modal(world.londoner) is None
    assert db.scalars(sa.select(Assignment.check_in_cadence)).all() == ["weekly", "weekly"]


def test_an_end_before_the_start_is_refused(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    pair = make_assignment(
        db, make_mentor(db, world.veteran), world.new_hire, start=date(2026, 12, 1)
    )
    db.commit()
    slack.slash(world.veteran, "/mentor", f"edit {world.new_hire.mention}")
    refused = slack.submit(world.veteran, {"Expected end": "2026-11-25"})  # future, too early
    assert "must be after the start (Tue 1 Dec 2026)" in refused.errors["Expected end"]
    assert _fresh(db, pair).expected_end_date == date(2027, 2, 23)
