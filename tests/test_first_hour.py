"""A new admin's first hour with the `mentorbot` command: every failure is one line
that says what to do, the default database has a fixed home, the roster is easy to get
right the first time."""

from __future__ import annotations

import argparse
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from bot.cli import main
from bot.config import Settings, data_dir
from models import User
from tests.conftest import BACKENDS, POSTGRES_URL

HEADER = "slack_user_id,email,name,title,hire_date,manager_slack_user_id,timezone,location"

#: Commands that open the database, with what they need besides it.
DATABASE_COMMANDS = [
    ["db", "upgrade"],
    ["analytics"],
    ["match-cohort"],
    ["reminders", "run"],
    ["serve"],
]


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:  # type: ignore[no-untyped-def]
    """A fresh user home, no DATABASE_URL, run from an unrelated folder."""
    user_home = tmp_path / "home"
    user_home.mkdir()
    monkeypatch.setenv("HOME", str(user_home))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    return user_home


def _one_line(capsys) -> str:  # type: ignore[no-untyped-def]
    """The single `mentorbot:` line of stderr (besides the `database:` line)."""
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if not line.startswith("database: ")]
    assert len(lines) == 1, err
    assert lines[0].startswith("mentorbot: ") and "Traceback" not in err
    return lines[0]


def _credentials(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "secret")


# -- the database --------------------------------------------------------------------------


@pytest.mark.skipif("postgresql" not in BACKENDS, reason="needs the PostgreSQL server")
@pytest.mark.parametrize("command", DATABASE_COMMANDS, ids=" ".join)
def test_a_postgres_database_that_does_not_exist_says_how_to_create_it(
    command, monkeypatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    name = f"mentorbot_missing_{uuid.uuid4().hex[:8]}"
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    monkeypatch.setenv("DATABASE_URL", url)
    _credentials(monkeypatch)
    assert main(command) == 2
    line = _one_line(capsys)
    assert f"the PostgreSQL database '{name}' does not exist" in line
    assert f"`createdb {name}`" in line


@pytest.mark.parametrize("command", DATABASE_COMMANDS, ids=" ".join)
def test_a_server_that_does_not_answer_is_one_line(command, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    # Port 1 on the loopback: nothing listens there, the refusal is immediate.
    monkeypatch.setenv("DATABASE_URL", "postgresql://mentor:s3cret@127.0.0.1:1/mentorbot")
    _credentials(monkeypatch)
    assert main(command) == 2
    line = _one_line(capsys)
    assert "can't reach the database at postgresql://mentor:***@127.0.0.1:1/mentorbot" in line
    assert "is the PostgreSQL server running" in line and "Connection refused" in line
    assert "s3cret" not in line


def test_a_sqlite_file_in_a_missing_folder_is_one_line(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'no' / 'such' / 'x.db'}")
    assert main(["db", "upgrade"]) == 2
    assert "its folder does not exist" in _one_line(capsys)


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("PORT", "abc", "PORT='abc': input should be a valid integer"),
        ("PORT", "70000", "PORT='70000': input should be less than or equal to 65535"),
        ("DATABASE_URL", "not a url", "DATABASE_URL: not a database URL; use e.g. postgresql://"),
        ("DATABASE_URL", "mysql://u:pw@h/db", "DATABASE_URL: a mysql database; MentorBot speaks"),
    ],
)
def test_a_bad_variable_is_one_line_naming_it(variable, value, says, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv(variable, value)
    assert main(["analytics"]) == 2
    line = _one_line(capsys)
    assert says in line
    assert line.endswith("fix it in the environment (or .env) and try again")
    assert "pw" not in line  # a URL may hold a password: named, never echoed


def test_default_database_lives_in_the_user_data_folder(home, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    expected = f"sqlite:///{home / '.local' / 'share' / 'mentorbot' / 'mentorbot.db'}"
    assert Settings(_env_file=None).database_url == expected

    with pytest.raises(SystemExit):
        main(["--help"])
    assert expected in capsys.readouterr().out.replace("\n", "")

    assert main(["db", "upgrade"]) == 0
    assert capsys.readouterr().err.splitlines()[0] == f"database: {expected}"
    assert (home / ".local" / "share" / "mentorbot" / "mentorbot.db").is_file()
    assert list(Path.cwd().iterdir()) == []  # nothing lands in the folder it ran from

    assert main(["analytics", "--now", "2026-11-17T14:00:00Z"]) == 0
    assert capsys.readouterr().err.splitlines()[0] == f"database: {expected}"
    assert list(Path.cwd().iterdir()) == []


def test_xdg_data_home_moves_the_default(home, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert data_dir() == tmp_path / "xdg" / "mentorbot"
    assert (
        Settings(_env_file=None).database_url
        == f"sqlite:///{tmp_path / 'xdg' / 'mentorbot'}/mentorbot.db"
    )


# -- the roster CSV ------------------------------------------------------------------------


def _import(path: Path, database_url: str, monkeypatch, capsys) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", database_url)
    code = main(["users", "import", str(path)])
    out = capsys.readouterr()
    return code, out.out, out.err


def _people(db) -> set[str]:  # type: ignore[no-untyped-def]
    db.expire_all()
    return set(db.scalars(sa.select(User.slack_user_id)))


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"], ids=["utf-8", "utf-8 with BOM"])
def test_roster_in_utf8_with_or_without_bom(
    db, tmp_path, database_url, monkeypatch, capsys, bom
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "roster.csv"
    path.write_bytes(bom + f"{HEADER}\nU1,zoe@x.com,Zoë Müller,CSM,2026-11-02,,,Zürich\n".encode())
    code, out, _ = _import(path, database_url, monkeypatch, capsys)
    assert code == 0 and "1 created" in out
    db.expire_all()
    assert db.scalar(sa.select(User.name).where(User.slack_user_id == "U1")) == "Zoë Müller"


def test_roster_in_latin1_says_to_save_it_as_utf8(
    db, tmp_path, database_url, monkeypatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "roster.csv"
    path.write_bytes(f"{HEADER}\nU1,zoe@x.com,Zoë Müller,CSM,2026-11-02,,,\n".encode("latin-1"))
    code, _, err = _import(path, database_url, monkeypatch, capsys)
    assert code == 2
    line = [line for line in err.splitlines() if line.startswith("mentorbot:")]
    assert len(line) == 1 and "Traceback" not in err
    assert f"{path} is not UTF-8 text" in line[0] and "save it as UTF-8" in line[0]
    assert _people(db) == set()


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "is empty: nothing was changed"),
        ("\n\n", "is empty: nothing was changed"),
        (HEADER + "\n", "has a header but no rows under it: nothing was changed"),
        (HEADER + "\n,,,\n\n", "has a header but no rows under it: nothing was changed"),
    ],
    ids=["empty", "blank lines", "header only", "header and blank rows"],
)
def test_empty_or_header_only_roster_writes_nothing(
    db, tmp_path, database_url, monkeypatch, capsys, text, says
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "roster.csv"
    path.write_text(text)
    code, out, err = _import(path, database_url, monkeypatch, capsys)
    assert code == 2 and out == ""
    assert err.strip().splitlines() == [f"mentorbot: {path} {says}"]
    assert _people(db) == set()


def test_import_help_shows_the_columns_and_an_example_row(capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as exited:
        main(["users", "import", "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert HEADER in out
    assert (
        "U02NEWT,newt@example.com,Newt Diaz,CSM,2026-11-02,U01LEAD,America/Chicago,Chicago" in out
    )
    assert "mentorbot users template" in out


def test_users_template_writes_a_sample_that_imports(
    db, tmp_path, database_url, monkeypatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "roster.csv"
    assert main(["users", "template", str(path)]) == 0
    assert f"wrote a sample roster to {path}" in capsys.readouterr().out
    assert path.read_text().splitlines()[0] == HEADER

    assert main(["users", "template", str(path)]) == 2  # never overwrites a roster
    assert f"{path} already exists" in _one_line(capsys)

    code, out, _ = _import(path, database_url, monkeypatch, capsys)
    assert code == 0 and "2 created" in out
    assert _people(db) == {"U01LEAD", "U02NEWT"}


def test_users_template_without_a_file_prints_it(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["users", "template"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == HEADER and len(lines) == 3


# -- plain words -------------------------------------------------------------------------


def test_slack_text_says_program_not_prd(slack, world, clock) -> None:  # type: ignore[no-untyped-def]
    """People know the program, not the requirements document it was built from."""
    help_text = slack.mentor(world.new_hire, "help").all_text
    assert "Program figures against the program's targets" in help_text
    report = slack.mentor(world.admin, "analytics").all_text
    assert "Success metrics against the program's targets" in report
    assert "PRD" not in help_text and "PRD" not in report


def _all_help(parser: argparse.ArgumentParser) -> list[str]:
    """The --help of a parser and of every sub-command under it."""
    texts = [parser.format_help()]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                texts.extend(_all_help(sub))
    return texts


def test_cli_help_says_program_not_prd() -> None:
    from bot.cli import build_parser

    texts = _all_help(build_parser())
    assert len(texts) > 10  # every command and action
    assert [text.splitlines()[0] for text in texts if "PRD" in text] == []


def test_readme_stands_on_its_own() -> None:
    """A clone has only the repository: the README points at nothing outside it."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    assert "../" not in readme and "shared/seeds" not in readme and "DESIGN.md" not in readme
    assert "mentorbot users template" in readme
    assert "~/.local/share/mentorbot/mentorbot.db" in readme
