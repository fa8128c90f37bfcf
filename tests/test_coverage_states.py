"""Coverage counts right (issue 17.8): a new hire is covered by a pending, active or
completed mentorship, not by a cancelled or declined one; the coverage nudge, the weekly
digests, App Home and `/mentor analytics` all say the same for each state."""

from __future__ import annotations

from datetime import date

import pytest

from bot.testing.driver import render_blocks
from models import User
from tests.factories import make_assignment, make_mentor
from tests.reminders_support import at, sent, sweeper

#: Newt's only mentorship is in this state -> whether Newt is covered.
STATES = {
    "pending": True,
    "active": True,
    "completed": True,
    "cancelled": False,
    "declined": False,
}


@pytest.fixture(params=list(STATES))
def newt_state(request, db, world):  # type: ignore[no-untyped-def]
    """Newt (hired Thu 12 Nov) has one mentorship with Vera, in the state under test."""
    state = request.param
    extra = {
        "completed": {"actual_end_date": date(2026, 11, 16), "mentee_rating": 5},
        "cancelled": {"cancelled_at": at("2026-11-16T15:00"), "cancel_reason": "Team change"},
        "declined": {"declined_at": at("2026-11-13T15:00"), "decline_reason": "Full up"},
    }.get(state, {})
    db.get(User, world.admin.user_id).is_admin = True  # as MENTORBOT_ADMINS makes her
    mentor = make_mentor(db, world.veteran)
    make_assignment(db, mentor, world.new_hire, status=state, start=date(2026, 11, 12), **extra)
    db.commit()
    return state


def _line(text: str, starting: str) -> str:
    found = [line for line in text.splitlines() if line.startswith(starting)]
    return found[0] if found else ""


def test_each_surface_counts_the_hire_by_the_one_rule(
    newt_state, slack, world, db, served, settings, clock
) -> None:  # type: ignore[no-untyped-def]
    covered = STATES[newt_state]
    # Thursday 19 Nov, 10:00 in New York: a week after Newt's hire date, so an uncovered
    # Newt is due a coverage nudge; Nova (hired Sat 14 Nov) is not yet, and has no mentor.
    clock[0] = at("2026-11-19T15:00")
    report = sweeper(served, settings)(clock[0])

    # 1. The coverage nudge to the manager.
    assert sent(report, "coverage") == ([] if covered else [world.manager.id])

    # 2. The weekly digests: the manager's line for Newt, the admins' count.
    digest = next(
        m.all_text for m in slack.dms(world.manager) if "Your team's mentorships" in m.text
    )
    newt_line = _line(digest, "*Newt Newhire*")
    if covered:
        assert "no mentor yet" not in newt_line
        assert {
            "pending": "waiting for Vera Veteran to accept",
            "active": "mentored by Vera Veteran",
            "completed": "mentorship with Vera Veteran completed",
        }[newt_state] in newt_line
    else:
        assert "no mentor yet" in newt_line
    admin_digest = next(m.all_text for m in slack.dms(world.admin) if "Program this week" in m.text)
    without = 1 if covered else 2  # Nova, and Newt unless covered
    assert f"New hires without a mentor*\n{without}" in admin_digest

    # 3. App Home: the manager's coverage of their team.
    home = render_blocks(slack.open_home(world.manager)["blocks"])
    assert f"{2 - without} of 2 new hires on your team" in home
    assert ("Newt Newhire" in _line(home, "Without a mentor:")) is not covered

    # 4. `/mentor analytics`: the program's coverage metric.
    slack.slash(world.admin, "/mentor", "analytics")
    board = slack.last_ephemeral(world.admin).all_text
    assert f"{2 - without} of 2 new hires" in board
    assert ("Newt Newhire" in _line(board, "Without a mentor:")) is not covered
