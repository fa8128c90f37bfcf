"""`/mentor analytics` and the analytics sections of App Home (PRD FR-5)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from slack_bolt import App
from sqlalchemy.orm import Session

from bot.blocks import analytics as blocks
from bot.blocks import kit
from bot.listeners.charts import HomeCache, failure_reason, share_charts
from bot.listeners.commands import Invocation, subcommand
from bot.listeners.home import home_client, home_section
from bot.services import access, analytics, inputs, program
from bot.services.analytics import summary
from bot.services.data_version import FIGURES, WITH_PROFILES

log = logging.getLogger(__name__)

#: The admin's App Home program section (headlines and ramp chart), per admin.
PROGRAM_HOMES = HomeCache()
#: A manager's and a mentor's App Home figures, per person, while the program's data
#: (and the stored summary a mentor is placed by) stay the same: a burst of opens
#: reads one version stamp instead of recomputing their team's or their own figures.
#: Bounded, yet room for every mentor and manager of a program of 10,000 people (about
#: 4 KB of blocks each): the oldest go first, so a morning that opens more homes than
#: it keeps would make every open's figures again (1,000 mentors each opening theirs in
#: turn, with 500 kept, found none of them kept).
FIGURE_HOMES = HomeCache(limit=2_000)


def register(app: App) -> None:
    """Nothing to wire beyond the sub-command and home sections registered on import."""


@subcommand(
    "analytics",
    usage="/mentor analytics",
    summary="Program figures against the program's targets: admins see the program, managers "
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
        from bot.charts import dashboard_charts  # matplotlib, on the first chart drawn

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
    """The program's headlines and ramp chart as the stored summary has them (see
    bot/services/analytics/summary.py), with their age: nothing is computed here."""
    if access.ADMIN not in roles:
        return []
    # The stamp first: the figures themselves are read only when the kept section is
    # out of date.
    stamp = summary.stamp(db)
    age = blocks.figures_age(
        stamp.computed_at if stamp else None, now, inputs.zone(db, user.timezone)
    )
    if stamp is None:
        return [*blocks.home_program_pending(), age]

    def make() -> tuple[list[kit.Block], bool]:
        stored = summary.load(db)
        if stored is None:  # removed since the stamp was read: shown again next open
            return blocks.home_program_pending(), False
        headlines = blocks.home_program(stored.headlines)
        client = home_client.get()
        if client is None:
            return headlines, True
        try:
            from bot.charts import ramp_chart

            images = share_charts(
                client,
                user.slack_user_id,
                [ramp_chart(stored.ramp)],
                comment="The ramp chart on your MentorBot home",
            )
        except Exception:
            log.warning("could not upload the home ramp chart", exc_info=True)
            return headlines, False  # not kept: the next open tries the chart again
        return blocks.home_program_with(headlines, images), True

    # Keyed by the summary read from the database, so every replica shows the same
    # figures; each only uploads its own copy of the chart once per summary.
    version = f"{stamp.computed_at.isoformat()} {stamp.data_version}"
    return [*PROGRAM_HOMES.get_or_make(user.slack_user_id, version, now, make), age]


@home_section(order=91)
def manager_home(db: Session, user: Any, roles: set[str], now: datetime) -> list[kit.Block]:
    if access.MANAGER not in roles:
        return []

    def make() -> tuple[list[kit.Block], bool]:
        report = analytics.manager_report(db, manager_id=user.id, now=now)
        return blocks.manager_report(report), True

    # The team's names come with their figures: a profile from Slack changes them too.
    version = f"{analytics.data_version(db, WITH_PROFILES)} {program.todays_date(db, now)}"
    return FIGURE_HOMES.get_or_make(f"manager {user.id}", version, now, make)


@home_section(order=92)
def mentor_home(db: Session, user: Any, roles: set[str], now: datetime) -> list[kit.Block]:
    """The mentor's own figures, beside their place in the ranking and the program's
    averages as the stored summary has them (ranking every mentor is not done here)."""
    if access.MENTOR not in roles:
        return []
    stamp = summary.stamp(db)

    def make() -> tuple[list[kit.Block], bool]:
        report = analytics.mentor_report(
            db,
            user_id=user.id,
            now=now,
            standing=lambda mentor_id: summary.standing_of(db, mentor_id),
        )
        return (blocks.mentor_report(report) if report is not None else []), True

    # Figures only, nobody's name: a profile from Slack changes none of them.
    version = " ".join(
        (
            analytics.data_version(db, FIGURES),
            str(program.todays_date(db, now)),
            stamp.computed_at.isoformat() if stamp else "no summary",
        )
    )
    figures = FIGURE_HOMES.get_or_make(f"mentor {user.id}", version, now, make)
    if not figures:
        return []
    age = blocks.figures_age(
        stamp.computed_at if stamp else None, now, inputs.zone(db, user.timezone)
    )
    return [*figures, age]
