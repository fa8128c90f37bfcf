"""Who sent each Slack request, resolved once before any listener runs, and the
roster kept up to date with Slack's profiles, always after the ack."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.listeners.actor import Actor, fetch_profile
from bot.listeners.departures import handle_departure
from bot.listeners.regulars import Regulars
from bot.runtime import Runtime
from bot.services import first_contact, roster
from bot.workpool import WorkPool
from models import User

#: Events about a person rather than from them: that person is not the actor, and
#: a profile change anywhere in the workspace must not add them to the roster.
SUBJECT_EVENTS = frozenset({"team_join", "user_change"})


#: How long the Slack profile this process last fetched for a person stands for their
#: own opt-in form: within it a press asks Slack again only if the roster lacks it. The
#: `user_change` events Slack sends bring into the roster whatever changes meanwhile;
#: the fetch is for what they don't (a timezone an import set, an event lost while
#: MentorBot was down), and `users.info` is Tier 4: about 100 calls a minute for the
#: whole workspace, which a person pressing "Edit profile" again and again must not use up.
PROFILE_STANDS_FOR = timedelta(hours=1)


class FetchedProfiles:
    """When this process last copied each person's Slack profile into the roster
    (`refresh_profile`), for at most `limit` people; past that it starts over, which
    only asks Slack again."""

    def __init__(self, limit: int = 10_000) -> None:  # ~1.5 MB
        self._lock = threading.Lock()
        self._at: dict[str, datetime] = {}
        self._limit = limit

    def fetched(self, slack_user_id: str, now: datetime) -> None:
        with self._lock:
            if len(self._at) >= self._limit:
                self._at.clear()
            self._at[slack_user_id] = now

    def stands(self, slack_user_id: str, now: datetime) -> bool:
        """Whether the profile fetched last is less than PROFILE_STANDS_FOR old at `now`."""
        at = self._at.get(slack_user_id)
        return at is not None and timedelta(0) <= now - at < PROFILE_STANDS_FOR

    def clear(self) -> None:
        with self._lock:
            self._at.clear()


FETCHED = FetchedProfiles()


def refresh_stale_profile(client: WebClient, runtime: Runtime, held: User) -> User | None:
    """`refresh_profile` for the person whose roster row this request read (`held`),
    unless it has their profile and this process fetched it lately (`PROFILE_STANDS_FOR`):
    then `held` as it is."""
    if not roster.needs_profile(held) and FETCHED.stands(held.slack_user_id, runtime.now()):
        return held
    return refresh_profile(client, runtime, held.slack_user_id, held)


def refresh_profile(
    client: WebClient, runtime: Runtime, slack_user_id: str, held: User | None = None
) -> User | None:
    """Fetch the person's Slack profile and copy it into the roster; their roster row
    as it is then, None when Slack couldn't say (or they are not in the roster). Call
    it after the ack and after any `views.open`, never on the way to them:
    `users.info` may be rate limited, and the client then waits out Slack's
    Retry-After. `held`: their roster row as this request read it, to compare the
    profile with instead of reading it again."""
    profile = fetch_profile(client, slack_user_id)
    if profile is None:
        return None
    if profile.get("deleted"):
        handle_departure(client, runtime, slack_user_id, reason="users.info")
    else:
        FETCHED.fetched(slack_user_id, runtime.now())
        # Almost always the profile is what the roster holds: read, and write (in a
        # transaction) only when there is something to.
        user = held
        if user is None:
            with runtime.reading() as db:
                user = roster.by_slack_id(db, slack_user_id)
        if user is None or not roster.profile_is_news(user, profile):
            return user
        with runtime.db() as db:
            return roster.refresh_from_slack(db, slack_user_id, profile, now=runtime.now())
    with runtime.reading() as db:
        return roster.by_slack_id(db, slack_user_id)


def make_middleware(  # type: ignore[no-untyped-def]
    runtime: Runtime, background: WorkPool, client: WebClient, regulars: Regulars
):
    """Bolt middleware that puts `actor` and `runtime` into every listener's context,
    and the app's `client` (Bolt makes a plain one per request; ours also tells
    whether Slack still takes our token).

    A first-contact person is created from the request alone, so the ack never waits
    for Slack; their profile (name, timezone) is fetched on `background` meanwhile.
    Run after `only_our_workspace`: whoever it finds settled joins `regulars`, whose
    help is then answered without Bolt (bot/listeners/regulars.py)."""

    def attach_actor(context: BoltContext, body: dict[str, Any], next: Any) -> Any:
        # Served here start to finish: the reads up to the listener's first share one
        # connection, and the listener finds the asker read (Runtime.for_request).
        served = runtime.for_request() if background.runs_listeners_here else runtime
        context["runtime"] = served
        context["client"] = client
        slack_user_id = context.user_id
        event = body.get("event")
        event_type = event.get("type") if isinstance(event, dict) else None
        if slack_user_id and event_type not in SUBJECT_EVENTS:
            team_id = context.team_id or ""
            admin_ids = runtime.settings.mentorbot_admins
            # Almost every request is from someone the roster knows as they are: read
            # outside a transaction, and write (in one) only when there is something to.
            with served.reading_on_the_way() as db:
                user = first_contact.known_unchanged(
                    db, slack_user_id=slack_user_id, team_id=team_id, admin_ids=admin_ids
                )
            if user is None:
                with served.db() as db:
                    user = first_contact.ensure_user(
                        db,
                        slack_user_id=slack_user_id,
                        team_id=team_id,
                        admin_ids=admin_ids,
                        now=runtime.now(),
                    )
            context["actor"] = Actor.of(user)
            if roster.needs_profile(user):
                background.later(refresh_profile, client, runtime, slack_user_id)
            if first_contact.settled(user, team_id, admin_ids):
                regulars.met(team_id, [slack_user_id])
                # A request without a workspace (none from Slack) recalls nobody.
                if team_id and regulars.first_time(team_id):
                    background.later(regulars.recall, runtime, team_id)
            else:
                regulars.forget(team_id, slack_user_id)
        return next()

    return attach_actor
