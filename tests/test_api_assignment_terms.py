"""`PATCH /api/mentorship-assignments/{id}` changes a running mentorship's cadence, goals
and expected end as `/mentor edit` does in Slack: the same rules, the others told in
Slack, audited with the API client; bad input named on its field, nothing written."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from models import Assignment, AuditEntry
from tests.api_support import person_token, service_token
from tests.factories import make_assignment, make_mentor


def _fresh(db, row):  # type: ignore[no-untyped-def]
    db.expire_all()
    return db.get(type(row), row.id)


def test_the_mentor_changes_the_terms_and_the_others_hear_it_in_slack(  # type: ignore[no-untyped-def]
    slack, world, db, api
) -> None:
    pair = make_assignment(
        db,
        make_mentor(db, world.veteran),
        world.new_hire,
        goals=[{"goal": "Shadow five calls", "target_date": None, "achieved": True}],
    )
    db.commit()
    veteran = api.as_token(person_token(db, world.veteran))

    changed = veteran.patch(
        f"/api/mentorship-assignments/{pair.id}",
        json={
            "check_in_cadence": "biweekly",
            "expected_end_date": "2027-02-15",
            "goals": [
                {"goal": "Shadow five calls"},
                {"goal": "Run a QBR solo", "target_date": "2026-12-15"},
            ],
        },
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["check_in_cadence"], body["expected_end_date"]) == ("biweekly", "2027-02-15")
    assert body["goals"] == [
        {"goal": "Shadow five calls", "target_date": None, "achieved": True},  # kept
        {"goal": "Run a QBR solo", "target_date": "2026-12-15", "achieved": False},
    ]
    for person in (world.new_hire, world.manager):
        told = slack.last_dm(person).all_text
        assert "Vera Veteran changed the mentorship with" in told
        assert "Cadence: Weekly → Biweekly" in told
        assert "Expected end: Mon 25 Jan 2027 → Mon 15 Feb 2027" in told
        assert "Goals: Shadow five calls; Run a QBR solo" in told
    assert not any("changed the mentorship" in m.text for m in slack.dms(world.veteran))
    db.expire_all()
    entry = db.scalars(sa.select(AuditEntry).where(AuditEntry.action == "mentorship.changed")).one()
    assert (entry.entity_id, entry.actor_user_id) == (str(pair.id), world.veteran.user_id)
    assert entry.api_client is not None and entry.api_client.startswith("token:")


def test_one_field_changes_that_field_alone(slack, world, db, api) -> None:  # type: ignore[no-untyped-def]
    pair = make_assignment(
        db,
        make_mentor(db, world.veteran),
        world.new_hire,
        goals=[{"goal": "Run a QBR solo", "target_date": "2026-12-15", "achieved": False}],
    )
    db.commit()
    mentee = api.as_token(person_token(db, world.new_hire))

    changed = mentee.patch(
        f"/api/mentorship-assignments/{pair.id}", json={"check_in_cadence": "monthly"}
    )
    assert changed.status_code == 200, changed.text
    saved = _fresh(db, pair)
    assert saved.check_in_cadence == "monthly"
    assert saved.expected_end_date == date(2027, 1, 25)
    assert saved.goals == [
        {"goal": "Run a QBR solo", "target_date": "2026-12-15", "achieved": False}
    ]
    told = slack.last_dm(world.veteran).all_text
    assert "Cadence: Weekly → Monthly" in told and "Expected end" not in told

    # The same terms again: 200, nothing to tell, nothing audited.
    before = len(slack.dms(world.veteran))
    again = mentee.patch(
        f"/api/mentorship-assignments/{pair.id}", json={"check_in_cadence": "monthly"}
    )
    assert again.status_code == 200
    assert len(slack.dms(world.veteran)) == before
    db.expire_all()
    changes = db.scalars(sa.select(AuditEntry).where(AuditEntry.action == "mentorship.changed"))
    assert len(changes.all()) == 1


def test_bad_terms_are_named_on_their_field_and_nothing_is_written(  # type: ignore[no-untyped-def]
    slack, world, db, api
) -> None:
    vera = make_mentor(db, world.veteran)
    pair = make_assignment(db, vera, world.new_hire)
    done = make_assignment(db, vera, world.tokyo_hire, status="completed")
    db.commit()
    veteran = api.as_token(person_token(db, world.veteran))
    url = f"/api/mentorship-assignments/{pair.id}"

    for terms, field, words in (
        ({"expected_end_date": "2026-11-01"}, "expected_end_date", "can't be in the past"),
        ({"expected_end_date": "2029-06-01"}, "expected_end_date", "at most"),
        ({"check_in_cadence": "daily"}, "check_in_cadence", ""),
        ({"goals": [{"goal": "Ship it", "target_date": "2026-10-01"}]}, "goals", "before"),
        ({}, "status", "Nothing to change"),
        (
            {"status": "cancelled", "check_in_cadence": "monthly"},
            "status",
            "either",
        ),
    ):
        refused = veteran.patch(url, json=terms)
        assert refused.status_code == 422, (terms, refused.text)
        assert field in refused.json()["fields"], (terms, refused.json())
        assert words in refused.json()["fields"][field], (terms, refused.json())
    saved = _fresh(db, pair)
    assert (saved.check_in_cadence, saved.expected_end_date, saved.goals, saved.status) == (
        "weekly",
        date(2027, 1, 25),
        [],
        "active",
    )

    finished = veteran.patch(
        f"/api/mentorship-assignments/{done.id}", json={"check_in_cadence": "monthly"}
    )
    assert finished.status_code == 409
    assert "only a pending or active one can be changed" in finished.json()["message"]

    stranger = api.as_token(person_token(db, world.londoner))
    assert stranger.patch(url, json={"check_in_cadence": "monthly"}).status_code == 404
    system = api.as_token(service_token(db, "onboarding", "assignments:write"))
    assert system.patch(url, json={"check_in_cadence": "monthly"}).status_code == 403
    assert _fresh(db, pair).check_in_cadence == "weekly"
    db.expire_all()
    assert db.scalar(sa.select(AuditEntry).where(AuditEntry.action == "mentorship.changed")) is None
    assert db.scalar(sa.select(sa.func.count()).select_from(Assignment)) == 2
