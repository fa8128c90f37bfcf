"""`mentorbot users import FILE.csv`: upsert by Slack id, all-or-nothing."""

from __future__ import annotations

import sqlalchemy as sa

from bot.cli import main
from models import AuditEntry, User

#: The import says what day it is (who counts as a new hire), as the `clock` fixture does.
AS_OF = "2026-11-17T15:00:00Z"
HEADER = "slack_user_id,email,name,title,hire_date,manager_slack_user_id,timezone,location"


def _users(db) -> dict[str, User]:  # type: ignore[no-untyped-def]
    db.expire_all()
    return {u.slack_user_id: u for u in db.scalars(sa.select(User))}


def _import(tmp_path, monkeypatch, database_url, text: str, capsys) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    path = tmp_path / "roster.csv"
    path.write_text(text)
    monkeypatch.setenv("DATABASE_URL", database_url)
    code = main(["users", "import", str(path), "--now", AS_OF])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_import_creates_and_links_managers(db, tmp_path, monkeypatch, database_url, capsys) -> None:  # type: ignore[no-untyped-def]
    text = "\n".join(
        [
            HEADER + ",shoe_size",
            "U2,newt@x.com,Newt,CSM,2026-11-01,U1,America/Chicago,Chicago,44",
            "U1,max@x.com,Max,Manager,2020-01-15,,America/New_York,NYC,43",
        ]
    )
    code, out, _ = _import(tmp_path, monkeypatch, database_url, text, capsys)
    assert code == 0
    assert "2 created, 0 updated" in out
    assert "ignored columns: shoe_size" in out
    users = _users(db)
    assert users["U2"].manager_id == users["U1"].id
    assert users["U2"].hire_date.isoformat() == "2026-11-01"
    assert users["U2"].timezone == "America/Chicago"
    assert db.scalar(sa.select(AuditEntry.action)) == "roster.imported"


def test_import_again_updates_in_place(db, tmp_path, monkeypatch, database_url, capsys) -> None:  # type: ignore[no-untyped-def]
    _import(
        tmp_path,
        monkeypatch,
        database_url,
        f"{HEADER}\nU1,a@x.com,Max,Manager,2020-01-15,,,",
        capsys,
    )
    code, out, _ = _import(
        tmp_path,
        monkeypatch,
        database_url,
        f"{HEADER}\nU1,a@x.com,Max M.,Director,2020-01-15,,Europe/Paris,Paris",
        capsys,
    )
    assert code == 0 and "0 created, 1 updated" in out
    users = _users(db)
    assert len(users) == 1
    assert users["U1"].title == "Director" and users["U1"].timezone == "Europe/Paris"


def test_bad_rows_are_reported_by_line_and_nothing_is_written(
    db, tmp_path, monkeypatch, database_url, capsys
) -> None:  # type: ignore[no-untyped-def]
    text = "\n".join(
        [
            HEADER,
            "U1,max@x.com,Max,Manager,2020-01-15,,America/New_York,NYC",
            ",nobody@x.com,Nobody,CSM,2026-01-01,U1,,",
            "U3,c@x.com,Cleo,CSM,01/02/2026,U1,,",
            "U4,d@x.com,Dan,CSM,2026-02-01,U404,,",
            "U5,e@x.com,Eve,CSM,2026-02-01,U1,Mars/Olympus,",
        ]
    )
    code, _, err = _import(tmp_path, monkeypatch, database_url, text, capsys)
    assert code == 1
    assert "line 3: slack_user_id is empty" in err
    assert "line 4: hire_date '01/02/2026' is not a date" in err
    assert "line 5: manager U404 is not in this file or the roster" in err
    assert "line 6: timezone 'Mars/Olympus' is unknown" in err
    assert "nothing was changed" in err
    assert _users(db) == {}


def test_missing_file_is_one_line(tmp_path, monkeypatch, database_url, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", database_url)
    code = main(["users", "import", str(tmp_path / "nope.csv")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("mentorbot: can't read") and err.count("\n") == 1


def test_header_without_ids_is_refused(db, tmp_path, monkeypatch, database_url, capsys) -> None:  # type: ignore[no-untyped-def]
    code, _, err = _import(tmp_path, monkeypatch, database_url, "name,email\nMax,m@x.com", capsys)
    assert code == 1
    assert "no slack_user_id column" in err


def test_configured_admins_are_admins_from_the_import(
    db, tmp_path, monkeypatch, database_url, capsys
) -> None:  # type: ignore[no-untyped-def]
    """MENTORBOT_ADMINS take effect when the roster is imported, before anyone uses Slack,
    so escalations and admin digests reach them."""
    monkeypatch.setenv("MENTORBOT_ADMINS", "U1")
    code, _, _ = _import(
        tmp_path,
        monkeypatch,
        database_url,
        f"{HEADER}\nU1,a@x.com,Ada,Lead,2020-01-15,,,\nU2,b@x.com,Bo,CSM,2021-01-15,U1,,",
        capsys,
    )
    assert code == 0
    users = _users(db)
    assert (users["U1"].is_admin, users["U2"].is_admin) == (True, False)
