"""Demo: the onboarding system asks a mentor through the REST API, and the mentor
answers in Slack, as if a manager had asked there."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import httpx
from sqlalchemy import select

from bot.services import api_tokens, coverage
from models import User

if TYPE_CHECKING:
    from bot.demo import Demo

#: New hires in the demo's cast, in the order the onboarding system would look at them.
HIRES = ("UNOVA", "UNEWT")


def onboarding_system_asks_through_the_api(demo: Demo) -> None:
    runtime = demo.app.runtime
    with runtime.db() as db:
        issued = api_tokens.issue_service(
            db,
            name="onboarding",
            scopes=["mentors:read", "assignments:write", "assignments:read"],
            now=runtime.now(),
        )
        hires = {
            u.slack_user_id: u
            for u in db.scalars(select(User).where(User.slack_user_id.in_(HIRES)))
        }
        waiting = [s for s in HIRES if s in hires and not coverage.is_covered(db, hires[s].id)]
    if not waiting:
        return
    hire = hires[waiting[0]]
    demo.step("The onboarding system asks for a mentor through the REST API")
    print(
        "\nAn operator gave it a token: mentorbot api-tokens create --name onboarding "
        "--scope mentors:read,assignments:write,assignments:read"
    )
    headers = {"Authorization": f"Bearer {issued.token[:8]}…"}
    client = httpx.Client(
        base_url=demo.app.url, headers={"Authorization": f"Bearer {issued.token}"}, timeout=30
    )
    with client:
        matches = _call(client, "GET", f"/api/mentors/matches?mentee={hire.id}&limit=1", headers)
        if not matches.get("matches"):
            print("\n(No mentor has a free slot for them right now.)")
            return
        best = matches["matches"][0]
        start = runtime.now().date()
        body = {
            "mentor_id": best["mentor_id"],
            "mentee_user_id": str(hire.id),
            "start_date": start.isoformat(),
            "expected_end_date": (start + timedelta(weeks=12)).isoformat(),
            "check_in_cadence": "weekly",
            "goals": [{"goal": "First customer call on their own"}],
            "expectations_confirmed": True,
        }
        mentor_slack = _slack_id(demo, best["user_id"])
        seen = len(demo.slack.dms(mentor_slack))
        created = _call(client, "POST", "/api/mentorship-assignments", headers, body)
        offer = demo.new_dms(mentor_slack, seen)
        if not offer:
            return
        demo.step("The mentor answers in Slack; the onboarding system sees it")
        demo.slack.click(mentor_slack, "Accept", message=offer[-1])
        print(f"\n{demo.person(mentor_slack).name} clicks [Accept].")
        _call(client, "GET", f"/api/mentorship-assignments/{created['id']}", headers)


def _call(
    client: httpx.Client,
    method: str,
    path: str,
    shown_headers: dict[str, str],
    body: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Make the call and print it as a person would read it (the token shortened)."""
    print(f"\nThe onboarding system sends: {method} {path}")
    print(f"    Authorization: {shown_headers['Authorization']}")
    if body is not None:
        print("    " + json.dumps(body, indent=2).replace("\n", "\n    "))
    response = client.request(method, path, json=body)
    answer = response.json()
    shown = {k: answer[k] for k in ("id", "status", "mentor_id", "mentee_user_id") if k in answer}
    if "matches" in answer:
        shown = {
            "matches": [
                {k: m[k] for k in ("name", "match_score", "why")} for m in answer["matches"]
            ]
        }
    print(
        f"  and gets {response.status_code}: "
        + json.dumps(shown or answer, indent=2).replace("\n", "\n    ")
    )
    return answer


def _slack_id(demo: Demo, user_id: str) -> str:
    with demo.app.runtime.db() as db:
        user = db.get(User, uuid.UUID(user_id))
        assert user is not None
        return user.slack_user_id


STEPS = [onboarding_system_asks_through_the_api]
