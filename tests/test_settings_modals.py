"""A program lead shapes the program from Slack: `/mentor admin` opens a chooser whose
buttons push one modal per group of settings; every setting the code reads is there,
each bad value is refused on its field with nothing changed, and a change takes effect
at once (a nudge at the new working hours, a new target in the analytics)."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from bot.blocks import actions as ids
from bot.blocks import admin as admin_blocks
from bot.blocks.actions import ADMIN_SETTINGS_SECTION
from bot.config import Settings
from bot.services import program
from bot.testing.harness import ServedApp
from models import AuditEntry, User
from tests.factories import make_assignment, make_mentor
from tests.reminders_support import Sweep, at, sent, sweeper

SECTIONS = ["Program", "Eligibility", "Matching", "Reminders and working hours", "Targets"]


@pytest.fixture
def sweep(served: ServedApp, settings: Settings) -> Sweep:
    return sweeper(served, settings)


def _open(slack, who, section: str) -> None:  # type: ignore[no-untyped-def]
    assert slack.slash(who, "/mentor", "admin") == []
    slack.click(who, section)


def _config(db) -> program.ProgramConfig:  # type: ignore[no-untyped-def]
    db.expire_all()
    return program.load(db)


def _audit(db, action: str) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    db.expire_all()
    return list(db.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)))


def test_every_setting_the_code_reads_has_a_field_in_one_modal(slack, world) -> None:  # type: ignore[no-untyped-def]
    shown: list[str] = []
    for section in SECTIONS:
        _open(slack, world.admin, section)
        view = slack.modal(world.admin)
        shown += [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
        slack.close_modal(world.admin)
    assert sorted(shown) == sorted(program.leaf_settings())
    assert len(shown) == len(set(shown))  # each setting in one place


def test_a_new_working_day_and_reminder_delay_reach_the_next_nudge(  # type: ignore[no-untyped-def]
    slack, world, db, sweep
) -> None:
    """Vera (New York) has a mentor request from Monday 11:00 her time. By default she is
    reminded 24 hours later; the lead moves the reminder to 26 hours and the working day
    to start at 14:00, so it waits for 14:00 New York."""
    _open(slack, world.admin, "Reminders and working hours")
    modal = slack.modal_text(world.admin)
    assert "Working hours start (hour, 0-23): 9" in modal
    done = slack.submit(
        world.admin,
        {"Working hours start (hour, 0-23)": "14", "Mentor request: remind after (hours)": "26"},
    )
    assert done.ok, done.errors
    summary = slack.last_dm(world.admin).all_text
    assert "Working hours start (hour, 0-23) 9 → 14" in summary
    assert "Mentor request: remind after (hours) 24 → 26" in summary

    mentor = make_mentor(db, world.veteran)
    make_assignment(
        db,
        mentor,
        world.new_hire,
        status="pending",
        assigned_by=world.manager,
        created_at=at("2026-11-16T16:00"),
    )
    db.commit()
    assert sent(sweep(at("2026-11-17T16:00")), "request_pending") == []  # 24 h: not yet
    assert sent(sweep(at("2026-11-17T18:00")), "request_pending") == []  # 13:00 New York
    assert sent(sweep(at("2026-11-17T19:00")), "request_pending") == ["UVERA"]


def test_a_new_target_shows_in_the_analytics(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    assert "target 100%" in slack.mentor(world.admin, "analytics").all_text
    _open(slack, world.admin, "Targets")
    assert "Coverage target (%): 100" in slack.modal_text(world.admin)
    done = slack.submit(
        world.admin, {"Coverage target (%)": "85", "Mentee satisfaction target (1-5)": "4.2"}
    )
    assert done.ok, done.errors
    assert _config(db).metric_targets.coverage == pytest.approx(0.85)
    assert "Coverage target (%) 100 % → 85 %" in slack.last_dm(world.admin).all_text
    text = slack.mentor(world.admin, "analytics").all_text
    assert "target 85%" in text and "target 4.20/5" in text


def test_the_program_defaults_reach_a_new_mentorship(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    _open(slack, world.admin, "Program")
    done = slack.submit(
        world.admin,
        {
            "Default check-in cadence": "Biweekly",
            "Default length (weeks)": "8",
            "Expectations": "Meet every other week and log it.",
        },
    )
    assert done.ok, done.errors
    make_mentor(db, world.veteran)
    db.commit()
    slack.slash(
        world.manager, "/mentor", f"assign {world.veteran.mention} {world.new_hire.mention}"
    )
    modal = slack.modal_text(world.manager)
    assert "Biweekly" in modal and "Meet every other week and log it." in modal


def test_matching_weights_change_who_is_suggested_first(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    """Newt (Chicago) needs Renewals: Vera (New York) knows it, Jun (Chicago) doesn't.
    With location the only weight, Jun comes first."""
    make_mentor(db, world.veteran, expertise=["Renewals"])
    make_mentor(db, world.junior, expertise=["Time management"])
    db.commit()
    first = slack.mentor(world.manager, f"match {world.new_hire.mention} focus: Renewals")
    assert first.all_text.index("Vera Veteran") < first.all_text.index("Jun Ior")
    _open(slack, world.admin, "Matching")
    done = slack.submit(
        world.admin,
        {
            "Match weight: expertise": "0",
            "Match weight: location": "100",
            "Match weight: past success": "0",
        },
    )
    assert done.ok, done.errors
    again = slack.mentor(world.manager, f"match {world.new_hire.mention} focus: Renewals")
    assert again.all_text.index("Jun Ior") < again.all_text.index("Vera Veteran")


@pytest.mark.parametrize(
    ("section", "values", "label", "message"),
    [
        (
            "Matching",
            {
                "Match weight: expertise": "0",
                "Match weight: location": "0",
                "Match weight: past success": "0",
            },
            "Match weight: expertise",
            "The match weights add up to 0",
        ),
        (
            "Matching",
            {"Ranking weight: mentee rating": "-1"},
            "Ranking weight: mentee rating",
            "from 0 to 1000",
        ),
        (
            "Reminders and working hours",
            {"Working hours start (hour, 0-23)": "17", "Working hours end (hour, 1-24)": "9"},
            "Working hours end (hour, 1-24)",
            "Working hours end (9:00) before they start (17:00)",
        ),
        (
            "Reminders and working hours",
            {"Working days": []},
            "Working days",
            "Choose at least one working day",
        ),
        (
            "Reminders and working hours",
            {"Default timezone": "Mars/Olympus"},
            "Default timezone",
            "'Mars/Olympus' is not a timezone",
        ),
        (
            "Reminders and working hours",
            {"Question: tell admins after (hours)": "10"},
            "Question: tell admins after (hours)",
            "comes before the reminder (20 h)",
        ),
        ("Targets", {"Coverage target (%)": "120"}, "Coverage target (%)", "0 % to 100 %"),
        ("Targets", {"Coverage target (%)": "most"}, "Coverage target (%)", "'most' is not"),
        (
            "Targets",
            {"Mentee satisfaction target (1-5)": "6"},
            "Mentee satisfaction target (1-5)",
            "from 1 to 5",
        ),
        (
            "Eligibility",
            {"Coverage delay (days)": "-3"},
            "Coverage delay (days)",
            "from 0 to 365",
        ),
        ("Program", {"Skills": "  \n "}, "Skills", "enter at least one skill, one per line"),
        ("Program", {"Skills": "x" * 80}, "Skills", "must fit in 75 characters"),
        ("Program", {"Default length (weeks)": "0"}, "Default length (weeks)", "from 1 to 104"),
    ],
)
def test_a_bad_value_is_refused_on_its_field_and_nothing_changes(  # type: ignore[no-untyped-def]
    slack, world, db, section: str, values: dict, label: str, message: str
) -> None:
    _open(slack, world.admin, section)
    result = slack.submit(world.admin, values)
    assert not result.ok
    assert message in result.errors[label], result.errors
    assert slack.modal(world.admin) is not None  # still open, to correct
    assert _config(db) == program.ProgramConfig()
    assert _audit(db, "settings.updated") == []
    assert slack.dms(world.admin) == []


def test_a_non_admin_is_refused_every_admin_surface_and_each_attempt_audited(  # type: ignore[no-untyped-def]
    slack, world, db
) -> None:
    manager = world.manager
    assert "Only program admins" in slack.mentor(manager, "admin").all_text
    assert "Only program admins" in slack.mentor(manager, "admin make-admin <@UOMAR>").all_text
    # A forged press of a group's button (the manager never saw the chooser).
    slack.press(manager, ADMIN_SETTINGS_SECTION, "targets")
    assert "Only program admins" in slack.last_ephemeral(manager).all_text
    # A modal opened while an admin, submitted after losing the role.
    omar = world.londoner
    db.get(User, omar.user_id).is_admin = True
    db.commit()
    _open(slack, omar, "Targets")
    db.get(User, omar.user_id).is_admin = False
    db.commit()
    result = slack.submit(omar, {"Coverage target (%)": "50"})
    assert not result.ok and "Only program admins" in " ".join(result.errors.values())
    assert _config(db).metric_targets.coverage == 1.0
    refused = [(row.actor_user_id, row.entity_id) for row in _audit(db, "admin.refused")]
    # Rows written at one app instant have no order of their own: compare as sets of rows.
    assert sorted(refused, key=str) == sorted(
        [
            (manager.user_id, "settings"),
            (manager.user_id, "make-admin"),
            (manager.user_id, "settings.targets"),
            (omar.user_id, "settings.targets"),
        ],
        key=str,
    )


def test_the_chooser_shows_what_was_saved(slack, world) -> None:  # type: ignore[no-untyped-def]
    _open(slack, world.admin, "Reminders and working hours")
    done = slack.submit(world.admin, {"Working days": ["0", "1", "2", "3"]})
    assert done.ok, done.errors
    chooser = slack.modal(world.admin)
    assert chooser["callback_id"] == admin_blocks.CHOOSER_VIEW
    assert "Working days edited" in slack.modal_text(world.admin)


def test_the_admins_home_opens_the_same_settings(slack, world) -> None:  # type: ignore[no-untyped-def]
    slack.open_home(world.admin)
    slack.click(world.admin, "Program settings", home=True)
    slack.click(world.admin, "Matching")
    assert "Match weight: expertise: 40" in slack.modal_text(world.admin)
    assert "Program admin" not in str(slack.open_home(world.manager))


@pytest.mark.parametrize(
    ("attempt", "surface"),
    [
        (lambda slack, who: slack.mentor(who, "match-cohort"), "match-cohort"),
        (lambda slack, who: slack.press(who, ids.CERTIFY, str(uuid.uuid4())), "certify"),
        (
            lambda slack, who: slack.press(who, ids.COHORT_APPROVE, str(uuid.uuid4())),
            "cohort.approve",
        ),
    ],
)
def test_the_other_admin_surfaces_refuse_and_audit_too(  # type: ignore[no-untyped-def]
    slack, world, db, attempt, surface: str
) -> None:
    attempt(slack, world.manager)
    assert "Only program admins" in slack.last_ephemeral(world.manager).all_text
    refused = [(row.actor_user_id, row.entity_id) for row in _audit(db, "admin.refused")]
    assert refused == [(world.manager.user_id, surface)]


def test_a_check_in_nudge_waits_for_the_new_working_hours_and_days(  # type: ignore[no-untyped-def]
    slack, world, db, sweep
) -> None:
    """Vera (New York) mentors Newt (Chicago) weekly since Tuesday 10 November: the
    check-in falls on Tuesday 17 November. The lead starts the working day at 14:00
    and drops Tuesday, so each of them is nudged on Wednesday at 14:00 their time."""
    mentor = make_mentor(db, world.veteran)
    make_assignment(db, mentor, world.new_hire, start=at("2026-11-10T15:00").date())
    db.commit()
    _open(slack, world.admin, "Reminders and working hours")
    done = slack.submit(
        world.admin,
        {
            "Working hours start (hour, 0-23)": "14",
            "Working days": ["Monday", "Wednesday", "Thursday", "Friday"],
        },
    )
    assert done.ok, done.errors
    assert "Working days edited" in slack.last_dm(world.admin).all_text

    assert sent(sweep(at("2026-11-17T15:00"))) == []  # Tuesday: no longer a working day
    assert sent(sweep(at("2026-11-17T20:00"))) == []
    assert sent(sweep(at("2026-11-18T18:00"))) == []  # Wednesday 13:00 New York
    assert sent(sweep(at("2026-11-18T19:00"))) == ["UVERA"]  # 14:00 New York
    assert sent(sweep(at("2026-11-18T20:00"))) == ["UNEWT"]  # 14:00 Chicago
    assert "check" in slack.last_dm(world.new_hire).all_text.lower()
