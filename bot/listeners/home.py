"""The App Home tab: each capability contributes a section for the roles it serves."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.blocks import kit
from bot.listeners.actor import Actor
from bot.listeners.guard import twin_delivery
from bot.runtime import Runtime
from bot.services import access, program
from bot.services.first_use import FirstUseMemo

log = logging.getLogger(__name__)

#: (db, user, roles, now) -> blocks; an empty list means "nothing for this person".
HomeSection = Callable[[Session, Any, set[str], datetime], list[kit.Block]]


@dataclass(frozen=True)
class _Registered:
    order: int
    build: HomeSection


HOME_SECTIONS: list[_Registered] = []

#: The Web API client of the home being published, for a section that must upload
#: something to show it (the admin's ramp chart); None outside `publish_home`.
home_client: ContextVar[WebClient | None] = ContextVar("home_client", default=None)


def home_section(order: int) -> Callable[[HomeSection], HomeSection]:
    """Register a builder of App Home blocks; lower `order` shows higher up."""

    def decorate(build: HomeSection) -> HomeSection:
        HOME_SECTIONS.append(_Registered(order, build))
        HOME_SECTIONS.sort(key=lambda r: r.order)
        return build

    return decorate


def register(app: App) -> None:
    app.event("app_home_opened")(on_home_opened)


def on_home_opened(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    if event.get("tab", "home") != "home":
        return
    # Opening the home is a person's first use: their program milestones are made
    # then (once per burst of opens), never while a home is being rendered.
    publish_home(client, context["runtime"], context["actor"], first_use=True)


def build_home(db: Session, actor: Actor, now: datetime) -> dict[str, Any]:
    """The whole home view for this person, read-only: the settings are read once,
    program-wide figures come from the stored summary. Each section keeps its lists
    short and says what it leaves out, so that with every role at once the Home stays
    within Slack's 100 blocks (tests/test_block_kit_edges.py, the busiest person's Home)."""
    with program.loaded_once(db):
        user, roles = access.load_with_roles(db, actor.id)
        blocks: list[kit.Block] = []
        for registered in HOME_SECTIONS:
            section_blocks = registered.build(db, user, roles, now)
            if section_blocks:
                if blocks:
                    blocks.append(kit.divider())
                blocks.extend(section_blocks)
    return kit.home(blocks)


class _Publishing:
    """Whose home this process is publishing right now, and whether it was asked for
    again meanwhile: a burst of opens and refreshes for one person makes one view
    after the one under way, built from the latest state. It holds an entry only
    while a publish runs, so it stays as small as the number of threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._again: dict[str, bool] = {}

    def start(self, who: str) -> bool:
        """True when the caller is to publish; False when a publish under way will
        publish once more for it."""
        with self._lock:
            if who in self._again:
                self._again[who] = True
                return False
            self._again[who] = False
            return True

    def finish(self, who: str, *, failed: bool = False) -> bool:
        """True when the caller is to publish again (asked meanwhile)."""
        with self._lock:
            if self._again.get(who) and not failed:
                self._again[who] = False
                return True
            self._again.pop(who, None)
            return False


PUBLISHING = _Publishing()


#: Whose first use this process saw made: a later open checks it in one statement.
FIRST_USE = FirstUseMemo()


def publish_home(
    client: WebClient, runtime: Runtime, actor: Actor, *, first_use: bool = False
) -> None:
    """Render and publish the person's home tab, coalesced per person (see
    `_Publishing`); with `first_use`, first make what a person gets on first use
    (their program milestones), in the same transaction. Any failure is logged, not
    raised: the home is a view of state that is already saved, and it is built afresh
    the next time the person opens it, so neither the change that asked for this
    refresh nor the person (who could do nothing about it) hears of it."""
    if not PUBLISHING.start(actor.slack_user_id):
        return
    again = True
    try:
        while again:
            _render_and_publish(client, runtime, actor, first_use=first_use)
            first_use = False
            again = PUBLISHING.finish(actor.slack_user_id)
    except Exception as exc:
        PUBLISHING.finish(actor.slack_user_id, failed=True)
        if twin_delivery(exc):
            raise  # another delivery of this request did the work: nothing went wrong
        log.error("could not refresh the home tab of %s", actor.slack_user_id, exc_info=True)
    except BaseException:
        PUBLISHING.finish(actor.slack_user_id, failed=True)
        raise


def _render_and_publish(
    client: WebClient, runtime: Runtime, actor: Actor, *, first_use: bool
) -> None:
    token = home_client.set(client)
    try:
        # The settings read once for the first use and the home alike.
        with runtime.db() as db, program.loaded_once(db):
            if first_use:
                FIRST_USE.ensure(db, actor.id, runtime.now())
            view = build_home(db, actor, runtime.now())
    finally:
        home_client.reset(token)
    try:
        client.views_publish(user_id=actor.slack_user_id, view=view)
    except Exception:
        log.warning("could not publish the home tab of %s", actor.slack_user_id, exc_info=True)


@home_section(order=0)
def welcome(db: Session, user: Any, roles: set[str], now: datetime) -> list[kit.Block]:
    role_names = ", ".join(sorted(roles)) if roles else "not in the program yet"
    return [
        kit.header(f"Hi {user.name}, welcome to MentorBot"),
        kit.section(
            "MentorBot runs our mentorship program: mentors opt in, new hires get matched, "
            "sessions and ramp milestones are tracked here in Slack."
        ),
        kit.context(f"Your roles: {role_names} · type `/mentor help` for every command"),
    ]
