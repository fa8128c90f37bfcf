"""Skill self-assessment (FR-4.2/4.3), the mentor's notes and flag (FR-4.4), escalation,
and what a manager sees with `/mentor status` (FR-4.5)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from models import AuditEntry, ProgressNote, SkillAssessment
from tests.factories import make_assignment, make_mentor, make_session


@pytest.fixture
def pair(db, world):  # type: ignore[no-untyped-def]
    mentor = make_mentor(db, world.veteran)
    assignment = make_assignment(
        db, mentor, world.new_hire, focus_skills=["Renewals", "QBRs & business reviews"]
    )
    db.commit()
    return assignment


def test_mentee_rates_focus_skills_and_sees_the_trend(slack, world, db, pair, clock) -> None:  # type: ignore[no-untyped-def]
    slack.slash(world.new_hire, "/mentor", "skills")
    form = slack.modal_text(world.new_hire)
    assert "Renewals" in form and "QBRs & business reviews" in form
    assert slack.submit(world.new_hire, {"Renewals": "2", "QBRs & business reviews": "1"}).ok
    clock[0] += timedelta(days=7)
    slack.slash(world.new_hire, "/mentor", "skills")
    assert "So far: 2" in str(slack.modal(world.new_hire))
    assert slack.submit(world.new_hire, {"Renewals": "4"}).ok
    assert "Renewals: 2 → 4 ↑" in slack.modal_text(world.new_hire)
    db.expire_all()
    assert db.scalar(sa.select(sa.func.count()).select_from(SkillAssessment)) == 3


def test_skill_ratings_outside_one_to_five_are_refused(slack, world, db, pair) -> None:  # type: ignore[no-untyped-def]
    slack.slash(world.new_hire, "/mentor", "skills")
    bad = slack.submit(world.new_hire, {"Renewals": "9"})
    assert "from 1 to 5" in bad.errors["Renewals"]
    none = slack.submit(world.new_hire, {})
    assert "at least one skill" in none.errors["Renewals"]
    assert db.scalar(sa.select(sa.func.count()).select_from(SkillAssessment)) == 0


def test_only_the_mentee_rates_their_skills(slack, world, pair) -> None:  # type: ignore[no-untyped-def]
    assert "no active one as a mentee" in slack.mentor(world.veteran, "skills").all_text


def test_at_risk_tells_the_manager_the_flag_only_and_offers_escalation(
    slack, world, db, pair
) -> None:  # type: ignore[no-untyped-def]
    slack.slash(world.veteran, "/mentor", f"progress {world.new_hire.mention}")
    assert "Only you can read them" in slack.modal_text(world.veteran)
    sent = slack.submit(
        world.veteran, {"Flag": "At risk", "Note": "Struggles with pricing; anxious on calls."}
    )
    assert sent.ok, sent.errors
    db.expire_all()
    assert db.get(type(pair), pair.id).progress_flag == "at_risk"
    told = slack.last_dm(world.manager).all_text
    assert "flagged Newt Newhire's mentorship as at risk" in told
    assert "pricing" not in told and "anxious" not in told

    offer = slack.last_dm(world.veteran)
    slack.click(world.veteran, "Escalate", message=offer)
    assert "escalated their mentorship with Newt Newhire" in slack.last_dm(world.admin).all_text
    assert "pricing" not in slack.last_dm(world.admin).all_text
    assert "Escalated" in slack.last_ephemeral(world.veteran).all_text
    slack.click(world.veteran, "Escalate", message=offer)  # once is enough
    assert "already escalated" in slack.last_ephemeral(world.veteran).all_text
    assert len(slack.dms(world.admin)) == 1
    note = db.scalars(sa.select(ProgressNote)).one()
    assert note.escalated_at is not None
    actions = set(db.scalars(sa.select(AuditEntry.action)))
    assert {"progress.noted", "progress.escalated"} <= actions


def test_back_on_track_is_also_told_and_notes_stay_with_the_mentor(slack, world, db, pair) -> None:  # type: ignore[no-untyped-def]
    slack.slash(world.veteran, "/mentor", "progress")
    assert slack.submit(world.veteran, {"Flag": "At risk", "Note": "Rough week."}).ok
    slack.open_home(world.veteran)
    slack.click(world.veteran, "Progress", home=True, near="Newt Newhire")
    assert "Rough week." in slack.modal_text(world.veteran)  # the mentor's own history
    assert slack.submit(world.veteran, {"Flag": "On track", "Note": "Much better."}).ok
    assert "back on track" in slack.last_dm(world.manager).all_text


def test_a_manager_asking_for_notes_is_refused(slack, world, pair) -> None:  # type: ignore[no-untyped-def]
    reply = slack.mentor(world.manager, f"progress {world.new_hire.mention}")
    assert "no active mentorship" in reply.all_text
    assert slack.modal(world.manager) is None


def test_status_shows_counts_flags_and_milestones_never_text(slack, world, db, pair) -> None:  # type: ignore[no-untyped-def]
    for day, before, after in ((3, 2, 3), (10, 3, 4)):
        make_session(
            db,
            pair,
            when=datetime(2026, 11, day, 15, tzinfo=UTC),
            summary=f"Secret summary {day}",
            mentee_confidence_before=before,
            mentee_confidence_after=after,
            action_items=[
                {
                    "id": f"i{day}",
                    "item": f"Secret item {day}",
                    "owner": "mentee",
                    "due": None,
                    "done": False,
                    "done_at": None,
                }
            ],
        )
    pair.progress_flag = "on_track"
    db.commit()
    text = slack.mentor(world.manager, f"status {world.new_hire.mention}").all_text
    assert "Vera Veteran" in text and "active" in text
    assert "*Sessions held*\n2" in text and "Tue 10 Nov 2026" in text
    assert "3 → 4 ↑" in text and "on track" in text
    assert "Milestones: 0 of 6 achieved" in text
    assert "Secret" not in text
    # The mentor sees the private part of their own mentorship.
    mine = slack.mentor(world.veteran, f"status {world.new_hire.mention}").all_text
    assert "Secret summary 10" in mine and "Secret item 3" in mine
    # `/mentor status` alone: the manager's new hires.
    overview = slack.mentor(world.manager, "status").all_text.lower()
    assert "newt newhire's mentorship" in overview and "nova fresh's mentorship" in overview
    assert "no mentor yet" in overview
