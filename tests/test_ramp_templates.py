"""The program lead defines the ramp (issue 18): milestone templates edited in Slack and
as YAML, never rewriting history, with the ramp comparison right across versions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from bot.blocks.actions import TEMPLATE_RETIRE
from bot.cli import main
from bot.services import milestone_instances
from bot.services.analytics.ramp import ramp_comparison
from bot.services.analytics.shared import Scope
from bot.services.program import load as load_program
from bot.testing.surface_inputs import buttons_in
from models import AuditEntry, MilestoneTemplate, RampMilestone
from tests.factories import make_assignment, make_mentor, make_people

FINAL = "Fully ramped"


def _rows(db, key: str) -> dict[str, RampMilestone]:  # type: ignore[no-untyped-def]
    db.expire_all()
    found = db.scalars(sa.select(RampMilestone).where(RampMilestone.template_key == key)).all()
    return {str(r.mentee_user_id): r for r in found}


def _reach(db, person, key: str, day: date) -> None:  # type: ignore[no-untyped-def]
    row = _rows(db, key)[str(person.user_id)]
    row.achieved_date, row.status, row.verification_method = day, "achieved", "system_tracked"
    db.commit()


def _ramp_row(db, key: str):  # type: ignore[no-untyped-def]
    report = ramp_comparison(db, load_program(db), Scope())
    return next(r for r in report.milestones if r.milestone_key == key)


def test_admin_edits_the_ramp_and_hires_keep_what_they_were_given(slack, world, db, clock) -> None:  # type: ignore[no-untyped-def]
    milestone_instances.instantiate_for_new_hires(db, clock[0])  # Newt and Nova: the ramp as it is
    db.commit()
    listing = slack.mentor(world.admin, "milestones templates")
    text = listing.all_text
    assert "*1. Product certification passed* — day 14" in text
    assert "*6. Fully ramped* — day 90" in text and "means fully ramped" in text

    # Fully ramped moves from 90 to 120 days, for new hires only.
    slack.click(world.admin, "Edit", near=FINAL, message=listing)
    assert "Apply this change to the 2 hire(s) who haven't reached it" in slack.modal_text(
        world.admin
    )
    slack.submit(world.admin, {"Target (days from hire)": "120"})
    assert "Hires already given it keep the milestone they have" in slack.modal_text(world.admin)
    newt_hired = clock[0].date() - timedelta(days=5)
    assert _rows(db, "fully-ramped")[str(world.new_hire.user_id)].target_date == newt_hired + (
        timedelta(days=90)
    )
    later = make_people(db, slack.fake, 1, now=clock[0], hired_days_ago=2)[0]
    db.commit()
    milestone_instances.instantiate_for_new_hires(db, clock[0])
    db.commit()
    given = _rows(db, "fully-ramped")
    assert given[str(later.user_id)].target_date == clock[0].date() + timedelta(days=118)
    assert given[str(later.user_id)].template_version == 2
    assert given[str(world.new_hire.user_id)].template_version == 1

    # Then the admin applies it to the hires who haven't reached it (Nova reached it).
    _reach(db, world.tokyo_hire, "fully-ramped", clock[0].date())
    slack.click(
        world.admin, "Edit", near=FINAL, message=slack.mentor(world.admin, "milestones templates")
    )
    # Newt holds version 1 and the later hire version 2: both are behind version 3.
    assert "to the 2 hire(s) who haven't reached it" in slack.modal_text(world.admin)
    slack.submit(
        world.admin,
        {"Name": "Owns a book", "Hires already given it": ["Apply to 2 hire(s)"]},
    )
    assert "Applied to 2 hire(s)" in slack.modal_text(world.admin)
    given = _rows(db, "fully-ramped")
    assert given[str(world.new_hire.user_id)].milestone_name == "Owns a book"
    assert given[str(later.user_id)].template_version == 3
    assert given[str(world.new_hire.user_id)].target_date == newt_hired + timedelta(days=120)
    # Nova's achieved milestone is history: untouched.
    assert given[str(world.tokyo_hire.user_id)].milestone_name == FINAL
    assert given[str(world.tokyo_hire.user_id)].template_version == 1
    saved = db.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "milestone_template.saved")
    ).all()
    # Both saves happen at one app instant, so the rows have no order: compare sorted.
    assert sorted(e.details["applied_to"] for e in saved) == [0, 2]


def test_the_ramp_comparison_counts_each_milestone_over_the_hires_given_it(
    slack, world, db, clock
) -> None:  # type: ignore[no-untyped-def]
    milestone_instances.instantiate_for_new_hires(db, clock[0])  # Newt, Nova: six milestones each
    db.commit()
    # A new milestone, not applied to hires already ramping: only later hires get it.
    slack.mentor(world.admin, "milestones templates")
    slack.click(world.admin, "Add a template")
    assert "Apply this milestone to the 2 hire(s)" in slack.modal_text(world.admin)
    slack.submit(world.admin, {"Name": "Joined a pod", "Target (days from hire)": "7"})
    # And "Fully ramped" moves to 120 days: version 2 for later hires only.
    listing = slack.mentor(world.admin, "milestones templates")
    slack.click(world.admin, "Edit", near=FINAL, message=listing)
    slack.submit(world.admin, {"Target (days from hire)": "120"})
    later = make_people(db, slack.fake, 2, now=clock[0], hired_days_ago=1)
    db.commit()
    milestone_instances.instantiate_for_new_hires(db, clock[0])
    db.commit()
    assert set(_rows(db, "joined-a-pod")) == {str(p.user_id) for p in later}
    versions = {k: r.template_version for k, r in _rows(db, "fully-ramped").items()}
    assert sorted(versions.values()) == [1, 1, 2, 2]
    _reach(db, world.new_hire, "fully-ramped", clock[0].date())
    _reach(db, later[0], "fully-ramped", clock[0].date())
    _reach(db, later[0], "joined-a-pod", clock[0].date())

    pod = _ramp_row(db, "joined-a-pod")
    # Two hires were given it, one reached it: Newt and Nova are not "not yet".
    assert pod.not_mentored.hires == 2 and pod.not_mentored.reached == 1
    final = _ramp_row(db, "fully-ramped")
    assert final.is_final and final.not_mentored.hires == 4 and final.not_mentored.reached == 2
    assert final.not_mentored.mean_days == pytest.approx(3.0)  # 5 and 1 days from hire
    # The lead sees the same in the program analytics.
    shown = [
        line
        for line in slack.mentor(world.admin, "analytics").all_text.splitlines()
        if "Joined a pod" in line or FINAL in line
    ]
    assert any("Joined a pod" in line and "(1/2)" in line for line in shown), shown
    assert any(FINAL in line and "(2/4)" in line for line in shown), shown

    # Retired: later hires are no longer given it, and it leaves the comparison;
    # the milestones hires have of it stay.
    listing = slack.mentor(world.admin, "milestones templates")
    slack.click(world.admin, "Retire", near="Joined a pod", message=listing)
    assert "Retired: Joined a pod" in slack.last_ephemeral(world.admin).all_text
    one_more = make_people(db, slack.fake, 3, now=clock[0], hired_days_ago=1)[-1]
    db.commit()
    milestone_instances.instantiate_for_new_hires(db, clock[0])
    db.commit()
    assert str(one_more.user_id) not in _rows(db, "joined-a-pod")
    assert len(_rows(db, "joined-a-pod")) == 2
    report = ramp_comparison(db, load_program(db), Scope())
    assert "joined-a-pod" not in [r.milestone_key for r in report.milestones]
    assert "Joined a pod" not in slack.mentor(world.admin, "analytics").all_text


def test_bad_template_input_names_the_field_and_changes_nothing(slack, world, db, clock) -> None:  # type: ignore[no-untyped-def]
    listing = slack.mentor(world.admin, "milestones templates")
    slack.click(world.admin, "Edit", near="First QBR run solo", message=listing)
    refused = slack.submit(
        world.admin, {"Name": "Shadowed five customer calls", "Target (days from hire)": "-5"}
    )
    assert "already named 'Shadowed five customer calls'" in refused.errors["Name"]
    assert "from 0 to 3650" in refused.errors["Target (days from hire)"]
    slack.close_modal(world.admin)
    # The only fully-ramped template can be neither unmarked nor retired.
    slack.click(world.admin, "Edit", near=FINAL, message=listing)
    refused = slack.submit(world.admin, {"Fully ramped": []})
    assert "One template must mean fully ramped" in refused.errors["Fully ramped"]
    slack.close_modal(world.admin)
    assert [b.label for b in buttons_in(listing.blocks) if b.value == "fully-ramped"] == [
        "Edit",
        "Move up",
    ]
    slack.press(world.admin, TEMPLATE_RETIRE, "fully-ramped", message=listing)
    assert (
        "mark another template as fully ramped first" in slack.last_ephemeral(world.admin).all_text
    )
    db.expire_all()
    templates = db.scalars(sa.select(MilestoneTemplate).order_by(MilestoneTemplate.position)).all()
    assert [t.version for t in templates] == [1] * 6 and all(t.is_active for t in templates)
    assert [t.name for t in templates if t.is_final] == [FINAL]

    # Someone who isn't an admin is refused, and the attempt is audited.
    reply = slack.mentor(world.veteran, "milestones templates")
    assert "Only program admins" in reply.all_text
    slack.press(world.veteran, TEMPLATE_RETIRE, "first-qbr-solo")
    refusals = db.scalars(sa.select(AuditEntry).where(AuditEntry.action == "admin.refused")).all()
    assert [r.entity_id for r in refusals] == ["milestone_templates"] * 2
    db.expire_all()
    assert db.scalar(
        sa.select(MilestoneTemplate.is_active).where(MilestoneTemplate.key == "first-qbr-solo")
    )


def test_reorder_moves_a_template_up(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    listing = slack.mentor(world.admin, "milestones templates")
    slack.click(world.admin, "Move up", near="First customer call led solo", message=listing)
    text = slack.last_ephemeral(world.admin).all_text
    assert "*2. First customer call led solo*" in text and "*3. Shadowed five" in text


# -- YAML ----------------------------------------------------------------------------------
def test_templates_round_trip_through_yaml(
    slack, world, db, tmp_path, monkeypatch, capsys, database_url
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", database_url)
    path = tmp_path / "ramp.yaml"
    assert main(["milestones", "templates", "export", str(path)]) == 0
    exported = path.read_text()
    assert "- key: product-certification" in exported and "fully_ramped: true" in exported
    assert main(["milestones", "templates", "import", str(path)]) == 0
    assert "0 added, 0 changed, 0 retired" in capsys.readouterr().out

    # The lead reorders, adds one, drops one and edits one in the file.
    edited = exported.replace("days_from_hire: 75", "days_from_hire: 80")
    edited = edited.replace(
        "templates:\n",
        "templates:\n- name: Met the team\n  days_from_hire: 3\n  verification: self_report\n",
    )
    start = edited.index("- key: shadowed-calls")
    end = edited.index("- key: first-call-solo")
    path.write_text(edited[:start] + edited[end:])
    assert main(["milestones", "templates", "import", str(path)]) == 0
    assert "1 added, 1 changed, 1 retired" in capsys.readouterr().out
    db.expire_all()
    active = db.scalars(
        sa.select(MilestoneTemplate)
        .where(MilestoneTemplate.is_active)
        .order_by(MilestoneTemplate.position)
    ).all()
    assert [t.key for t in active][:2] == ["met-the-team", "product-certification"]
    renewal = next(t for t in active if t.key == "first-renewal")
    assert renewal.days_from_hire == 80 and renewal.version == 2
    assert "shadowed-calls" not in [t.key for t in active]
    again = tmp_path / "again.yaml"
    assert main(["milestones", "templates", "export", str(again)]) == 0
    assert main(["milestones", "templates", "import", str(again)]) == 0
    assert "0 added, 0 changed, 0 retired" in capsys.readouterr().out


def test_a_bad_templates_file_names_each_line_and_changes_nothing(
    slack, world, db, tmp_path, monkeypatch, capsys, database_url
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", database_url)
    path = tmp_path / "ramp.yaml"
    path.write_text(
        "templates:\n"
        "- name: Met the team\n"  # 2
        "  days_from_hire: -3\n"  # 3
        "- name: met the team\n"  # 4
        "  days_from_hire: ten\n"  # 5
        "  colour: blue\n"  # 6
        "- name: Fully ramped\n"  # 7
        "  days_from_hire: 90\n"
    )
    assert main(["milestones", "templates", "import", str(path)]) == 1
    err = capsys.readouterr().err
    assert "nothing was changed" in err
    assert "line 3: days_from_hire:" in err
    assert "line 5: days_from_hire must be a whole number" in err
    assert "line 6: unknown key 'colour'" in err
    path.write_text("templates:\n- name: A\n  days_from_hire: 1\n- name: a\n  days_from_hire: 2\n")
    assert main(["milestones", "templates", "import", str(path)]) == 1
    err = capsys.readouterr().err
    assert "line 4: name 'a' is also on line 2" in err
    path.write_text("templates:\n- name: A\n  days_from_hire: 1\n")
    assert main(["milestones", "templates", "import", str(path)]) == 1
    assert "exactly one template must have `fully_ramped: true` (none does)" in (
        capsys.readouterr().err
    )
    path.write_text("ramp:\n- name: A\n")
    assert main(["milestones", "templates", "import", str(path)]) == 1
    assert "line 1: unknown key 'ramp'" in capsys.readouterr().err
    db.expire_all()
    assert len(db.scalars(sa.select(MilestoneTemplate)).all()) == 0  # not even seeded


def test_how_a_template_is_verified_decides_what_a_submit_does(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    mentor = make_mentor(db, world.veteran)
    make_assignment(db, mentor, world.new_hire)
    db.commit()
    listing = slack.mentor(world.admin, "milestones templates")
    slack.click(world.admin, "Edit", near="Product certification passed", message=listing)
    slack.submit(world.admin, {"How it is verified": "system_tracked"})
    slack.click(world.admin, "Edit", near="Shadowed five customer calls", message=listing)
    slack.submit(world.admin, {"How it is verified": "self_report"})
    text = slack.mentor(world.admin, "milestones templates").all_text
    assert "verified: a system records it (CRM, LMS)" in text
    assert "verified: the hire reports it" in text

    # Newt has a mentor, yet reports "Shadowed five calls" himself; the certification
    # is recorded by the LMS, never submitted; the rest still go to Vera for review.
    slack.open_home(world.new_hire)
    slack.click(world.new_hire, "Submit", home=True, near="Shadowed five customer calls")
    assert slack.submit(world.new_hire, {"Evidence": "Five calls with Omar"}).ok
    shadowed = _rows(db, "shadowed-calls")[str(world.new_hire.user_id)]
    assert shadowed.status == "achieved" and shadowed.verification_method == "self_report"
    slack.click(world.new_hire, "Submit", home=True, near="Product certification passed")
    refused = slack.submit(world.new_hire, {"Evidence": "Certificate #42"})
    assert "recorded by a system" in " ".join(refused.errors.values())
    assert _rows(db, "product-certification")[str(world.new_hire.user_id)].status == "open"
    slack.close_modal(world.new_hire)
    slack.click(world.new_hire, "Submit", home=True, near="First customer call led solo")
    assert slack.submit(world.new_hire, {"Evidence": "Led the Acme call"}).ok
    assert _rows(db, "first-call-solo")[str(world.new_hire.user_id)].status == "submitted"
