"""The API's own OpenAPI spec, tried by schemathesis on both databases: a few generated
requests per endpoint, sent by a program admin (the widest rights), with a mentorship
in the database. No 5xx, and every answer matches the spec (status, content type, body)."""

from __future__ import annotations

from datetime import timedelta

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from models import User
from tests.api_support import person_token
from tests.factories import make_assignment, make_mentor, make_session

#: Examples per endpoint: enough to reach past validation into the services, few enough
#: to keep the suite's run short on two cores.
EXAMPLES = 8
CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance]


def test_every_endpoint_answers_within_its_spec(served, slack, world, db, clock) -> None:  # type: ignore[no-untyped-def]
    vera = make_mentor(db, world.veteran, expertise=["Renewals"])
    mentorship = make_assignment(db, vera, world.new_hire, assigned_by=world.manager)
    session = make_session(db, mentorship, when=clock[0] - timedelta(days=2))
    db.get(User, world.admin.user_id).is_admin = True
    db.commit()
    # Half the generated ids are real ones, so requests reach the services' rules.
    real = {
        "assignment_id": str(mentorship.id),
        "mentor_id": str(vera.id),
        "session_id": str(session.id),
        "mentee": str(world.new_hire.user_id),
    }
    headers = {"Authorization": f"Bearer {person_token(db, world.admin)}"}
    schema = schemathesis.openapi.from_dict(served.web.openapi())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20  # every PRD endpoint, and the audit log
    tried: dict[str, set[int]] = {}

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case) -> None:  # type: ignore[no-untyped-def]
            for params in (case.path_parameters, case.query):
                for name in set(params or {}) & set(real):
                    if hash(str(params[name])) % 2 == 0:
                        params[name] = real[name]
            response = case.call(base_url=served.url, headers=headers)
            where = f"{case.method} {case.formatted_path}"
            assert response.status_code < 500, f"{where}: {response.status_code} {response.text}"
            case.validate_response(response, checks=CHECKS)
            tried.setdefault(case.operation.label, set()).add(response.status_code)

        call()
    assert set(tried) == {operation.label for operation in operations}


PRD_ENDPOINTS = {
    ("get", "/api/mentors"),
    ("post", "/api/mentors"),
    ("patch", "/api/mentors/{mentor_id}"),
    ("delete", "/api/mentors/{mentor_id}"),
    ("post", "/api/mentorship-assignments"),
    ("get", "/api/mentorship-assignments"),
    ("get", "/api/mentorship-assignments/{assignment_id}"),
    ("patch", "/api/mentorship-assignments/{assignment_id}"),
    ("post", "/api/mentorship-assignments/{assignment_id}/accept"),
    ("post", "/api/mentorship-assignments/{assignment_id}/complete"),
    ("get", "/api/mentors/matches"),
    ("post", "/api/mentorship-assignments/{assignment_id}/sessions"),
    ("get", "/api/mentorship-assignments/{assignment_id}/sessions"),
    ("patch", "/api/mentorship-sessions/{session_id}"),
    ("get", "/api/mentorship-assignments/{assignment_id}/milestones"),
    ("post", "/api/mentorship-assignments/{assignment_id}/milestones"),
    ("patch", "/api/mentee-milestones/{milestone_id}"),
    ("get", "/api/mentorship/analytics"),
    ("get", "/api/mentorship/ramp-comparison"),
    ("get", "/api/mentors/{mentor_id}/effectiveness"),
}


def test_the_spec_describes_every_prd_endpoint_its_errors_and_auth(api) -> None:  # type: ignore[no-untyped-def]
    spec = api.get("/api/openapi.json").json()
    served = {(verb, path) for path, verbs in spec["paths"].items() for verb in verbs}
    assert served >= PRD_ENDPOINTS
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    accept = spec["paths"]["/api/mentorship-assignments/{assignment_id}/accept"]["post"]
    assert {"401", "403", "404", "409", "422"} <= set(accept["responses"])
    assert accept["security"] == [{"HTTPBearer": []}]
    docs = api.get("/api/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    assert "/slack/events" not in spec["paths"]  # Slack's path is not part of the API
