"""Slack's documented quotas in time and volume, as the fake Slack enforces them.

Each rule is a small book the fake consults before it answers:
- `RateLimits`: per-method rate tiers and chat.postMessage's per-conversation pace
  (https://api.slack.com/docs/rate-limits): a call over the limit is answered HTTP 429
  with `Retry-After` (seconds) and `{"ok": false, "error": "ratelimited"}`.
- `Triggers`: a `trigger_id` opens (or pushes) one view, within 3 s of the request
  that carried it (views.open / views.push: `invalid_trigger_id`,
  `exchanged_trigger_id`, `expired_trigger_id`).
- `ResponseUrls`: a `response_url` takes at most 5 posts within 30 minutes of the
  interaction; past that Slack answers HTTP 404 (`used_url`, `expired_url`).

Time is `clock()` in seconds (monotonic by default); unit tests hand in their own."""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

Clock = Callable[[], float]

#: Requests per minute each tier allows at least ("Tier 2: 20+ per minute", ...). The
#: fake allows exactly that many in any 60 s: a burst of the whole minute's quota at
#: once is fine (Slack: "occasional bursts", "sporadic bursts are welcome", "generous
#: burst behavior"), more in the same minute is not guaranteed, so it is refused.
TIER_PER_MINUTE = {1: 1, 2: 20, 3: 50, 4: 100}

#: The documented tier of every method MentorBot calls (or may call); a method not
#: listed is treated as Tier 2, the tier "most methods" have.
METHOD_TIERS = {
    "auth.test": 4,  # "Special": more generous than Tier 4; Tier 4 is the floor
    "chat.delete": 3,
    "chat.postEphemeral": 4,
    "chat.update": 3,
    "conversations.history": 3,
    "conversations.info": 3,
    "conversations.members": 4,
    "conversations.open": 3,
    "users.info": 4,
    "users.list": 2,
    "users.lookupByEmail": 3,
    "views.open": 4,
    "views.publish": 4,
    "views.push": 4,
    "views.update": 4,
}
DEFAULT_TIER = 2

#: chat.postMessage ("Special" tier): "generally allows posting one message per second
#: per channel", with "short bursts >1 allowed", and "a workspace-wide limit" of
#: "several hundred messages per minute". A conversation's allowance is a bucket of
#: POST_BURST messages refilled at one a second; the workspace takes 300 a minute.
POST_PER_SECOND = 1.0
POST_BURST = 5
POST_WORKSPACE_PER_MINUTE = 300

TRIGGER_LIFETIME_S = 3.0
RESPONSE_URL_USES = 5
RESPONSE_URL_LIFETIME_S = 30 * 60.0


@dataclass
class Throttled:
    """One call Slack would have answered 429."""

    method: str
    scope: str  # "method", "conversation <id>" or "workspace"
    retry_after: int


class _Window:
    """Calls in the last `period` seconds; full at `limit`."""

    def __init__(self, limit: int, period: float = 60.0) -> None:
        self.limit = limit
        self.period = period
        self.times: deque[float] = deque()

    def retry_after(self, now: float) -> float:
        while self.times and self.times[0] <= now - self.period:
            self.times.popleft()
        if len(self.times) < self.limit:
            return 0.0
        return self.times[0] + self.period - now

    def take(self, now: float) -> None:
        self.times.append(now)


class _Bucket:
    """A token bucket: `burst` calls at once, then `rate` a second."""

    def __init__(self, burst: int, rate: float, now: float) -> None:
        self.burst = burst
        self.rate = rate
        self.tokens = float(burst)
        self.at = now

    def retry_after(self, now: float) -> float:
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self, now: float) -> None:
        self.tokens -= 1


class RateLimits:
    """Slack's rate limits per method per workspace (one workspace here)."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._methods: dict[str, _Window] = {}
        self._conversations: dict[str, _Bucket] = {}
        self._workspace_posts = _Window(POST_WORKSPACE_PER_MINUTE)
        #: Every call that was refused, for the test to see (and to fail on).
        self.throttled: list[Throttled] = []

    def check(self, method: str, conversation: str | None = None) -> int | None:
        """Count a call of `method` now; None if Slack takes it, else Retry-After (s)."""
        with self._lock:
            now = self.clock()
            if method == "chat.postMessage":
                bucket = self._conversations.get(conversation or "")
                if bucket is None:
                    bucket = _Bucket(POST_BURST, POST_PER_SECOND, now)
                    self._conversations[conversation or ""] = bucket
                limits: list[tuple[str, _Window | _Bucket]] = [
                    (f"conversation {conversation}", bucket),
                    ("workspace", self._workspace_posts),
                ]
            else:
                window = self._methods.get(method)
                if window is None:
                    tier = METHOD_TIERS.get(method, DEFAULT_TIER)
                    window = self._methods[method] = _Window(TIER_PER_MINUTE[tier])
                limits = [("method", window)]
            for scope, limit in limits:
                wait = limit.retry_after(now)
                if wait > 0:
                    retry_after = max(1, math.ceil(wait))
                    self.throttled.append(Throttled(method, scope, retry_after))
                    return retry_after
            for _, limit in limits:
                limit.take(now)
            return None


@dataclass
class _Issued:
    at: float
    used: int = 0


T = TypeVar("T")


class _Book(Generic[T]):
    """Single-purpose keys handed out now, each with what it stands for."""

    def __init__(self, clock: Clock, prefix: str, ids: Iterator[int]) -> None:
        self.clock = clock
        self.prefix = prefix
        self._ids = ids
        self._lock = threading.Lock()
        self.issued: dict[str, tuple[T, _Issued]] = {}

    def issue(self, value: T) -> str:
        with self._lock:
            key = f"{self.prefix}{next(self._ids)}"
            self.issued[key] = (value, _Issued(self.clock()))
            return key


class Triggers(_Book[str]):
    """trigger_id -> the person whose request carried it."""

    def __init__(self, clock: Clock, ids: Iterator[int]) -> None:
        super().__init__(clock, "trig.", ids)

    def exchange(self, trigger_id: str) -> tuple[str | None, str | None]:
        """Use `trigger_id` to open or push a view: (the person, None) or (None, error)."""
        with self._lock:
            found = self.issued.get(trigger_id)
            if found is None:
                return None, "invalid_trigger_id"
            user, issued = found
            if issued.used:
                return None, "exchanged_trigger_id"
            if self.clock() - issued.at > TRIGGER_LIFETIME_S:
                return None, "expired_trigger_id"
            issued.used += 1
            return user, None


class ResponseUrls(_Book[T]):
    """response_url token -> where its posts land."""

    def __init__(self, clock: Clock, ids: Iterator[int]) -> None:
        super().__init__(clock, "r", ids)

    def use(self, token: str) -> tuple[T | None, str | None]:
        """Post once to `token`'s URL: (its target, None) or (None, Slack's 404 body)."""
        with self._lock:
            found = self.issued.get(token)
            if found is None:
                return None, "no_service"
            target, issued = found
            if self.clock() - issued.at > RESPONSE_URL_LIFETIME_S:
                return None, "expired_url"
            if issued.used >= RESPONSE_URL_USES:
                return None, "used_url"
            issued.used += 1
            return target, None
