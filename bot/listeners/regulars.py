"""The people whose `/mentor help` is answered straight from the request, with no
Bolt, no thread and no database: someone the roster knows as they are, from our own
workspace. The help is the same for everyone, so for them it is all there is to do.

Only the real rules put anyone here: `attach_actor` (bot/listeners/profiles.py), which
runs after `only_our_workspace` let the request through, notes each person it found
`first_contact.settled` (nothing to write, no profile to fetch), and the first time it
meets a workspace it recalls that workspace's settled people from the roster, so
everyone who used MentorBot before this process started is served so too, not only
those who asked again since.

Nothing in it can turn wrong the other way: nobody leaves the roster or moves
workspace, and an admin grant is never taken back. The one exception: an import that
empties a known person's timezone; their next request other than the help fetches it
again (and takes them out). At most LIMIT people are held; past that the memo starts
over, which only sends people the long way until they are met again."""

from __future__ import annotations

import logging
import threading

from bot.runtime import Runtime
from bot.services import first_contact

log = logging.getLogger(__name__)

#: People held at most: a few MB, and more than a program of 10,000 people needs.
LIMIT = 50_000


class Regulars:
    """(workspace, Slack user id) pairs the middleware accepted as they were."""

    def __init__(self, limit: int = LIMIT) -> None:
        self._lock = threading.Lock()
        self._people: dict[str, set[str]] = {}
        self._held = 0
        self._recalled: set[str] = set()
        self._limit = limit

    def knows(self, team_id: str | None, user_id: str | None) -> bool:
        """Whether a request from this person in this workspace needs nothing but its
        answer (for the help: the help alone)."""
        people = self._people.get(team_id or "")
        return bool(user_id) and people is not None and user_id in people

    def met(self, team_id: str, user_ids: list[str]) -> None:
        """Note people the middleware found settled in workspace `team_id`."""
        with self._lock:
            if self._held + len(user_ids) > self._limit:
                self._people.clear()
                self._held = 0
            people = self._people.setdefault(team_id, set())
            before = len(people)
            people.update(user_ids[: self._limit])
            self._held += len(people) - before

    def forget(self, team_id: str, user_id: str) -> None:
        """Take someone out (the middleware found work to do for them)."""
        with self._lock:
            people = self._people.get(team_id)
            if people is not None and user_id in people:
                people.discard(user_id)
                self._held -= 1

    def first_time(self, team_id: str) -> bool:
        """True once per workspace: the caller is then to `recall` it."""
        with self._lock:
            if team_id in self._recalled:
                return False
            self._recalled.add(team_id)
            return True

    def recall(self, runtime: Runtime, team_id: str) -> None:
        """Note every settled person of workspace `team_id` the roster holds (run after
        an ack: it reads up to LIMIT rows)."""
        admin_ids = runtime.settings.mentorbot_admins
        # In a transaction: PostgreSQL streams the rows (a server-side cursor) only in one.
        with runtime.db() as db:
            people = first_contact.settled_people(db, team_id, admin_ids, self._limit)
        self.met(team_id, people)
        log.info("%d people of workspace %s are answered the help at once", len(people), team_id)

    def clear(self) -> None:
        """Forget everyone (a test's clean database)."""
        with self._lock:
            self._people.clear()
            self._held = 0
            self._recalled.clear()
