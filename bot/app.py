"""create_app(settings) -> the Bolt app with every listener registered.

To find any behaviour: the sub-command or action id -> the listener module
registered below -> the service it calls."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk import WebClient

from bot import slack_health
from bot.config import Settings
from bot.listeners import (
    admin,
    analytics,
    api_tokens,
    assignments,
    circles,
    commands,
    completion,
    curriculum,
    departures,
    errors,
    events,
    home,
    matching,
    mentors,
    milestone_templates,
    milestones,
    progress,
    questions,
    reminders,
    scheduling,
    sessions,
    teaching,
    term,
)
from bot.listeners.deliveries import handle_once
from bot.listeners.profiles import make_middleware
from bot.listeners.regulars import Regulars
from bot.listeners.support import acked_form
from bot.listeners.workspace import only_our_workspace
from bot.logsafe import hide_webhook_urls
from bot.runtime import Runtime
from bot.services import first_contact
from bot.slack_client import kept_respond, make_client
from bot.workpool import WorkPool

#: Each module has `register(app)`; importing it also registers its sub-commands
#: and App Home sections.
LISTENER_MODULES = [
    commands,
    home,
    mentors,
    teaching,
    admin,
    matching,
    assignments,
    events,
    departures,
    sessions,
    scheduling,
    questions,
    milestones,
    milestone_templates,
    circles,
    curriculum,
    progress,
    completion,
    term,
    reminders,
    analytics,
    api_tokens,
    errors,
]


class _QuietTokenWarning(logging.Filter):
    """Bolt fills a missing `token` from $SLACK_BOT_TOKEN, then warns that the `client`
    wins over it; our client holds that same token, so the warning would only alarm
    whoever starts `mentorbot serve`."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


_BOLT_LOGGER = logging.getLogger("mentorbot.bolt")
_BOLT_LOGGER.addFilter(_QuietTokenWarning())


class _App(App):
    """Bolt's App, every form listener registered through `view` wrapped in
    `acked_form`: no work after a form's ack can change what Slack is answered."""

    #: Who is answered the help without Bolt (bot/listeners/regulars.py).
    regulars: Regulars

    def view(self, *args: Any, **kwargs: Any) -> Callable[..., Any]:
        register = super().view(*args, **kwargs)
        return lambda *listeners: register(*map(acked_form, listeners))

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        try:
            return super().dispatch(req)
        finally:
            # The connection a request's reads share goes back even when nothing read
            # after the middleware, or something failed (Runtime.for_request).
            served = req.context.get("runtime")
            if isinstance(served, Runtime):
                served.end_request()


def create_app(
    settings: Settings,
    *,
    runtime: Runtime | None = None,
    client: WebClient | None = None,
    listener_executor: ThreadPoolExecutor | None = None,
    token_verification: bool = True,
) -> App:
    """The Bolt app for these settings, its listeners run on a bounded WorkPool of
    MENTORBOT_WORK_THREADS threads. `client` and `listener_executor` (the pool's
    threads) let tests and the demo point it at the fake Slack and wait for work."""
    runtime = runtime or Runtime.from_settings(settings)
    client = client or make_client(settings)
    hide_webhook_urls()
    # Every call through it tells whether Slack still takes our token (/healthz).
    slack_health.watch(client, runtime)
    work = WorkPool(
        listener_executor or settings.mentorbot_work_threads, queue=settings.mentorbot_work_queue
    )
    app = _App(
        # Bolt reads the token from `client` (see _QuietTokenWarning).
        token=None,
        signing_secret=settings.slack_signing_secret,
        # bot/web.py checks Slack's signature before Bolt sees a request: Bolt's own
        # check would log a refused request's body, response_url and all. Socket Mode
        # needs no signature.
        request_verification_enabled=False,
        client=client,
        token_verification_enabled=token_verification,
        listener_executor=work,
        logger=_BOLT_LOGGER,
    )
    with runtime.db() as db:
        first_contact.grant_configured_admins(db, settings.mentorbot_admins, now=runtime.now())
    app.middleware(kept_respond)
    app.middleware(only_our_workspace)
    app.regulars = Regulars()
    app.middleware(make_middleware(runtime, work, client, app.regulars))
    app.middleware(handle_once)
    for module in LISTENER_MODULES:
        module.register(app)
    return app
