"""`mentorbot settings export FILE.yaml` / `mentorbot settings import FILE.yaml`: the
program settings in a file a lead keeps in version control, checked whole by the same
check as the Slack modals, applied all or nothing, each problem on its line."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
import yaml

from bot.cli import main
from bot.services import program
from models import AuditEntry, ProgramSetting


def _cli(monkeypatch, database_url, capsys, *args: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", database_url)
    code = main(["settings", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def _updates(db) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    db.expire_all()
    return list(db.scalars(sa.select(AuditEntry).where(AuditEntry.action == "settings.updated")))


def test_settings_round_trip_through_a_file(  # type: ignore[no-untyped-def]
    slack, world, db, tmp_path, monkeypatch, database_url, capsys
) -> None:
    # A change made in Slack is in the export.
    slack.slash(world.admin, "/mentor", "admin")
    slack.click(world.admin, "Reminders and working hours")
    assert slack.submit(world.admin, {"Working hours start (hour, 0-23)": "8"}).ok
    path = tmp_path / "settings.yaml"
    code, out, _ = _cli(monkeypatch, database_url, capsys, "export", str(path))
    assert code == 0 and "wrote the program settings" in out
    exported = yaml.safe_load(path.read_text())
    assert exported["work_start_hour"] == 8
    assert set(exported) == set(program.ProgramConfig.model_fields)

    # The lead edits it in version control and imports it: only the edits change.
    text = (
        path.read_text()
        .replace("min_tenure_days: 180", "min_tenure_days: 120")
        .replace("  coverage: 1.0", "  coverage: 0.8")
        .replace("- Time management\n", "- Time management\n- SQL for CSMs\n", 1)
    )
    path.write_text(text)
    code, out, err = _cli(monkeypatch, database_url, capsys, "import", str(path))
    assert code == 0, err
    assert "Minimum tenure (days) 180 → 120" in out
    assert "Coverage target (%) 100 % → 80 %" in out and "Skills edited" in out
    db.expire_all()
    config = program.load(db)
    assert config.min_tenure_days == 120 and config.metric_targets.coverage == 0.8
    assert config.skills[-1] == "SQL for CSMs" and config.work_start_hour == 8
    cli_update = _updates(db)[-1]
    assert cli_update.actor_user_id is None and cli_update.details["source"] == "cli"
    assert sorted(cli_update.details["keys"]) == ["metric_targets", "min_tenure_days", "skills"]

    # Exported again, it is the file the lead imported; importing it again changes nothing.
    again = tmp_path / "again.yaml"
    assert _cli(monkeypatch, database_url, capsys, "export", str(again))[0] == 0
    assert again.read_text() == text
    code, out, _ = _cli(monkeypatch, database_url, capsys, "import", str(again))
    assert code == 0 and "nothing changed" in out
    # And the Slack modal shows what the file set.
    slack.slash(world.admin, "/mentor", "admin")
    slack.click(world.admin, "Targets")
    assert "Coverage target (%): 80" in slack.modal_text(world.admin)


def test_a_partial_file_keeps_the_settings_it_leaves_out(  # type: ignore[no-untyped-def]
    db, tmp_path, monkeypatch, database_url, capsys
) -> None:
    path = tmp_path / "weights.yaml"
    path.write_text("match_weights:\n  expertise: 60\n")
    code, _, err = _cli(monkeypatch, database_url, capsys, "import", str(path))
    assert code == 0, err
    db.expire_all()
    weights = program.load(db).match_weights
    assert (weights.expertise, weights.timezone, weights.success) == (60, 20, 40)


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        (
            "min_tenure_days: 90\nshoe_size: 44\nwork_start_hour: nine\n",
            [
                "line 2: shoe_size: 'shoe_size' is not a program setting.",
                "line 3: work_start_hour: 'nine' is not a whole number.",
            ],
        ),
        (
            "match_weights:\n  expertise: 0\n  timezone: 0\n  success: 0\n",
            ["line 2: match_weights.expertise: The match weights add up to 0"],
        ),
        (
            "work_start_hour: 18\nwork_end_hour: 9\n",
            ["line 2: work_end_hour: Working hours end (9:00) before they start (18:00)"],
        ),
        (
            "metric_targets:\n  coverage: 1.5\n",
            ["line 2: metric_targets.coverage: Enter a share from 0 % to 100 %"],
        ),
        ("coverage_days: -1\n", ["line 1: coverage_days: Enter a whole number from 0 to 365."]),
        ("skills: Renewals\n", ["line 1: skills: must be a list."]),
        ("min_tenure_days: 90\nmin_tenure_days: 60\n", ["line 2: min_tenure_days: given twice"]),
        ("skills:\n  - Renewals\n  bad: [\n", ["line 3: not valid YAML"]),
        ("- just\n- a list\n", ["line 1: expected settings as `name: value` lines"]),
        ("", ["the file is empty"]),
    ],
)
def test_a_bad_file_names_the_line_and_changes_nothing(  # type: ignore[no-untyped-def]
    db, tmp_path, monkeypatch, database_url, capsys, text: str, problems: list[str]
) -> None:
    path = tmp_path / "settings.yaml"
    path.write_text("# the lead's settings\n" + text if text else "")
    code, out, err = _cli(monkeypatch, database_url, capsys, "import", str(path))
    assert code == 1, out
    lines = err.splitlines()
    for problem in problems:
        if problem.startswith("line "):  # the comment line comes first
            number, rest = problem[5:].split(":", 1)
            problem = f"line {int(number) + 1}:{rest}"
        assert any(f"{path}: {problem}" in line for line in lines), err
    assert f"{path}: nothing was changed" in err
    db.expire_all()
    assert program.load(db) == program.ProgramConfig()
    assert _updates(db) == []


def test_a_stored_value_out_of_todays_bounds_gives_way_to_its_default(db) -> None:  # type: ignore[no-untyped-def]
    """A row written before a bound existed (a reminder after 1,000 hours) must not stop
    every request that reads the settings; the other stored settings still apply."""
    db.add(ProgramSetting(key="request_reminder_hours", value=1000))
    db.add(ProgramSetting(key="min_tenure_days", value=30))
    db.commit()
    config = program.load(db)
    assert config.request_reminder_hours == 24 and config.min_tenure_days == 30
