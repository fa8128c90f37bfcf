"""The `mentorbot` command's failures as one line that says what to do.

Every command funnels what it raises through `explain`, so a database that doesn't
exist, a server that doesn't answer or a mistyped variable reads the same from
`db upgrade`, `serve`, `users import` or any command added later."""

from __future__ import annotations

from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError


class CliError(Exception):
    """A one-line problem to print (no traceback) with exit status 2."""


def safe_url(url: str) -> str:
    """`url` with its password hidden, for messages."""
    return make_url(url).render_as_string(hide_password=True)


def explain(exc: BaseException, database_url: str | None) -> str | None:
    """One line for a failure a person can fix, or None when it is a bug (let it raise)."""
    if isinstance(exc, ValidationError):
        return _settings_line(exc)
    if isinstance(exc, OperationalError) and database_url:
        return _database_line(exc, database_url)
    return None


#: Variables whose value may hold a secret: named in a message, never echoed.
_SECRET_VARIABLES = frozenset(
    {"DATABASE_URL", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"}
)


def _settings_line(exc: ValidationError) -> str:
    """The first invalid variable, named as it is exported (e.g. PORT)."""
    error = exc.errors()[0]
    name = str(error["loc"][0]) if error["loc"] else "a setting"
    given = error.get("input")
    message = str(error["msg"]).removeprefix("Value error, ")
    shown = (
        f"{name}={given!r}" if isinstance(given, str) and name not in _SECRET_VARIABLES else name
    )
    return (
        f"{shown}: {message[:1].lower()}{message[1:]}; "
        "fix it in the environment (or .env) and try again"
    )


def _database_line(exc: OperationalError, database_url: str) -> str:
    url = make_url(database_url)
    shown = safe_url(database_url)
    reason = str(exc.orig).strip()
    lowered = reason.lower()
    if url.get_backend_name() == "sqlite":
        if "unable to open database file" in lowered:
            return (
                f"can't open the SQLite database {shown}: its folder does not exist or is "
                "not writable; create the folder or set DATABASE_URL to another file"
            )
        return f"the SQLite database {shown} failed: {_first_line(reason)}"
    cause = _first_line(reason)
    if cause.lower().startswith("fatal:") and "does not exist" in lowered:
        if f'database "{(url.database or "").lower()}"' in lowered:
            return (
                f"the PostgreSQL database {url.database!r} does not exist on "
                f"{url.host or 'localhost'}: create it (e.g. `createdb {url.database}`), "
                "then run `mentorbot db upgrade`"
            )
        return f"PostgreSQL refused {shown}: {cause}; check the user in DATABASE_URL"
    if "password authentication failed" in lowered:
        return f"PostgreSQL refused the login for {shown}: check the password in DATABASE_URL"
    return (
        f"can't reach the database at {shown}: is the PostgreSQL server running and "
        f"DATABASE_URL's host and port right? ({_first_line(reason)})"
    )


def _first_line(text: str) -> str:
    """The cause, without psycopg's preamble ("connection failed: connection to server
    at ..., port ... failed: Connection refused" -> "Connection refused")."""
    first = text.strip().splitlines()[0] if text.strip() else "no reason given"
    return first.rsplit("failed: ", 1)[-1].strip()
