"""Sessions, completion, milestones, mentors and analytics through the REST API: each
change starts the Slack conversation the same change starts in Slack."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select

from bot.cli import main
from models import Assignment, AuditEntry, Mentor, RampMilestone
from tests.api_support import person_token, service_token
from tests.factories import make_assignment, make_mentor


def test_session_logged_through_api_tells_the_other_side(slack, world, db, api, clock) -> None:  # type: ignore[no-untyped-def]
    vera = make_mentor(db, world.veteran)
    mentorship = make_assignment(db, vera, world.new_hire)
    db.commit()
    veteran = api.as_token(person_token(db, world.veteran))
    manager = api.as_token(person_token(db, world.manager))
    when = (clock[0] - timedelta(hours=3)).isoformat()

    logged = veteran.post(
        f"/api/mentorship-assignments/{mentorship.id}/sessions",
        json={
            "session_date": when,
            "duration_minutes": 45,
            "topics_covered": ["Renewals"],
            "summary": "Walked through the renewal playbook",
            "action_items": [
                {"item": "Draft the QBR deck", "owner": "mentee", "due": "2026-12-01"}
            ],
            "resources_shared": [{"title": "Playbook", "url": "https://wiki.example.com/renewals"}],
        },
    )
    assert logged.status_code == 201, logged.text
    assert logged.json()["summary"] == "Walked through the renewal playbook"
    notice = slack.last_dm(world.new_hire).all_text
    assert "Vera Veteran" in notice and "Draft the QBR deck" in notice

    again = veteran.post(
        f"/api/mentorship-assignments/{mentorship.id}/sessions",
        json={
            "session_date": when,
            "duration_minutes": 30,
            "topics_covered": ["Renewals"],
            "summary": "Second",
        },
    )
    assert again.status_code == 409  # one session a day, as in Slack

    seen_by_manager = manager.get(f"/api/mentorship-assignments/{mentorship.id}/sessions").json()
    assert seen_by_manager["total"] == 1
    assert seen_by_manager["items"][0]["duration_minutes"] == 45
    assert seen_by_manager["items"][0]["summary"] is None  # never notes for a manager

    changed = veteran.patch(
        f"/api/mentorship-sessions/{logged.json()['id']}", json={"duration_minutes": 60}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["duration_minutes"] == 60
    assert changed.json()["summary"] == "Walked through the renewal playbook"
    assert (
        manager.patch(
            f"/api/mentorship-sessions/{logged.json()['id']}", json={"summary": "mine now"}
        ).status_code
        == 403
    )


def test_one_session_a_day_through_api_is_the_loggers_day(slack, world, db, api, clock) -> None:  # type: ignore[no-untyped-def]
    """Vera (New York) logs an evening session of Tue 17 Nov (01:00 UTC on the 18th),
    then the next morning's: two days in her calendar, so both are kept, as in Slack."""
    mentorship = make_assignment(db, make_mentor(db, world.veteran), world.new_hire)
    db.commit()
    clock[0] = clock[0].replace(day=18)
    veteran = api.as_token(person_token(db, world.veteran))
    path = f"/api/mentorship-assignments/{mentorship.id}/sessions"
    for when in ("2026-11-18T01:00:00Z", "2026-11-18T14:00:00Z"):
        body = {"session_date": when, "duration_minutes": 45, "summary": "QBR prep"}
        logged = veteran.post(path, json={**body, "topics_covered": ["Renewals"]})
        assert logged.status_code == 201, logged.text
    listed = veteran.get(f"/api/mentorship-assignments/{mentorship.id}/sessions").json()
    assert listed["total"] == 2


def test_completion_through_api_asks_the_other_side_for_feedback(slack, world, db, api) -> None:  # type: ignore[no-untyped-def]
    vera = make_mentor(db, world.veteran)
    mentorship = make_assignment(db, vera, world.new_hire)
    db.commit()
    mentee = api.as_token(person_token(db, world.new_hire))
    done = mentee.post(
        f"/api/mentorship-assignments/{mentorship.id}/complete",
        json={"feedback": "Vera made my first QBR easy", "rating": 5},
    )
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "completed"
    assert done.json()["mentee_rating"] == 5
    assert "feedback" in slack.last_dm(world.veteran).all_text.lower()
    twice = mentee.post(
        f"/api/mentorship-assignments/{mentorship.id}/complete",
        json={"feedback": "again", "rating": 1},
    )
    assert twice.status_code == 409
    db.expire_all()
    assert db.get(Assignment, mentorship.id).mentee_rating == 5


def test_milestones_through_api(slack, world, db, api, clock) -> None:  # type: ignore[no-untyped-def]
    vera = make_mentor(db, world.veteran)
    mentorship = make_assignment(db, vera, world.new_hire)
    db.commit()
    lms = api.as_token(service_token(db, "lms", "milestones:read", "milestones:write"))
    veteran = api.as_token(person_token(db, world.veteran))
    mentee = api.as_token(person_token(db, world.new_hire))

    added = lms.post(
        f"/api/mentorship-assignments/{mentorship.id}/milestones",
        json={"milestone_name": "Product certification", "target_date": "2026-12-20"},
    )
    assert added.status_code == 201, added.text
    milestone_id = uuid.UUID(added.json()["id"])
    listed = lms.get(f"/api/mentorship-assignments/{mentorship.id}/milestones").json()
    assert "Product certification" in [m["milestone_name"] for m in listed["items"]]

    submitted = mentee.patch(
        f"/api/mentee-milestones/{milestone_id}", json={"evidence": "https://lms.example.com/c/1"}
    )
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["status"] == "submitted"
    assert "Product certification" in slack.last_dm(world.veteran).all_text  # review request

    approved = veteran.patch(f"/api/mentee-milestones/{milestone_id}", json={"decision": "approve"})
    assert approved.status_code == 200, approved.text
    assert approved.json()["verification_method"] == "mentor_verified"
    assert "Product certification" in slack.last_dm(world.new_hire).all_text

    other = db.scalar(
        select(RampMilestone).where(
            RampMilestone.mentee_user_id == world.new_hire.user_id,
            RampMilestone.id != milestone_id,
            RampMilestone.achieved_date.is_(None),
        )
    )
    tracked = lms.patch(
        f"/api/mentee-milestones/{other.id}", json={"achieved_date": clock[0].date().isoformat()}
    )
    assert tracked.status_code == 200, tracked.text
    assert tracked.json()["verification_method"] == "system_tracked"
    assert (
        mentee.patch(
            f"/api/mentee-milestones/{other.id}", json={"achieved_date": "2026-11-01"}
        ).status_code
        == 403
    )


def test_a_system_may_record_the_programs_today_ahead_of_utc(slack, world, db, api, clock) -> None:  # type: ignore[no-untyped-def]
    """The program runs in Auckland, where 15:00 UTC on 17 Nov is already 18 Nov."""
    from bot.services import program

    program.update(
        db, changes={"default_timezone": "Pacific/Auckland"}, actor_id=None, now=clock[0]
    )
    mentorship = make_assignment(db, make_mentor(db, world.veteran), world.new_hire)
    db.commit()
    lms = api.as_token(service_token(db, "lms", "milestones:read", "milestones:write"))
    added = lms.post(
        f"/api/mentorship-assignments/{mentorship.id}/milestones",
        json={"milestone_name": "Product certification", "target_date": "2026-12-20"},
    )
    path = f"/api/mentee-milestones/{added.json()['id']}"
    ahead = lms.patch(path, json={"achieved_date": "2026-11-19"})
    assert ahead.status_code == 422, ahead.text
    assert "today is 2026-11-18 where the program runs" in ahead.text
    tracked = lms.patch(path, json={"achieved_date": "2026-11-18"})
    assert tracked.status_code == 200, tracked.text
    assert tracked.json()["achieved_date"] == "2026-11-18"


def test_mentor_opts_in_updates_and_opts_out_through_api(slack, world, db, api) -> None:  # type: ignore[no-untyped-def]
    veteran = api.as_token(person_token(db, world.veteran))
    opted = veteran.post("/api/mentors", json={"expertise_areas": ["Renewals"], "max_mentees": 3})
    assert opted.status_code == 201, opted.text
    mentor_id = opted.json()["id"]
    bad = veteran.patch(f"/api/mentors/{mentor_id}", json={"expertise_areas": ["Juggling"]})
    assert bad.status_code == 422
    assert "expertise_areas" in bad.json()["fields"]
    changed = veteran.patch(f"/api/mentors/{mentor_id}", json={"max_mentees": 2})
    assert changed.json()["max_mentees"] == 2
    assert changed.json()["expertise_areas"] == ["Renewals"]
    other = api.as_token(person_token(db, world.londoner))
    assert other.delete(f"/api/mentors/{mentor_id}").status_code == 403
    gone = veteran.delete(f"/api/mentors/{mentor_id}")
    assert gone.status_code == 200
    assert gone.json()["opted_out_at"] is not None
    db.expire_all()
    assert db.get(Mentor, uuid.UUID(mentor_id)).is_active is False


def test_matches_and_analytics_follow_slack_rights(slack, world, db, api) -> None:  # type: ignore[no-untyped-def]
    vera = make_mentor(db, world.veteran, expertise=["Renewals"])
    db.commit()
    manager = api.as_token(person_token(db, world.manager))
    junior = api.as_token(person_token(db, world.junior))
    bi = api.as_token(service_token(db, "bi", "analytics:read"))

    matches = manager.get(f"/api/mentors/matches?mentee={world.new_hire.user_id}").json()
    assert matches["matches"][0]["mentor_id"] == str(vera.id)
    assert set(matches["matches"][0]["factors"]) == {
        "expertise_overlap",
        "capacity_available",
        "location_match",
        "past_success_rate",
    }
    assert junior.get(f"/api/mentors/matches?mentee={world.new_hire.user_id}").status_code == 403

    program = bi.get("/api/mentorship/analytics")
    assert program.status_code == 200 and program.json()["scope"] == "program"
    assert "ramp" in program.json()["report"]
    assert bi.get("/api/mentorship/ramp-comparison").json()["scope"] == "program"
    assert bi.get(f"/api/mentors/{vera.id}/effectiveness").status_code == 200
    assert manager.get("/api/mentorship/analytics").json()["scope"] == "reports"
    assert junior.get("/api/mentorship/analytics").status_code == 403
    assert bi.get("/api/mentors").status_code == 403  # no mentors:read scope


def test_slack_api_token_and_cli_tokens_and_audit_export(  # type: ignore[no-untyped-def]
    slack, world, db, api, settings, monkeypatch, capsys
) -> None:
    slack.mentor(world.veteran, "api-token new laptop")
    shown = slack.last_ephemeral(world.veteran).all_text
    token = next(part for part in shown.split("`") if part.startswith("mbt_"))
    assert token.startswith("mbt_")
    assert api.as_token(token).get("/api/mentorship-assignments").status_code == 200
    slack.mentor(world.veteran, "api-token list")
    assert "laptop" in slack.last_ephemeral(world.veteran).all_text
    assert token not in slack.last_ephemeral(world.veteran).all_text  # shown once only
    slack.mentor(world.veteran, "api-token revoke laptop")
    assert api.as_token(token).get("/api/mentorship-assignments").status_code == 401

    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    assert (
        main(
            [
                "api-tokens",
                "create",
                "--name",
                "onboarding",
                "--scope",
                "assignments:write,analytics:read",
            ]
        )
        == 0
    )
    service = capsys.readouterr().out.strip().splitlines()[-1]
    assert api.as_token(service).get("/api/mentorship/analytics").status_code == 200
    assert main(["api-tokens", "create", "--name", "x", "--scope", "everything"]) == 2
    assert "Unknown scope everything" in capsys.readouterr().err
    assert main(["api-tokens", "list"]) == 0
    assert "onboarding" in capsys.readouterr().out
    assert main(["api-tokens", "revoke", "onboarding"]) == 0
    assert api.as_token(service).get("/api/mentorship/analytics").status_code == 401

    assert main(["audit", "export", "--format", "jsonl"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert any('"action": "api_token.revoked"' in line for line in lines)
    assert main(["audit", "export", "--since", "2999-01-01"]) == 0
    assert capsys.readouterr().out.strip() == (
        "created_at,actor_user_id,actor_slack_user_id,api_client,action,entity_type,entity_id,details"
    )
    db.expire_all()
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "api_token.created")) is not None
