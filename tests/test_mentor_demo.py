"""`mentorbot demo` shows a mentor opting in, a refusal with its reason, a profile,
certification and the mentor's App Home, and an API call with its Slack conversation."""

from __future__ import annotations

from pathlib import Path

from bot.cli import main


def test_demo_shows_the_mentor_program(capsys) -> None:  # type: ignore[no-untyped-def]
    # The demo says what time it is, like every test: tenure and due dates are counted
    # in each person's own calendar, which the wall clock would move.
    assert main(["demo", "--now", "2026-11-17T15:00:00Z"]) == 0
    out = capsys.readouterr().out
    # The program lead shapes the program before the first match.
    shaping = out.split("before the first match", 1)[1].split("opts in as a mentor", 1)[0]
    assert "[Reminders and working hours]" in shaping and "Session completion target" in shaping
    assert "Session completion target (%) 90 % → 85 %" in shaping
    assert "Vera Veteran types: /mentor optin" in out
    assert "┌ Become a mentor ┐" in out
    assert "You're a mentor now" in out
    assert "Tenure: at least 180 days since your hire date; you have 100" in out
    assert "VERA VETERAN — MENTOR PROFILE" in out
    assert "0 of 3 mentees · 3 places free" in out
    assert "You're a certified mentor now" in out
    assert "YOUR MENTORING" in out
    assert "Demo finished." in out
    # A topic circle that three hires join and attend, in the analytics after it.
    circle = out.split("runs a topic circle", 1)[1]
    assert "3 of 3 member(s) attended" in circle
    analytics_part = circle.split("checks whether mentoring works", 1)[1]
    assert "Topic circles hosted (not counted against capacity): Vera Veteran" in analytics_part
    assert "100% (3 of 3 member places)" in analytics_part
    # One API call and the Slack conversation it starts (the REST API's part).
    api_part = out.split("through the REST API", 1)[1]
    assert "The onboarding system sends: POST /api/mentorship-assignments" in api_part
    assert "and gets 201" in api_part
    assert "The program asks you to mentor *Nova Fresh*" in api_part
    assert '"status": "active"' in api_part.split("clicks [Accept]", 1)[1]
    # It ends with the ramp chart, uploaded beside the figures, written to a file.
    assert "[image: Days from hire to each ramp milestone" in out
    chart = Path(out.split("The ramp chart the program lead sees: ")[1].split()[0])
    assert chart.name == "ramp.png" and chart.read_bytes().startswith(b"\x89PNG")
