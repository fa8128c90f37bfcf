"""The REST API's mentorships, from the onboarding system's side and the people's:
the same rules and the same Slack conversation as the Slack flow."""

from __future__ import annotations

from sqlalchemy import select

from models import Assignment, AuditEntry, Mentor
from tests.api_support import person_token, service_token
from tests.factories import make_assignment, make_mentor

TERMS = {
    "start_date": "2026-11-17",
    "expected_end_date": "2027-02-09",
    "check_in_cadence": "biweekly",
    "goals": [{"goal": "Run a QBR solo", "target_date": "2026-12-15"}, {"goal": "Shadow renewals"}],
    "expectations_confirmed": True,
}


def test_onboarding_system_creates_mentor_accepts_in_slack_api_shows_active(  # type: ignore[no-untyped-def]
    slack, world, db, api
) -> None:
    vera = make_mentor(db, world.veteran, expertise=["Renewals"])
    db.commit()
    onboarding = api.as_token(
        service_token(db, "onboarding", "assignments:write", "assignments:read")
    )

    created = onboarding.post(
        "/api/mentorship-assignments",
        json={"mentor_id": str(vera.id), "mentee_user_id": str(world.new_hire.user_id), **TERMS},
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["status"] == "pending"
    assert body["check_in_cadence"] == "biweekly"
    assert body["goals"][0] == {
        "goal": "Run a QBR solo",
        "target_date": "2026-12-15",
        "achieved": False,
    }
    assert body["created_at"].endswith(("Z", "+00:00"))  # ISO 8601 with an offset

    offer = slack.last_dm(world.veteran)
    assert "asks you to mentor *Newt Newhire*" in offer.all_text
    slack.click(world.veteran, "Accept", message=offer)
    assert "Vera Veteran" in slack.last_dm(world.new_hire).all_text  # the intro
    assert "accepted" in slack.last_dm(world.manager).all_text

    shown = onboarding.get(f"/api/mentorship-assignments/{body['id']}")
    assert shown.status_code == 200
    assert shown.json()["status"] == "active"
    assert shown.json()["mentor_accepted_at"] is not None

    db.expire_all()
    requested = db.scalar(select(AuditEntry).where(AuditEntry.action == "assignment.requested"))
    assert requested.api_client == "service:onboarding"
    assert requested.actor_user_id is None
    accepted = db.scalar(select(AuditEntry).where(AuditEntry.action == "assignment.accepted"))
    assert accepted.api_client is None  # that one came from Slack


def test_manager_creates_through_api_mentor_accepts_through_api_replay_is_harmless(  # type: ignore[no-untyped-def]
    slack, world, db, api
) -> None:
    vera = make_mentor(db, world.veteran, expertise=["Renewals"], max_mentees=1)
    db.commit()
    manager = api.as_token(person_token(db, world.manager))
    veteran = api.as_token(person_token(db, world.veteran))
    created = manager.post(
        "/api/mentorship-assignments",
        json={"mentor_id": str(vera.id), "mentee_user_id": str(world.new_hire.user_id), **TERMS},
    )
    assert created.status_code == 201, created.text
    assert "I asked Vera Veteran to mentor Newt Newhire" in slack.last_dm(world.manager).all_text
    assignment_id = created.json()["id"]

    first = veteran.post(f"/api/mentorship-assignments/{assignment_id}/accept")
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "active"
    slack.wait_idle()
    assert "Vera Veteran" in slack.last_dm(world.new_hire).all_text
    intros = len(slack.dms(world.new_hire))

    again = veteran.post(f"/api/mentorship-assignments/{assignment_id}/accept")
    assert again.status_code == 200
    assert again.json()["status"] == "active"
    db.expire_all()
    assert db.get(Mentor, vera.id).current_mentee_count == 1  # the slot taken once
    accepted = db.scalars(
        select(AuditEntry).where(AuditEntry.action == "assignment.accepted")
    ).all()
    assert len(accepted) == 1
    assert accepted[0].api_client == f"token:{'Vera Veteran token'}"
    assert accepted[0].actor_user_id == world.veteran.user_id
    slack.wait_idle()
    assert len(slack.dms(world.new_hire)) == intros  # not introduced twice


def test_full_mentor_is_409_and_nothing_is_written(slack, world, db, api) -> None:  # type: ignore[no-untyped-def]
    vera = make_mentor(db, world.veteran, max_mentees=1)
    make_assignment(db, vera, world.junior)
    db.commit()
    manager = api.as_token(person_token(db, world.manager))
    refused = manager.post(
        "/api/mentorship-assignments",
        json={"mentor_id": str(vera.id), "mentee_user_id": str(world.new_hire.user_id), **TERMS},
    )
    assert refused.status_code == 409
    assert refused.json()["error"] == "conflict"
    assert "no free slot" in refused.json()["message"]
    db.expire_all()
    assert db.scalar(select(Assignment).where(Assignment.status == "pending")) is None


def test_bad_input_names_the_field(slack, world, db, api) -> None:  # type: ignore[no-untyped-def]
    vera = make_mentor(db, world.veteran)
    db.commit()
    manager = api.as_token(person_token(db, world.manager))
    base = {"mentor_id": str(vera.id), "mentee_user_id": str(world.new_hire.user_id), **TERMS}

    unconfirmed = manager.post(
        "/api/mentorship-assignments", json={**base, "expectations_confirmed": False}
    )
    assert unconfirmed.status_code == 422
    assert "expectations_confirmed" in unconfirmed.json()["fields"]

    backwards = manager.post(
        "/api/mentorship-assignments", json={**base, "expected_end_date": "2026-11-01"}
    )
    assert backwards.status_code == 422
    assert "expected_end_date" in backwards.json()["fields"]

    unknown = manager.post("/api/mentorship-assignments", json={**base, "salary": 1})
    assert unknown.status_code == 422
    assert "unknown field" in unknown.json()["fields"]["salary"]

    wrong_type = manager.post("/api/mentorship-assignments", json={**base, "goals": "lots"})
    assert wrong_type.status_code == 422
    assert "goals" in wrong_type.json()["fields"]

    malformed = manager.post(
        "/api/mentorship-assignments",
        content=b'{"mentor_id": ',
        headers={"Content-Type": "application/json"},
    )
    assert malformed.status_code == 422
    assert malformed.json()["error"] == "invalid_input"

    injected = manager.get("/api/mentorship-assignments?status=active'%20OR%201=1--")
    assert injected.status_code == 422
    assert "status" in injected.json()["fields"]

    huge = manager.get("/api/mentorship-assignments?limit=10000")
    assert huge.status_code == 422
    assert "limit" in huge.json()["fields"]

    too_big = manager.post(
        "/api/mentorship-assignments",
        content=b"x" * 10_000_000,
        headers={"Content-Type": "application/json"},
    )
    assert too_big.status_code == 413
    db.expire_all()
    assert db.scalar(select(Assignment)) is None

    sql = "Robert'); DROP TABLE users; --"
    stored = manager.post("/api/mentorship-assignments", json={**base, "goals": [{"goal": sql}]})
    assert stored.status_code == 201, stored.text
    assert stored.json()["goals"][0]["goal"] == sql  # kept as text, never run
    assert manager.get(f"/api/mentors/matches?mentee={world.new_hire.user_id}").status_code == 200


def test_people_see_only_what_slack_shows_them(slack, world, db, api) -> None:  # type: ignore[no-untyped-def]
    vera = make_mentor(db, world.veteran)
    omar = make_mentor(db, world.londoner)
    ours = make_assignment(
        db, vera, world.new_hire, assigned_by=world.manager, mentee_feedback="Vera was great"
    )
    theirs = make_assignment(db, omar, world.tokyo_hire)
    db.commit()
    veteran = api.as_token(person_token(db, world.veteran))
    manager = api.as_token(person_token(db, world.manager))
    londoner = api.as_token(person_token(db, world.londoner))

    mine = veteran.get("/api/mentorship-assignments").json()
    assert [a["id"] for a in mine["items"]] == [str(ours.id)]
    assert mine["total"] == 1 and mine["next_offset"] is None
    assert veteran.get(f"/api/mentorship-assignments/{ours.id}").json()["mentee_feedback"] == (
        "Vera was great"
    )

    as_manager = manager.get(f"/api/mentorship-assignments/{ours.id}")
    assert as_manager.status_code == 200
    assert as_manager.json()["status"] == "active"
    assert as_manager.json()["mentee_feedback"] is None  # never text for a manager

    stranger = londoner.get(f"/api/mentorship-assignments/{ours.id}")
    assert stranger.status_code == 404  # not even told it exists
    assert londoner.post(f"/api/mentorship-assignments/{ours.id}/accept").status_code == 404
    assert veteran.get(f"/api/mentorship-assignments/{theirs.id}").status_code == 404

    db.expire_all()
    reads = db.scalars(select(AuditEntry).where(AuditEntry.action == "private.read")).all()
    # The list and the single read each handed Vera the feedback text; nobody else got it.
    assert [(r.actor_user_id, r.entity_id) for r in reads] == [
        (world.veteran.user_id, str(ours.id))
    ] * 2


def test_tokens_401_and_scopes_403(slack, world, db, api) -> None:  # type: ignore[no-untyped-def]
    from bot.services import api_tokens
    from tests.api_support import NOW

    assert api.get("/api/mentors").status_code == 401
    assert api.get("/api/mentors").json()["error"] == "unauthorized"
    assert api.as_token("mbt_not-a-real-token").get("/api/mentors").status_code == 401
    analyst = service_token(db, "bi", "analytics:read")
    bi = api.as_token(analyst)
    refused = bi.get("/api/mentorship-assignments")
    assert refused.status_code == 403
    assert "assignments:read" in refused.json()["message"]

    token = person_token(db, world.manager)
    assert api.as_token(token).get("/api/mentors").status_code == 200
    api_tokens.revoke(db, user_id=world.manager.user_id, ref="Max Manager token", now=NOW)
    db.commit()
    assert api.as_token(token).get("/api/mentors").status_code == 401
    stored = db.scalars(select(api_tokens.ApiToken.token_hash)).all()
    assert token not in stored and api_tokens.hash_token(token) in stored


def test_a_request_made_through_the_api_falls_back_after_48_hours_once(  # type: ignore[no-untyped-def]
    slack, world, db, api, served, settings, clock
) -> None:
    """The same services do the work: the sweep's 48-hour fallback and its exactly-once
    ledger hold for a request the onboarding system made."""
    from tests.reminders_support import at, sent, sweeper

    vera = make_mentor(db, world.veteran, expertise=["Renewals"])
    make_mentor(db, world.londoner, expertise=["Product knowledge"])
    db.commit()
    onboarding = api.as_token(service_token(db, "onboarding", "assignments:write"))
    clock[0] = at("2026-11-16T15:00")
    created = onboarding.post(
        "/api/mentorship-assignments",
        json={"mentor_id": str(vera.id), "mentee_user_id": str(world.new_hire.user_id), **TERMS},
    )
    assert created.status_code == 201, created.text

    sweep = sweeper(served, settings)

    def at_time(now):  # type: ignore[no-untyped-def]
        clock[0] = now
        return sweep(now)

    assert sent(at_time(at("2026-11-18T14:00")), "request_fallback") == []  # 47 hours
    assert sent(at_time(at("2026-11-18T15:00")), "request_fallback") == ["UMAX"]
    assert "Omar Okafor" in slack.last_dm(world.manager).all_text  # the next suggestion
    assert sent(at_time(at("2026-11-19T15:00")), "request_fallback") == []
