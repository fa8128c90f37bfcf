"""The curriculum (issue 18): an admin defines suggested topics per week in Slack or as
YAML; they reach the check-in nudge, the session log (pre-selected), the scheduling
agenda and `/mentor status`; a mentor shares resources of their own with the pair."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from bot.blocks.actions import CURRICULUM_EDIT
from bot.cli import main
from bot.config import Settings
from bot.testing.harness import ServedApp
from bot.testing.surface_inputs import buttons_in
from models import AuditEntry, CurriculumTopic, MentorshipResource
from tests.factories import make_assignment, make_mentor
from tests.reminders_support import Sweep, at, sent, sweeper

DISCOVERY = "https://wiki.example.com/discovery"


@pytest.fixture
def sweep(served: ServedApp, settings: Settings) -> Sweep:
    return sweeper(served, settings)


@pytest.fixture
def pair(db, world):  # type: ignore[no-untyped-def]
    """Vera mentors Newt since Tuesday 10 November: Tuesday 17 November is week 2."""
    mentor = make_mentor(db, world.veteran)
    assignment = make_assignment(db, mentor, world.new_hire, start=date(2026, 11, 10))
    db.commit()
    return assignment


def _define_curriculum(slack, admin) -> None:  # type: ignore[no-untyped-def]
    listing = slack.mentor(admin, "curriculum")
    assert "No curriculum yet." in listing.all_text
    slack.click(admin, "Add a week", message=listing)
    slack.submit(admin, {"Week": "1", "Topics": "Product tour\nMeet the team"})
    assert "Week 1 has 2 suggested topic(s) now." in slack.modal_text(admin)
    slack.click(admin, "Add a week", message=slack.mentor(admin, "curriculum"))
    slack.submit(admin, {"Topics": f"Discovery calls | {DISCOVERY}"})  # week 2 offered
    assert "Week 2 has 1 suggested topic(s) now." in slack.modal_text(admin)


def _topics_element(view):  # type: ignore[no-untyped-def]
    block = next(b for b in view["blocks"] if b.get("block_id") == "topics")
    return block["element"]


def test_a_curriculum_reaches_the_nudge_the_log_the_agenda_and_the_status(
    slack, world, db, pair, sweep
) -> None:  # type: ignore[no-untyped-def]
    _define_curriculum(slack, world.admin)
    text = slack.mentor(world.admin, "curriculum").all_text
    assert "*Week 1*\n• Product tour\n• Meet the team" in text
    assert f"*Week 2*\n• <{DISCOVERY}|Discovery calls>" in text

    # The weekly check-in on Tuesday 17 November falls in week 2.
    assert sent(sweep(at("2026-11-17T15:00"))) == ["UNEWT", "UVERA"]
    nudge = slack.last_dm(world.new_hire)
    assert f"*Suggested topics for week 2*\n• <{DISCOVERY}|Discovery calls>" in nudge.all_text

    # The log modal offers the week's topics first, and pre-selects them.
    slack.click(world.new_hire, "Log session", message=nudge)
    topics = _topics_element(slack.modal(world.new_hire))
    assert [o["value"] for o in topics["initial_options"]] == ["Discovery calls"]
    assert topics["options"][0]["value"] == "Discovery calls"
    slack.submit(
        world.new_hire,
        {
            "Topics": ["Discovery calls"],
            "Other topics": "product tour",
            "Summary": "Walked through a discovery call.",
        },
    )

    # /mentor status: the pair's topics so far against the curriculum.
    status = slack.mentor(world.veteran, f"status {world.new_hire.mention}").all_text
    assert "*Curriculum through week 2: 2 of 3 topics covered*" in status
    assert ":white_square: Meet the team" in status
    assert f":white_check_mark: <{DISCOVERY}|Discovery calls>" in status
    # A manager sees no private part: no curriculum there.
    assert (
        "Curriculum through"
        not in slack.mentor(world.manager, f"status {world.new_hire.mention}").all_text
    )

    # The agenda of the next session starts from the week's topics.
    slack.slash(world.veteran, "/mentor", f"schedule {world.new_hire.mention}")
    agenda = slack.modal_text(world.veteran)
    assert "- Discovery calls" in agenda and f"Discovery calls: {DISCOVERY}" in agenda


def test_a_mentor_shares_resources_with_the_pair(slack, world, db, pair) -> None:  # type: ignore[no-untyped-def]
    slack.slash(world.veteran, "/mentor", "resources")
    refused = slack.submit(world.veteran, {"Title": "QBR deck", "Link": "not a link"})
    assert "is not a link" in refused.errors["Link"]
    slack.submit(world.veteran, {"Title": "QBR deck", "Link": "https://docs.example.com/qbr"})
    assert "Shared with Newt Newhire" in slack.modal_text(world.veteran)
    assert "<https://docs.example.com/qbr|QBR deck>" in slack.last_dm(world.new_hire).all_text
    status = slack.mentor(world.new_hire, "status").all_text
    assert "*Resources from the mentor*\n• <https://docs.example.com/qbr|QBR deck>" in status
    # The mentee can't share resources as a mentor; nothing half-written.
    assert "no active mentees" in slack.mentor(world.new_hire, "resources").all_text
    db.expire_all()
    assert len(db.scalars(sa.select(MentorshipResource)).all()) == 1


def test_bad_curriculum_input_names_the_field_and_non_admins_are_refused(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    slack.click(world.admin, "Add a week", message=slack.mentor(world.admin, "curriculum"))
    refused = slack.submit(
        world.admin, {"Week": "0", "Topics": "Product tour\nDiscovery | htp:/broken"}
    )
    assert "from 1 to 104" in refused.errors["Week"]
    assert "Line 2: 'htp:/broken' is not a link" in refused.errors["Topics"]
    refused = slack.submit(world.admin, {"Week": "1", "Topics": "x" * 80})
    assert "Line 1: keep the title under 75 characters" in refused.errors["Topics"]
    slack.close_modal(world.admin)
    assert db.scalars(sa.select(CurriculumTopic)).all() == []

    # Someone who isn't an admin sees the curriculum but can't edit it; audited.
    listing = slack.mentor(world.veteran, "curriculum")
    assert buttons_in(listing.blocks) == []
    slack.press(world.veteran, CURRICULUM_EDIT, "1")
    assert "Only program admins" in slack.describe(world.veteran)
    db.expire_all()
    refusal = db.scalar(sa.select(AuditEntry).where(AuditEntry.action == "admin.refused"))
    assert refusal is not None and refusal.entity_id == "curriculum"


def test_the_curriculum_round_trips_through_yaml(
    slack, world, db, tmp_path, monkeypatch, capsys, database_url
) -> None:  # type: ignore[no-untyped-def]
    _define_curriculum(slack, world.admin)
    monkeypatch.setenv("DATABASE_URL", database_url)
    path = tmp_path / "curriculum.yaml"
    assert main(["curriculum", "export", str(path)]) == 0
    exported = path.read_text()
    assert "- week: 2\n  topics:\n  - title: Discovery calls\n    url: " in exported
    path.write_text(exported.replace("Meet the team", "Meet the whole team"))
    assert main(["curriculum", "import", str(path)]) == 0
    assert "curriculum imported: 2 week(s), 3 topic(s)" in capsys.readouterr().out
    again = tmp_path / "again.yaml"
    assert main(["curriculum", "export", str(again)]) == 0
    assert again.read_text() == path.read_text()
    assert "Meet the whole team" in slack.mentor(world.admin, "curriculum").all_text


def test_a_bad_curriculum_file_names_each_line_and_changes_nothing(
    slack, world, db, tmp_path, monkeypatch, capsys, database_url
) -> None:  # type: ignore[no-untyped-def]
    _define_curriculum(slack, world.admin)
    monkeypatch.setenv("DATABASE_URL", database_url)
    path = tmp_path / "curriculum.yaml"
    path.write_text(
        "curriculum:\n"
        "- week: 0\n"  # 2
        "  topics: []\n"
        "- week: 1\n"  # 4
        "  topics:\n"
        "  - title: Tour\n"  # 6
        "    url: ftp://x\n"
        "  - name: Oops\n"  # 8
        "- week: 1\n"  # 9
        "  topics: [{title: Again}]\n"
        "- week: two\n"  # 11
    )
    assert main(["curriculum", "import", str(path)]) == 1
    err = capsys.readouterr().err
    assert "Curriculum not imported" in err and "nothing was changed" in err
    assert "line 2: week: the week must be a whole number from 1 to 104" in err
    assert "line 6: 'ftp://x' is not a link" in err
    assert "line 8: unknown key 'name'" in err
    assert "line 9: week 1 is also on line 4" in err
    assert "line 11: week must be a whole number" in err
    path.write_text("curriculum:\n- week: 1\n  week: 2\n")
    assert main(["curriculum", "import", str(path)]) == 1
    assert "line 3: 'week' is given twice" in capsys.readouterr().err
    db.expire_all()
    assert len(db.scalars(sa.select(CurriculumTopic)).all()) == 3
