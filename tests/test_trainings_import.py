"""`mentorbot trainings import`: an LMS export records mentors' trainings as
system-tracked (NFR-3), with the roster's line-numbered, all-or-nothing rules."""

from __future__ import annotations

import sqlalchemy as sa

from bot.cli import main
from models import AuditEntry, Mentor, MentorTraining
from tests.factories import make_mentor


def _import(tmp_path, monkeypatch, database_url, clock, content: bytes | str) -> int:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", database_url)
    path = tmp_path / "lms.csv"
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return main(["trainings", "import", str(path), "--now", clock[0].isoformat()])


def test_an_lms_export_records_trainings_and_certifies(
    slack, world, db, clock, tmp_path, monkeypatch, database_url, capsys
) -> None:  # type: ignore[no-untyped-def]
    make_mentor(db, world.veteran)
    make_mentor(db, world.londoner)
    db.commit()
    # Vera marked one done herself; the LMS confirms it and adds the other.
    slack.click(
        world.veteran,
        "Mark done",
        message=slack.mentor(world.veteran, "trainings"),
        near="Mentoring 101",
    )
    exported = (
        "\ufeffEmail,Training,Completed_Date\n"
        "vera@example.com,Mentoring 101,2026-11-01\n"
        "vera@example.com,privacy,2026-11-02\n"
        "omar@example.com,Confidentiality & privacy,2026-11-03\n"
        "jun@example.com,Mentoring 101,2026-11-04\n"
    )
    assert _import(tmp_path, monkeypatch, database_url, clock, exported) == 0
    out = capsys.readouterr().out
    assert "trainings recorded as system-tracked: 2 (1 already recorded)" in out
    assert "certified now: Vera Veteran" in out
    assert "nothing recorded for: Jun Ior" in out
    db.expire_all()
    vera = db.scalar(sa.select(Mentor).where(Mentor.user_id == world.veteran.user_id))
    assert vera is not None and vera.is_certified
    sources = {t.training_key: t.source for t in vera.trainings}
    assert sources == {"mentoring-101": "system_tracked", "privacy": "system_tracked"}
    omar = db.scalar(sa.select(Mentor).where(Mentor.user_id == world.londoner.user_id))
    assert omar is not None and not omar.is_certified
    assert [t.training_key for t in omar.trainings] == ["privacy"]
    listing = slack.mentor(world.londoner, "trainings").all_text
    assert "*Confidentiality & privacy* — done Tue 3 Nov 2026 (recorded by the LMS)" in listing
    entry = db.scalar(sa.select(AuditEntry).where(AuditEntry.action == "trainings.imported"))
    assert entry is not None and entry.details["recorded"] == 2
    certified = db.scalars(
        sa.select(AuditEntry.details).where(AuditEntry.action == "mentor.certified")
    ).all()
    assert [d["how"] for d in certified] == ["lms"]


def test_a_bad_lms_export_names_each_line_and_records_nothing(
    slack, world, db, clock, tmp_path, monkeypatch, database_url, capsys
) -> None:  # type: ignore[no-untyped-def]
    make_mentor(db, world.veteran)
    db.commit()
    bad = (
        "slack_user_id,training,completed_date\n"
        "UVERA,Mentoring 101,2026-11-01\n"
        "UNOBODY,Mentoring 101,2026-11-01\n"
        "UVERA,Juggling,2026-11-01\n"
        "UVERA,privacy,01/11/2026\n"
        "UVERA,privacy,2027-01-01\n"
    )
    assert _import(tmp_path, monkeypatch, database_url, clock, bad) == 1
    err = capsys.readouterr().err
    assert "Trainings not imported (4 problem(s)); nothing was changed" in err
    assert "line 3: UNOBODY is not in the roster" in err
    assert "line 4: training 'Juggling' is not one of the program's required trainings" in err
    assert "line 5: completed_date '01/11/2026' is not a date like 2026-12-01" in err
    assert "line 6: completed_date 2027-01-01 is in the future" in err
    assert db.scalars(sa.select(MentorTraining)).all() == []

    assert _import(tmp_path, monkeypatch, database_url, clock, "name,training\nVera,x\n") == 1
    err = capsys.readouterr().err
    assert "line 1: the header lacks completed_date" in err
    assert "line 1: the header needs a slack_user_id or an email column" in err
    # The roster's file checks: another encoding, empty, header only.
    latin1 = "slack_user_id,training,completed_date\nUVERA,Mentoring 101 é,2026-11-01\n"
    assert _import(tmp_path, monkeypatch, database_url, clock, latin1.encode("latin-1")) == 2
    assert "is not UTF-8 text" in capsys.readouterr().err
    assert _import(tmp_path, monkeypatch, database_url, clock, "") == 2
    assert "is empty: nothing was changed" in capsys.readouterr().err
    header_only = "slack_user_id,training,completed_date\n"
    assert _import(tmp_path, monkeypatch, database_url, clock, header_only) == 2
    assert "has a header but no rows" in capsys.readouterr().err
    db.expire_all()
    assert db.scalars(sa.select(MentorTraining)).all() == []


def test_an_lms_export_may_record_the_programs_today_ahead_of_utc(
    slack, world, db, clock, tmp_path, monkeypatch, database_url, capsys
) -> None:  # type: ignore[no-untyped-def]
    """The program runs in Auckland, where 15:00 UTC on 17 Nov is already 18 Nov."""
    from bot.services import program

    program.update(
        db, changes={"default_timezone": "Pacific/Auckland"}, actor_id=None, now=clock[0]
    )
    make_mentor(db, world.veteran)
    db.commit()
    exported = "email,training,completed_date\nvera@example.com,privacy,2026-11-18\n"
    assert _import(tmp_path, monkeypatch, database_url, clock, exported) == 0, capsys.readouterr()
    listing = slack.mentor(world.veteran, "trainings").all_text
    assert "*Confidentiality & privacy* — done Wed 18 Nov 2026 (recorded by the LMS)" in listing
