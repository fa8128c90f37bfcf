"""Is MentorBot healthy: does the database answer, and does Slack take our token?

`report` is what `GET /healthz` answers (the web layer only calls it). A refused
token is kept in the database (bot/services/token_state.py), so every replica
reports it, from the first call or event that shows it until a call succeeds again;
while it stands, `report` itself asks Slack (`auth.test`) now and then, so a fixed
token is noticed even when nothing else is calling Slack."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import text

from bot.runtime import Runtime
from bot.services import token_state
from bot.slack_client import WatchedClient

log = logging.getLogger(__name__)

#: How often a replica whose token stands refused asks Slack whether it works again.
PROBE_EVERY = timedelta(seconds=30)

REFUSED_LOG = (
    "Slack refused MentorBot's bot token (%s): the app was uninstalled, the token revoked, "
    "or the workspace deactivated. Nothing can be sent and reminders wait in the ledger; "
    "reinstall the app and set SLACK_BOT_TOKEN to its new token. /healthz answers 503 "
    "until Slack takes a token again."
)

# This process has seen a refusal (a call's, or the database's in a health check): the
# next successful call clears the database's record. Otherwise a success costs nothing.
_maybe_refused = False
_last_probe: datetime | None = None
_lock = threading.Lock()


class TokenWatch:
    """Records what Slack said about our token, for one runtime's database."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        #: Refusals met by this process, and the latest error; the sweep stops when
        #: the count goes up.
        self.refusals = 0
        self.last_error = ""

    def refused(self, error: str) -> None:
        global _maybe_refused
        with _lock:
            self.refusals += 1
            self.last_error = error
            _maybe_refused = True
        try:
            with self.runtime.db() as db:
                newly = token_state.refuse(db, error=error, now=self.runtime.now())
        except Exception:  # the call's own failure matters more than this record
            log.exception("could not record that Slack refused the token (%s)", error)
            newly = True
        if newly:
            log.error(REFUSED_LOG, error)
            _forget_probe()  # a new outage: the next health check asks Slack at once

    def accepted(self) -> None:
        global _maybe_refused
        if not _maybe_refused:
            return
        try:
            with self.runtime.db() as db:
                cleared = token_state.accept(db, now=self.runtime.now())
        except Exception:  # never fail a call Slack accepted; a later one clears it
            log.exception("could not record that Slack takes the token again")
            return
        with _lock:
            _maybe_refused = False
        if cleared:
            log.warning("Slack takes MentorBot's bot token again; /healthz is back to 200")


def watch(client: WebClient, runtime: Runtime) -> TokenWatch | None:
    """Attach a TokenWatch for `runtime` to `client` (once) and return it; None for a
    client that can't be watched."""
    if not isinstance(client, WatchedClient):
        return None
    if not isinstance(client.token_observer, TokenWatch):
        client.token_observer = TokenWatch(runtime)
    return client.token_observer


def token_refused(runtime: Runtime, client: WebClient, error: str) -> None:
    """Slack said our token is dead (an error, or the tokens_revoked / app_uninstalled
    event): record it for every replica and log it once."""
    watcher = watch(client, runtime) or TokenWatch(runtime)
    watcher.refused(error)


def report(runtime: Runtime, client: WebClient) -> tuple[int, dict[str, Any]]:
    """(HTTP status, body) for `/healthz`: 200 when the database answers and Slack takes
    our token; 503 saying which is not so."""
    global _maybe_refused
    try:
        with runtime.db() as db:
            db.execute(text("SELECT 1"))
            refusal = token_state.current(db)
    except Exception as exc:
        log.warning("health check: database unreachable: %s", exc)
        return 503, {"ok": False, "database": "unreachable"}
    if refusal is not None:
        with _lock:
            _maybe_refused = True
        if _probe_due(runtime.now()):
            _probe(client, runtime)
            with runtime.db() as db:
                refusal = token_state.current(db)
    if refusal is None:
        return 200, {"ok": True, "database": "ok", "slack": "ok"}
    return 503, {
        "ok": False,
        "database": "ok",
        "slack": "token refused",
        "reason": refusal.error,
        "since": refusal.since.isoformat(),
    }


def _forget_probe() -> None:
    global _last_probe
    with _lock:
        _last_probe = None


def _probe_due(now: datetime) -> bool:
    global _last_probe
    with _lock:
        # A clock set back counts as due, so a probe is never put off for ever.
        if _last_probe is not None and timedelta(0) <= now - _last_probe < PROBE_EVERY:
            return False
        _last_probe = now
        return True


def _probe(client: WebClient, runtime: Runtime) -> None:
    """`auth.test`: its outcome reaches the TokenWatch like any other call's."""
    watch(client, runtime)
    try:
        client.auth_test()
    except Exception as exc:
        log.info("health check: Slack still refuses the token: %s", exc)
