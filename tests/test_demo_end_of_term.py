"""`mentorbot demo` shows the end of a mentorship: the prompt to complete or extend, an
extension, and the automatic completion with the survey."""

from __future__ import annotations

from bot.cli import main


def test_demo_shows_the_end_of_term(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["demo", "--now", "2026-11-17T15:00:00Z"]) == 0  # at an explicit instant
    out = out_after(capsys.readouterr().out, "A mentorship nears its planned end")
    assert "Your mentorship with *Jun Ior* is planned to end on" in out
    assert "*Jun Ior*'s mentorship with *Vera Veteran* is planned to end" in out  # the manager
    assert "┌ Extend mentorship ┐" in out
    assert "Jun Ior changed the mentorship with Vera Veteran" in out
    assert "it closed by itself. How did it go for you?" in out
    assert "completion notes: Closed automatically on" in out
    assert out.rstrip().endswith("Demo finished.")


def out_after(out: str, heading: str) -> str:
    assert heading in out, out[-3000:]
    return out[out.index(heading) :]
