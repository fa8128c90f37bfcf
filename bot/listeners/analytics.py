"""`/mentor analytics` and the analytics sections of App Home (PRD FR-5)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from slack_bolt import App
from sqlalchemy.orm import Session

from bot.blocks import analytics as blocks
from bot.blocks import kit
from bot.charts import dashboard_charts, ramp_chart
from bot.listeners.charts import HomeCache, failure_reason, share_charts
from bot.listeners.commands import Invocation, subcommand
from bot.listeners.home import home_client, home_section
from bot.services import access, analytics

log = logging.getLogger(__name__)

#: The admin's App Home program section (headlines and ramp chart), per admin.
PROGRAM_HOMES = HomeCache()


def register(app: App) -> None:
    """Nothing to wire beyond the sub-command and home sections registered on import."""


@subcommand(
    "analytics",
    usage="/mentor analytics",
    summary="Program figures against the PRD targets: admins see the program, managers "
    "their reports, mentors themselves.",
    order=90,
)
def show_analytics(inv: Invocation) -> None:
    with inv.runtime.db() as db:
        board = analytics.dashboard_for(db, user_id=inv.actor.id, now=inv.runtime.now())
    text, message = blocks.dashboard(board)
    # The figures first: whatever happens to the charts, the report has arrived.
    inv.reply(text, message)
    if board.empty:
        return
    try:
        images = share_charts(
            inv.client,
            inv.actor.slack_user_id,
            dashboard_charts(board),
            comment=f"Charts for your analytics of {blocks.when(board.as_of)}",
        )
        if images:
            _text, with_charts = blocks.dashboard(board, images)
            inv.client.chat_postMessage(
                channel=inv.actor.slack_user_id, text=text, blocks=with_charts
            )
    except Exception as exc:
        log.warning(
            "could not post the analytics charts of %s", inv.actor.slack_user_id, exc_info=True
        )
        inv.reply(blocks.charts_failed(failure_reason(exc)))


@home_section(order=90)
def program_home(db: Session, user: Any, roles: set[str], now: datetime) -> list[kit.Block]:
    if access.ADMIN not in roles:
        return []

    def make() -> tuple[list[kit.Block], bool]:
        headlines = blocks.home_program(analytics.program_headlines(db, now=now))
        client = home_client.get()
        if client is None:
            return headlines, True
        try:
            images = share_charts(
                client,
                user.slack_user_id,
                [ramp_chart(analytics.program_ramp(db, now=now))],
                comment="The ramp chart on your MentorBot home",
            )
        except Exception:
            log.warning("could not upload the home ramp chart", exc_info=True)
            return headlines, False  # not kept: the next open tries the chart again
        return blocks.home_program_with(headlines, images), True

    return PROGRAM_HOMES.get_or_make(user.slack_user_id, analytics.data_version(db), now, make)


@home_section(order=91)
def manager_home(db: Session, user: Any, roles: set[str], now: datetime) -> list[kit.Block]:
    if access.MANAGER not in roles:
        return []
    return blocks.manager_report(analytics.manager_report(db, manager_id=user.id, now=now))


@home_section(order=92)
def mentor_home(db: Session, user: Any, roles: set[str], now: datetime) -> list[kit.Block]:
    if access.MENTOR not in roles:
        return []
    report = analytics.mentor_report(db, user_id=user.id, now=now)
    return blocks.mentor_report(report) if report is not None else []
