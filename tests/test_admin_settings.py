"""`/mentor admin`: program settings in a modal (admins only, every change audited)
and `make-admin @someone`."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from bot.services import program
from models import AuditEntry, Mentor, User
from tests.factories import make_mentor


def _config(db):  # type: ignore[no-untyped-def]
    db.expire_all()
    return program.load(db)


def _audited(db, action: str) -> list[dict]:  # type: ignore[no-untyped-def]
    return [row.details for row in _audited_rows(db, action)]


def _audited_rows(db, action: str) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    db.expire_all()
    return list(db.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)))


def _open(slack, who, section: str) -> None:  # type: ignore[no-untyped-def]
    """`/mentor admin`, then the button of one group of settings on the chooser."""
    assert slack.slash(who, "/mentor", "admin") == []
    slack.click(who, section)


def test_non_admin_is_told_they_need_to_be_an_admin(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    reply = slack.mentor(world.manager, "admin")
    assert "Only program admins can do that." in reply.all_text
    assert slack.modal(world.manager) is None
    [refused] = _audited_rows(db, "admin.refused")
    assert (refused.actor_user_id, refused.entity_id) == (world.manager.user_id, "settings")


def test_admin_edits_eligibility_and_program(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    admin = world.admin
    _open(slack, admin, "Eligibility")
    modal = slack.modal_text(admin)
    assert "Minimum tenure (days): 180" in modal
    assert "Default capacity: 2" in modal and "Maximum capacity: 20" in modal
    done = slack.submit(
        admin,
        {
            "Minimum tenure (days)": "90",
            "Minimum performance rating": "4",
            "Certification": ["required"],
            "Default capacity": "3",
            "Maximum capacity": "8",
        },
    )
    assert done.ok, done.errors
    # Back on the chooser, which says what changed; the DM keeps it.
    assert "Minimum tenure (days) 180 → 90" in slack.modal_text(admin)
    assert "Maximum capacity 20 → 8" in slack.last_dm(admin).all_text
    slack.click(admin, "Program")
    modal = slack.modal_text(admin)
    assert "Renewals" in modal and "Mentoring 101" in modal
    done = slack.submit(
        admin,
        {
            "Skills": "Renewals\nOnboarding & implementation\n  Renewals  \n\nSQL for CSMs",
            "Required trainings": "Mentoring 101\nShadow a QBR",
            "Recognition channel": "CWINS",
        },
    )
    assert done.ok, done.errors
    config = _config(db)
    assert config.min_tenure_days == 90
    assert config.min_performance_rating == 4.0
    assert config.require_certification is True
    assert (config.default_capacity, config.max_capacity) == (3, 8)
    assert config.skills == ["Renewals", "Onboarding & implementation", "SQL for CSMs"]
    # A training kept by name keeps its key (and who completed it); a new one gets one.
    assert [(t.key, t.name) for t in config.required_trainings] == [
        ("mentoring-101", "Mentoring 101"),
        ("shadow-a-qbr", "Shadow a QBR"),
    ]
    assert config.recognition_channel == "CWINS"
    first, second = _audited(db, "settings.updated")
    assert len(first["keys"]) + len(second["keys"]) == 8
    assert "Program settings saved: Skills edited" in slack.last_dm(admin).all_text

    # The new settings are in force: the opt-in modal offers the new skills and ceiling.
    slack.slash(world.veteran, "/mentor", "optin")
    assert "SQL for CSMs" in str(slack.modal(world.veteran))
    assert "Capacity: 3" in slack.modal_text(world.veteran)
    assert "from 1 to 8" in slack.submit(world.veteran, {"Capacity": "9"}).errors["Capacity"]


@pytest.mark.parametrize(
    "section", ["Program", "Eligibility", "Matching", "Reminders and working hours", "Targets"]
)
def test_saving_unchanged_settings_writes_nothing(slack, world, db, section: str) -> None:  # type: ignore[no-untyped-def]
    _open(slack, world.admin, section)
    assert slack.submit(world.admin).ok
    assert _audited(db, "settings.updated") == []
    assert slack.dms(world.admin) == []


@pytest.mark.parametrize(
    ("values", "label", "message"),
    [
        ({"Minimum tenure (days)": "abc"}, "Minimum tenure (days)", "'abc' is not a whole number"),
        ({"Minimum tenure (days)": ""}, "Minimum tenure (days)", "from 0 to 36500"),
        ({"Minimum tenure (days)": "-1"}, "Minimum tenure (days)", "from 0 to 36500"),
        ({"Minimum performance rating": "good"}, "Minimum performance rating", "'good' is not"),
        ({"Default capacity": "0"}, "Default capacity", "from 1 to 100"),
        ({"Maximum capacity": "x"}, "Maximum capacity", "'x' is not a whole number"),
        (
            {"Default capacity": "5", "Maximum capacity": "4"},
            "Default capacity",
            "can't be above the maximum capacity (4)",
        ),
    ],
)
def test_bad_settings_keep_the_modal_open_and_write_nothing(  # type: ignore[no-untyped-def]
    slack, world, db, values: dict, label: str, message: str
) -> None:
    _open(slack, world.admin, "Eligibility")
    result = slack.submit(world.admin, values)
    assert not result.ok
    assert message in result.errors[label]
    assert slack.modal(world.admin) is not None
    assert _config(db) == program.ProgramConfig()
    assert _audited(db, "settings.updated") == []


def test_turning_certification_off_releases_waiting_mentors(slack, world, db, clock) -> None:  # type: ignore[no-untyped-def]
    program.update(db, changes={"require_certification": True}, actor_id=None, now=clock[0])
    waiting = make_mentor(db, world.veteran, is_active=False)
    gone = make_mentor(db, world.londoner, is_active=False, opted_out_at=clock[0])
    db.commit()
    _open(slack, world.admin, "Eligibility")
    assert slack.submit(world.admin, {"Certification": []}).ok
    db.expire_all()
    assert db.get(Mentor, waiting.id).is_active
    assert not db.get(Mentor, gone.id).is_active  # opted out stays out
    assert _audited(db, "mentors.activated")[0]["count"] == 1


def test_admin_makes_another_admin(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    reply = slack.mentor(world.admin, f"admin make-admin <@{world.manager.id}>")
    assert "Max Manager is a program admin now." in reply.all_text
    db.expire_all()
    assert db.get(User, world.manager.user_id).is_admin
    assert "made you a MentorBot program admin" in slack.last_dm(world.manager).all_text
    assert len(_audited(db, "user.made_admin")) == 1
    # The new admin can now open the settings, and asking again changes nothing.
    _open(slack, world.manager, "Eligibility")
    assert "Minimum tenure (days)" in slack.modal_text(world.manager)
    again = slack.mentor(world.admin, f"admin make-admin <@{world.manager.id}>")
    assert "already a program admin" in again.all_text
    assert len(_audited(db, "user.made_admin")) == 1


@pytest.mark.parametrize(
    ("who", "typed", "message"),
    [
        ("manager", "admin make-admin <@UOMAR>", "Only program admins can do that."),
        ("admin", "admin make-admin", "Mention the person to make an admin."),
        ("admin", "admin make-admin <@UBUILD>", "<@UBUILD> is a bot; only people can be admins."),
        ("admin", "admin make-admin <@UNOBODY>", "<@UNOBODY> isn't in MentorBot's roster yet."),
        ("admin", "admin frobnicate", "I don't know `/mentor admin frobnicate`."),
    ],
)
def test_make_admin_refusals(slack, world, db, who: str, typed: str, message: str) -> None:  # type: ignore[no-untyped-def]
    slack.fake.add_user("UBUILD", "Build Bot", is_bot=True)
    text = slack.mentor(getattr(world, who), typed).all_text
    assert message in text
    db.expire_all()
    admins = set(db.scalars(sa.select(User.slack_user_id).where(User.is_admin.is_(True))))
    assert admins <= {"UADMIN"}  # UADMIN only once met (MENTORBOT_ADMINS)
