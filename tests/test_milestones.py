"""Ramp milestones (FR-4.1) and the Mentor Role's review process: submit with evidence,
the mentor approves or requests changes, the mentee hears the decision."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from bot.blocks.actions import MILESTONE_APPROVE
from bot.cli import main
from bot.services import milestone_instances, milestone_templates
from models import AuditEntry, MilestoneSubmission, MilestoneTemplate, RampMilestone, User
from tests.factories import make_assignment, make_mentor

QBR = "First QBR run solo"


@pytest.fixture
def pair(db, world):  # type: ignore[no-untyped-def]
    mentor = make_mentor(db, world.veteran)
    assignment = make_assignment(
        db,
        mentor,
        world.new_hire,
        assigned_by=world.manager,
        goals=[{"goal": "Own the Acme account", "target_date": "2027-01-15", "achieved": False}],
    )
    db.commit()
    return assignment


def _milestone(db, person, name: str) -> RampMilestone:  # type: ignore[no-untyped-def]
    db.expire_all()
    return db.scalars(
        sa.select(RampMilestone).where(
            RampMilestone.mentee_user_id == person.user_id, RampMilestone.milestone_name == name
        )
    ).one()


def test_every_new_hire_gets_the_program_ramp_mentored_or_not(db, world, clock) -> None:  # type: ignore[no-untyped-def]
    created = milestone_instances.instantiate_for_new_hires(db, clock[0])
    db.commit()
    templates = db.scalars(sa.select(MilestoneTemplate)).all()
    assert len(templates) == len(milestone_templates.DEFAULT_TEMPLATES)
    assert [t.name for t in templates if t.is_final] == ["Fully ramped"]
    # Newt (5 days) and Nova (3 days) are in the 90-day window; Jun (100 days) is not.
    assert created == 2 * len(templates)
    qbr = _milestone(db, world.new_hire, QBR)
    hired = date(2026, 11, 12)
    assert qbr.target_date == date.fromordinal(hired.toordinal() + 60)
    assert qbr.assignment_id is None  # not mentored (yet)
    assert milestone_instances.instantiate_for_new_hires(db, clock[0]) == 0  # idempotent


def test_roster_import_instantiates_milestones(
    db, clock, tmp_path, monkeypatch, database_url, capsys
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "roster.csv"
    path.write_text("slack_user_id,name,hire_date\nU1,Max,2020-01-01\nU2,Newt,2026-11-01\n")
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["users", "import", str(path), "--now", clock[0].isoformat()]) == 0
    assert "ramp milestones created for new hires: 6" in capsys.readouterr().out


def test_a_roster_import_judges_the_new_hire_window_by_the_programs_day(
    db, world, clock, tmp_path, monkeypatch, database_url, capsys
) -> None:  # type: ignore[no-untyped-def]
    """The program runs in Los Angeles: at 03:00 UTC on 18 Nov it is still 17 Nov
    there. Ida, hired on 19 Aug, is 90 days in (the window's edge, inside it) by the
    program's day, 91 by UTC's: the import gives her the program milestones."""
    from bot.services import program

    program.update(
        db, changes={"default_timezone": "America/Los_Angeles"}, actor_id=None, now=clock[0]
    )
    db.commit()
    path = tmp_path / "roster.csv"
    path.write_text("slack_user_id,name,hire_date\nUIDA,Ida Edge,2026-08-19\n")
    monkeypatch.setenv("DATABASE_URL", database_url)
    late_evening = datetime(2026, 11, 18, 3, 0, tzinfo=UTC)
    assert main(["users", "import", str(path), "--now", late_evening.isoformat()]) == 0
    db.expire_all()
    ida = db.scalars(sa.select(User).where(User.slack_user_id == "UIDA")).one()
    names = db.scalars(
        sa.select(RampMilestone.milestone_name).where(RampMilestone.mentee_user_id == ida.id)
    ).all()
    assert len(names) == len(milestone_templates.DEFAULT_TEMPLATES), names


def test_milestones_lists_program_and_goal_milestones_with_dates(slack, world, pair) -> None:  # type: ignore[no-untyped-def]
    reply = slack.mentor(world.new_hire, "milestones")
    text = reply.all_text
    assert "YOUR RAMP MILESTONES" in text
    assert f"*{QBR}* — target Mon 11 Jan 2027" in text
    assert "Own the Acme account" in text and "mentorship goal" in text
    assert "0 of 7 achieved" in text and "reviewed by Vera Veteran" in text
    # The manager and the mentor may look; someone unrelated may not.
    assert QBR in slack.mentor(world.manager, f"milestones {world.new_hire.mention}").all_text
    assert QBR in slack.mentor(world.veteran, f"milestones {world.new_hire.mention}").all_text
    refused = slack.mentor(world.junior, f"milestones {world.new_hire.mention}")
    assert QBR not in refused.all_text and "your reports'" in refused.all_text


def test_submit_review_approve_end_to_end(slack, world, db, pair, clock) -> None:  # type: ignore[no-untyped-def]
    slack.open_home(world.new_hire)
    slack.click(world.new_hire, "Submit", home=True, near=QBR)
    sent = slack.submit(world.new_hire, {"Evidence": "https://drive.example.com/acme-qbr"})
    assert sent.ok, sent.errors
    assert "submitted" in slack.modal_text(world.new_hire)
    assert _milestone(db, world.new_hire, QBR).status == "submitted"

    request = slack.last_dm(world.veteran)
    assert "Newt Newhire* submitted *First QBR run solo" in request.all_text
    assert "https://drive.example.com/acme-qbr" in request.all_text
    assert QBR in str(slack.open_home(world.veteran))  # waiting on the mentor's home too

    slack.click(world.veteran, "Approve", message=request)
    qbr = _milestone(db, world.new_hire, QBR)
    assert qbr.status == "achieved"
    assert qbr.achieved_date == date(2026, 11, 17)
    assert qbr.verification_method == "mentor_verified"
    assert qbr.verified_by_user_id == world.veteran.user_id
    assert "You approved" in slack.last_dm(world.veteran).all_text  # the request was replaced
    assert "Vera Veteran approved your milestone First QBR run solo" in (
        slack.last_dm(world.new_hire).all_text
    )
    # A second click (or Slack's retry) decides nothing twice.
    slack.press(world.veteran, MILESTONE_APPROVE, str(_submission(db).id), retry_num=1)
    assert "already reviewed" in slack.last_ephemeral(world.veteran).all_text
    actions = db.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.created_at)).all()
    assert "milestone.submitted" in actions and "milestone.approved" in actions


def _submission(db) -> MilestoneSubmission:  # type: ignore[no-untyped-def]
    db.expire_all()
    return db.scalars(sa.select(MilestoneSubmission)).one()


def test_request_changes_needs_feedback_and_the_mentee_can_resubmit(slack, world, db, pair) -> None:  # type: ignore[no-untyped-def]
    slack.open_home(world.new_hire)
    slack.click(world.new_hire, "Submit", home=True, near=QBR)
    assert slack.submit(world.new_hire, {"Evidence": "Ran it with Acme on Monday."}).ok
    slack.click(world.veteran, "Request changes", message=slack.last_dm(world.veteran))
    empty = slack.submit(world.veteran, {"Feedback": ""})
    assert "Say what to change" in empty.errors["Feedback"]
    assert _submission(db).decision is None
    assert slack.submit(world.veteran, {"Feedback": "Add the renewal risk slide."}).ok
    assert _milestone(db, world.new_hire, QBR).status == "changes_requested"
    told = slack.last_dm(world.new_hire).all_text
    assert "asked for changes" in told and "Add the renewal risk slide." in told
    # The feedback shows in the mentee's own list, and they submit again.
    assert "Add the renewal risk slide." in slack.mentor(world.new_hire, "milestones").all_text
    slack.open_home(world.new_hire)
    slack.click(world.new_hire, "Submit", home=True, near=QBR)
    assert slack.submit(world.new_hire, {"Evidence": "Now with the risk slide."}).ok
    assert _milestone(db, world.new_hire, QBR).status == "submitted"


def test_submitting_twice_and_bad_evidence_are_refused(slack, world, db, pair) -> None:  # type: ignore[no-untyped-def]
    slack.open_home(world.new_hire)
    slack.click(world.new_hire, "Submit", home=True, near=QBR)
    broken = slack.submit(world.new_hire, {"Evidence": "https://"})
    assert "link looks broken" in broken.errors["Evidence"]
    assert slack.submit(world.new_hire, {"Evidence": "Done with Acme."}).ok
    qbr = _milestone(db, world.new_hire, QBR)
    from bot.blocks.actions import MILESTONE_SUBMIT

    slack.press(world.new_hire, MILESTONE_SUBMIT, str(qbr.id))  # a stale Submit button
    assert slack.modal(world.new_hire) is not None
    again = slack.submit(world.new_hire, {"Evidence": "Again."})
    assert "already submitted" in " ".join(again.errors.values())
    assert db.scalar(sa.select(sa.func.count()).select_from(MilestoneSubmission)) == 1


def test_reviewing_someone_elses_mentees_milestone_is_refused(slack, world, db, pair) -> None:  # type: ignore[no-untyped-def]
    make_mentor(db, world.londoner)
    db.commit()
    slack.open_home(world.new_hire)
    slack.click(world.new_hire, "Submit", home=True, near=QBR)
    assert slack.submit(world.new_hire, {"Evidence": "Done."}).ok
    submission = _submission(db)
    slack.press(world.londoner, MILESTONE_APPROVE, str(submission.id))
    assert "only review milestones of your own mentees" in (
        slack.last_ephemeral(world.londoner).all_text
    )
    assert _submission(db).decision is None
    assert _milestone(db, world.new_hire, QBR).status == "submitted"


def test_an_unmentored_hire_self_reports(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    slack.open_home(world.tokyo_hire)
    slack.click(world.tokyo_hire, "Submit", home=True, near="Product certification passed")
    assert slack.submit(world.tokyo_hire, {"Evidence": "Certificate #42"}).ok
    cert = _milestone(db, world.tokyo_hire, "Product certification passed")
    assert cert.status == "achieved" and cert.verification_method == "self_report"
    assert "self-reported" in slack.modal_text(world.tokyo_hire)


def _import(tmp_path, monkeypatch, database_url, capsys, text: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    path = tmp_path / "crm.csv"
    path.write_text(text)
    monkeypatch.setenv("DATABASE_URL", database_url)
    code = main(["milestones", "import", str(path), "--now", "2026-11-17T15:00:00Z"])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_cli_import_records_system_tracked_achievements(
    db, world, pair, tmp_path, monkeypatch, database_url, capsys
) -> None:  # type: ignore[no-untyped-def]
    code, out = _import(
        tmp_path,
        monkeypatch,
        database_url,
        capsys,
        "slack_user_id,milestone,achieved_date\n"
        "UNEWT,first-renewal,2026-11-16\n"
        "UJUNIOR,Fully ramped,2026-11-01\n",
    )
    assert code == 0, out
    assert "recorded as system-tracked: 2" in out
    renewal = _milestone(db, world.new_hire, "First renewal closed")
    assert renewal.verification_method == "system_tracked"
    assert renewal.achieved_date == date(2026, 11, 16)
    # Jun is outside the new-hire window but the achievement still counts.
    assert _milestone(db, world.junior, "Fully ramped").status == "achieved"


def test_cli_import_accepts_the_programs_today_ahead_of_utc(
    db, world, pair, tmp_path, monkeypatch, database_url, capsys
) -> None:  # type: ignore[no-untyped-def]
    """The program runs in Auckland, where 15:00 UTC on 17 Nov is already 18 Nov: an
    achievement of 18 Nov is today's, 19 Nov is refused with the program's today."""
    from bot.services import program

    program.update(
        db,
        changes={"default_timezone": "Pacific/Auckland"},
        actor_id=None,
        now=datetime(2026, 11, 17, 15, 0, tzinfo=UTC),
    )
    db.commit()
    refused = "slack_user_id,milestone,achieved_date\nUNEWT,first-renewal,2026-11-19\n"
    code, out = _import(tmp_path, monkeypatch, database_url, capsys, refused)
    assert code == 1
    assert (
        "line 2: achieved_date 2026-11-19 is in the future "
        "(today is 2026-11-18 where the program runs)"
    ) in out
    today = "slack_user_id,milestone,achieved_date\nUNEWT,first-renewal,2026-11-18\n"
    code, out = _import(tmp_path, monkeypatch, database_url, capsys, today)
    assert code == 0, out
    assert _milestone(db, world.new_hire, "First renewal closed").achieved_date == date(
        2026, 11, 18
    )


def test_cli_import_is_all_or_nothing_with_line_numbers(
    db, world, pair, tmp_path, monkeypatch, database_url, capsys
) -> None:  # type: ignore[no-untyped-def]
    code, out = _import(
        tmp_path,
        monkeypatch,
        database_url,
        capsys,
        "slack_user_id,milestone,achieved_date\n"
        "UNEWT,first-renewal,2026-11-16\n"
        "UNOBODY,first-renewal,2026-11-16\n"
        "UNEWT,Juggling,2026-11-16\n"
        "UNEWT,first-qbr-solo,16/11/2026\n"
        "UNEWT,first-qbr-solo,2027-01-01\n",
    )
    assert code == 1
    assert "line 3: UNOBODY is not in the roster" in out
    assert "line 4: 'Juggling' is neither" in out
    assert "line 5: achieved_date '16/11/2026' is not a date" in out
    assert "line 6: achieved_date 2027-01-01 is in the future" in out
    assert "nothing was changed" in out
    db.expire_all()
    assert (
        db.scalar(
            sa.select(sa.func.count())
            .select_from(RampMilestone)
            .where(RampMilestone.status == "achieved")
        )
        == 0
    )
