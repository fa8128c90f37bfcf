"""Workspace events: someone joined (`team_join`); our token was revoked or the app
uninstalled (`tokens_revoked`, `app_uninstalled`)."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot import slack_health
from bot.listeners.matching import nudge_manager_about_coverage
from bot.runtime import Runtime
from bot.services import coverage


def register(app: App) -> None:
    app.event("team_join")(on_team_join)
    app.event("tokens_revoked")(on_token_gone)
    app.event("app_uninstalled")(on_token_gone)


def on_token_gone(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """Slack tells us our token is dead: recorded and reported as a refused call would
    be (/healthz 503), until a call succeeds again."""
    slack_health.token_refused(context["runtime"], client, str(event.get("type")))


def on_team_join(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """A new hire in the roster just joined: their manager gets mentor suggestions
    now rather than after the coverage delay. Once per person, retries included."""
    runtime: Runtime = context["runtime"]
    user = event.get("user")
    slack_user_id = user.get("id") if isinstance(user, dict) else user
    if not slack_user_id:
        return
    with runtime.db() as db:
        mentee_id = coverage.claim_join_nudge(
            db, slack_user_id=str(slack_user_id), now=runtime.now()
        )
    if mentee_id is not None:
        nudge_manager_about_coverage(client, runtime, mentee_id)
