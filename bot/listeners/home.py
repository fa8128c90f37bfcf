"""The App Home tab: each capability contributes a section for the roles it serves."""

from __future__ import annotations

import logging
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
from bot.runtime import Runtime
from bot.services import access

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
    publish_home(client, context["runtime"], context["actor"])


def build_home(db: Session, actor: Actor, now: datetime) -> dict[str, Any]:
    """The whole home view for this person."""
    user = access.load_user(db, actor.id)
    roles = access.roles_of(db, user)
    blocks: list[kit.Block] = []
    for registered in HOME_SECTIONS:
        section_blocks = registered.build(db, user, roles, now)
        if section_blocks:
            if blocks:
                blocks.append(kit.divider())
            blocks.extend(section_blocks)
    return kit.home(blocks)


def publish_home(client: WebClient, runtime: Runtime, actor: Actor) -> None:
    """Render and publish the person's home tab; a Slack failure is logged, not raised,
    because the home is a view of state that is already saved."""
    token = home_client.set(client)
    try:
        with runtime.db() as db:
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
