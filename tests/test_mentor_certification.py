"""Trainings and certification (FR-1.4): mentors mark trainings done and are certified
automatically when all are done; admins certify with a button; the mentor is told."""

from __future__ import annotations

import sqlalchemy as sa

from bot.services import program
from models import AuditEntry, Mentor
from tests.factories import make_mentor


def _mentor(db, person) -> Mentor:  # type: ignore[no-untyped-def]
    db.expire_all()
    return db.scalar(sa.select(Mentor).where(Mentor.user_id == person.user_id))


def _certifications(db) -> list[dict]:  # type: ignore[no-untyped-def]
    db.expire_all()
    return list(
        db.scalars(sa.select(AuditEntry.details).where(AuditEntry.action == "mentor.certified"))
    )


def test_marking_every_training_done_certifies_automatically(slack, world, db, clock) -> None:  # type: ignore[no-untyped-def]
    make_mentor(db, world.veteran)
    db.commit()
    vera = world.veteran
    listing = slack.mentor(vera, "trainings")
    assert "Mentoring 101" in listing.all_text and "Confidentiality & privacy" in listing.all_text

    slack.click(vera, "Mark done", message=listing, near="Mentoring 101")
    updated = slack.fake.find_message(listing.channel, listing.ts)
    assert ":white_check_mark: *Mentoring 101* — done Tue 17 Nov 2026" in updated.all_text
    assert not _mentor(db, vera).is_certified
    assert slack.dms(vera) == []

    slack.click(vera, "Mark done", message=listing, near="Confidentiality")
    mentor = _mentor(db, vera)
    assert mentor.is_certified and mentor.certified_at == clock[0]
    assert "You're a certified mentor now" in slack.last_dm(vera).all_text
    assert [d["how"] for d in _certifications(db)] == ["trainings"]
    db.expire_all()
    done = list(
        db.scalars(
            sa.select(AuditEntry.details["training"].as_string()).where(
                AuditEntry.action == "mentor.training_completed"
            )
        )
    )
    assert sorted(done) == ["mentoring-101", "privacy"]


def test_a_repeated_click_changes_nothing_twice(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    make_mentor(db, world.veteran)
    db.commit()
    listing = slack.mentor(world.veteran, "trainings")
    original = slack.fake.find_message(listing.channel, listing.ts)
    button_blocks = [dict(b) for b in original.blocks]
    slack.click(world.veteran, "Mark done", message=listing, near="Mentoring 101")
    # Slack retries the same click from the message as it was before.
    original.blocks = button_blocks
    slack.click(world.veteran, "Mark done", message=listing, near="Mentoring 101", retry_num=1)
    db.expire_all()
    count = db.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.action == "mentor.training_completed")
    )
    assert count == 1
    assert len(_mentor(db, world.veteran).trainings) == 1


def test_admin_certifies_from_the_profile(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    make_mentor(db, world.veteran)
    db.commit()
    profile = slack.mentor(world.admin, f"profile <@{world.veteran.id}>")
    assert "[Certify]" in profile.rendered
    slack.click(world.admin, "Certify", message=profile)

    mentor = _mentor(db, world.veteran)
    assert mentor.is_certified and mentor.certified_at is not None
    assert "You're a certified mentor now" in slack.last_dm(world.veteran).all_text
    assert "Vera Veteran is certified now" in slack.last_ephemeral(world.admin).all_text
    [details] = _certifications(db)
    assert details["how"] == "admin"

    slack.click(world.admin, "Certify", message=profile)  # the old button, clicked again
    assert "Vera Veteran is already certified" in slack.last_ephemeral(world.admin).all_text
    assert len(slack.dms(world.veteran)) == 1
    assert len(_certifications(db)) == 1


def test_only_admins_see_or_use_certify(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    make_mentor(db, world.veteran)
    db.commit()
    assert "[Certify]" not in slack.mentor(world.manager, f"profile <@{world.veteran.id}>").rendered
    admin_view = slack.mentor(world.admin, f"profile <@{world.veteran.id}>")
    slack.click(world.manager, "Certify", message=admin_view)  # a forwarded button
    assert "Only program admins can do that" in slack.last_ephemeral(world.manager).all_text
    assert not _mentor(db, world.veteran).is_certified
    assert _certifications(db) == []


def test_certification_lets_a_waiting_mentor_be_matched(slack, world, db, clock) -> None:  # type: ignore[no-untyped-def]
    program.update(db, changes={"require_certification": True}, actor_id=None, now=clock[0])
    db.commit()
    slack.slash(world.veteran, "/mentor", "optin")
    assert slack.submit(world.veteran, {"Expertise": ["Renewals"]}).ok
    assert not _mentor(db, world.veteran).is_active
    assert "Waiting for certification" in slack.mentor(world.veteran, "profile").all_text

    profile = slack.mentor(world.admin, f"profile <@{world.veteran.id}>")
    slack.click(world.admin, "Certify", message=profile)
    assert _mentor(db, world.veteran).is_active
    assert "You can now be matched with new hires" in slack.last_dm(world.veteran).all_text


def test_trainings_of_someone_who_is_not_a_mentor(slack, world) -> None:  # type: ignore[no-untyped-def]
    assert "You aren't a mentor yet" in slack.mentor(world.junior, "trainings").all_text
