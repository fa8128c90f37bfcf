"""A local fake of the Slack Web API, on 127.0.0.1 and a free port.

It answers the methods MentorBot uses the way Slack does, records every call,
keeps the state a person would see (DMs, ephemeral replies, open modals, home
tabs) and can be told to fail: HTTP 429 with Retry-After, HTTP 500, or an
`ok: false` error such as `user_not_found`.

It refuses what Slack refuses, with Slack's answer: unknown people and channels,
updates of messages that are not the bot's, triggers used twice or after 3 s, a
sixth post to a response_url, calls over a method's rate tier (the last three in
bot/testing/slack_quotas.py), and every call while the token is revoked
(`revoke()`). With `latency` (seconds) every call takes that long, as the real API
does.

Each family of the Web API is a mixin of its own (`fake_chat`, `fake_views`,
`fake_files`, `fake_history`, `fake_apps`); this module holds the people, the
failures, the dispatch of a call and response_url posts."""

from __future__ import annotations

import itertools
import ssl
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bot.blocks.plaintext import render_view
from bot.testing import slack_rules
from bot.testing.fake_apps import FakeAppConnections
from bot.testing.fake_chat import BOT_USER_ID, FakeChat, Message, normalize_channel
from bot.testing.fake_files import FakeFiles
from bot.testing.fake_history import FakeHistory
from bot.testing.fake_http import FakeConnections, Server, handler_for
from bot.testing.fake_views import FakeViews, dm_channel
from bot.testing.slack_quotas import Clock, RateLimits, ResponseUrls, Throttled, Triggers

TEAM_ID = "T0MENTOR"


@dataclass
class ApiCall:
    method: str
    args: dict[str, Any]
    at: float


@dataclass
class Failure:
    method: str
    status: int = 200
    error: str | None = None
    retry_after: int | None = None
    times: int = 1
    only_for: str | None = None  # a channel or user id the failure is limited to


@dataclass
class ResponseTarget:
    user: str
    channel: str
    message_ts: str | None


@dataclass
class Channel:
    """A channel in the workspace (DMs with the bot are implied by the people)."""

    id: str
    name: str
    is_private: bool = False
    members: set[str] = field(default_factory=set)  # people; the bot is `bot_member`
    bot_member: bool = False


#: The errors that mean the token itself is dead, answered by every method.
TOKEN_ERRORS = ("invalid_auth", "token_revoked", "account_inactive", "not_authed")


class FakeSlack(FakeConnections, FakeFiles, FakeViews, FakeChat, FakeHistory, FakeAppConnections):
    """The fake Slack. `url` is the Web API base to give `SLACK_API_URL`.

    `latency`: seconds every Web API call and response_url post takes (default 0).
    `clock`: seconds, for Slack's time limits (triggers, response_urls, rate limits).
    `tls`: serve HTTPS with this context, as slack.com does (bench/slack_calls.py)."""

    def __init__(
        self,
        *,
        latency: float = 0.0,
        clock: Clock = time.monotonic,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self._lock = threading.RLock()
        self._server = Server(("127.0.0.1", 0), handler_for(self))
        self._scheme = "https" if tls else "http"
        if tls:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None
        self._counter = itertools.count(1)
        self.latency = latency
        self.clock = clock
        self._skipped = 0.0
        self._sockets = None
        self.reset()

    # -- lifecycle -------------------------------------------------------------------------
    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{self._scheme}://{host}:{port}"

    @property
    def url(self) -> str:
        return self.base + "/api/"

    def start(self) -> FakeSlack:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        _SERVING[self.url] = self
        return self

    def stop(self) -> None:
        _SERVING.pop(self.url, None)
        self.stop_sockets()
        self._server.shutdown()
        self._server.close_idle()
        self._server.server_close()

    def reset(self) -> None:
        """Forget every person, message, view and failure (between tests)."""
        with self._lock:
            self.calls: list[ApiCall] = []
            self.users: dict[str, dict[str, Any]] = {}
            self.messages: dict[str, list[Message]] = {}
            self.ephemerals: dict[str, list[Message]] = {}
            self.views: dict[str, list[dict[str, Any]]] = {}
            self.homes: dict[str, dict[str, Any]] = {}
            self.channels: dict[str, Channel] = {}
            self.failures: list[Failure] = []
            self.drops: Counter[str] = Counter()  # `drop`
            #: The error every call answers while the token is revoked (`revoke()`).
            self.revoked: str | None = None
            now: Clock = lambda: self.clock() + self._skipped  # noqa: E731
            self.rate_limits = RateLimits(now)
            self.triggers = Triggers(now, self._counter)
            self.response_urls: ResponseUrls[ResponseTarget] = ResponseUrls(now, self._counter)
            #: views.update calls that arrived while their view's submission was in
            #: flight; Slack applies the submission's response_action first.
            self.held_updates: dict[str, list[dict[str, Any]]] = {}
            #: (method, Slack's answer) for every call refused for its blocks or view;
            #: a test fails at its end unless it takes them (`take_refusals`).
            self.refusals: list[tuple[str, dict[str, Any]]] = []
            self.reset_files()

    # -- people ----------------------------------------------------------------------------
    def add_user(
        self,
        slack_user_id: str,
        name: str,
        *,
        tz: str = "America/New_York",
        email: str | None = None,
        is_bot: bool = False,
        deleted: bool = False,
    ) -> None:
        with self._lock:
            self.users[slack_user_id] = {
                "id": slack_user_id,
                "team_id": TEAM_ID,
                "name": name.lower().replace(" ", "."),
                "real_name": name,
                "deleted": deleted,
                "is_bot": is_bot,
                "tz": tz,
                "profile": {
                    "real_name": name,
                    "display_name": name.split()[0],
                    "email": email or f"{name.lower().replace(' ', '.')}@example.com",
                },
            }

    def add_channel(
        self,
        channel_id: str,
        name: str,
        *,
        is_private: bool = False,
        members: list[str] | None = None,
        bot_member: bool = False,
    ) -> None:
        """A channel people are in. The bot posts to a public one without joining
        (scope chat:write.public); to a private one only as a member."""
        with self._lock:
            self.channels[channel_id] = Channel(
                channel_id, name, is_private, set(members or []), bot_member
            )

    def deactivate(self, slack_user_id: str) -> None:
        """The person leaves: `users.info` says `deleted: true` from now on."""
        with self._lock:
            self.users[slack_user_id]["deleted"] = True

    # -- failures --------------------------------------------------------------------------
    def revoke(self, error: str = "token_revoked") -> None:
        """The bot token is dead (uninstalled, revoked, workspace gone): every Web API
        call answers `error` until `restore()`."""
        assert error in TOKEN_ERRORS, f"{error} is not an error of a dead token"
        with self._lock:
            self.revoked = error

    def restore(self) -> None:
        with self._lock:
            self.revoked = None

    @staticmethod
    def serving(api_url: str) -> FakeSlack | None:
        """The running fake whose Web API is at `api_url` (a `SLACK_API_URL`), if any."""
        return _SERVING.get(api_url)

    def advance(self, seconds: float) -> None:
        """Let `seconds` pass for Slack's time limits (rate windows, trigger and
        response_url lifetimes), as between two sweeps a test runs hours apart."""
        with self._lock:
            self._skipped += max(0.0, seconds)

    @property
    def throttled(self) -> list[Throttled]:
        """Calls this fake answered 429 because they broke Slack's rate limits."""
        return self.rate_limits.throttled

    def fail(
        self,
        method: str,
        *,
        status: int = 200,
        error: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
        only_for: str | None = None,
    ) -> None:
        """Make the next `times` calls of `method` fail: an HTTP status (429 with
        `retry_after`, 500, ...) or `ok: false` with `error`."""
        with self._lock:
            self.failures.append(Failure(method, status, error, retry_after, times, only_for))

    # -- what people see -------------------------------------------------------------------

    def top_view(self, slack_user_id: str) -> dict[str, Any] | None:
        with self._lock:
            stack = self.views.get(slack_user_id) or []
            return stack[-1] if stack else None

    def home(self, slack_user_id: str) -> dict[str, Any] | None:
        with self._lock:
            return self.homes.get(slack_user_id)

    def calls_to(self, method: str) -> list[ApiCall]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def new_trigger(self, slack_user_id: str) -> str:
        """A trigger_id for a request `slack_user_id` makes now (good for 3 s, once)."""
        return self.triggers.issue(slack_user_id)

    def new_response_url(self, target: ResponseTarget) -> str:
        """A response_url for an interaction now (5 posts within 30 minutes)."""
        return f"{self.base}/response/{self.response_urls.issue(target)}"

    def take_refusals(self) -> list[tuple[str, dict[str, Any]]]:
        """The calls refused for invalid blocks or views so far, forgotten once taken."""
        with self._lock:
            taken, self.refusals = self.refusals, []
        return taken

    def _refused(self, method: str, answer: dict[str, Any] | None) -> dict[str, Any] | None:
        if answer is not None:
            self.refusals.append((method, answer))
        return answer

    # -- the Web API -----------------------------------------------------------------------
    def _take_failure(self, method: str, args: dict[str, Any]) -> Failure | None:
        with self._lock:
            for failure in self.failures:
                if failure.method != method or failure.times <= 0:
                    continue
                if (
                    failure.only_for
                    and failure.only_for
                    not in (
                        args.get("channel"),
                        args.get("user"),
                        args.get("user_id"),
                        args.get("users"),
                    )
                    and dm_channel(failure.only_for) != args.get("channel")
                ):
                    continue
                failure.times -= 1
                return failure
        return None

    def handle_api(
        self, method: str, args: dict[str, Any], token: str = ""
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        """Slack's answer to `method` called with `args` and `token` (from the
        Authorization header, else the `token` argument)."""
        if self.latency:
            time.sleep(self.latency)
        with self._lock:
            self.calls.append(ApiCall(method, args, time.time()))
            revoked = self.revoked
        if revoked:
            return 200, {}, {"ok": False, "error": revoked}
        failure = self._take_failure(method, args)
        if failure is not None:
            headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after else {}
            if failure.status != 200:
                return (
                    failure.status,
                    headers,
                    {
                        "ok": False,
                        "error": "ratelimited" if failure.status == 429 else "internal_error",
                    },
                )
            return 200, headers, {"ok": False, "error": failure.error or "fatal_error"}
        if method == "apps.connections.open":
            return 200, {}, self.open_connection(token or str(args.get("token") or ""))
        handler = getattr(self, "api_" + method.replace(".", "_"), None)
        if handler is None:
            return 200, {}, {"ok": False, "error": "unknown_method"}
        conversation = normalize_channel(str(args.get("channel", "")))
        retry_after = self.rate_limits.check(method, conversation)
        if retry_after is not None:
            return 429, {"Retry-After": str(retry_after)}, {"ok": False, "error": "ratelimited"}
        with self._lock:
            return 200, {}, handler(args)

    def api_auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://mentor.example.slack.com/",
            "team": "Mentor Co",
            "user": "mentorbot",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": "BMENTORBOT",
        }

    def api_users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        # A deactivated person is still found, with `deleted: true`.
        user = self.users.get(args.get("user", ""))
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": user}

    def api_conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        users = [u for u in str(args.get("users", "")).split(",") if u]
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        if any(u not in self.users for u in users):
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "channel": {"id": dm_channel(users[0])}}

    # -- response_url ----------------------------------------------------------------------
    def handle_response_url(self, token: str, body: dict[str, Any]) -> tuple[int, str]:
        """A post to a response_url: (HTTP status, body) as Slack answers it."""
        if self.latency:
            time.sleep(self.latency)
        with self._lock:
            self.calls.append(ApiCall("response_url", body, time.time()))
            target, error = self.response_urls.use(token)
            if target is None:
                return 404, str(error)
            if refused := self._refused("response_url", slack_rules.response_refusal(body)):
                return 400, str(refused["error"])  # plain text, as incoming webhooks answer
            if body.get("delete_original") and target.message_ts:
                message = self.find_message(target.channel, target.message_ts)
                if message:
                    message.deleted = True
                return 200, "ok"
            if body.get("replace_original") and target.message_ts:
                message = self.find_message(target.channel, target.message_ts)
                if message is not None:
                    message.text = str(body.get("text") or "")
                    message.blocks = list(body.get("blocks") or [])
                    return 200, "ok"
            self.show_answer(target.user, target.channel, body)
            return 200, "ok"

    def describe(self, user: str) -> str:
        """Everything this person can see right now, rendered (for failing asserts)."""
        parts = [f"DM: {m.rendered}" for m in self.dms(user)]
        parts += [f"ephemeral: {m.rendered}" for m in self.ephemeral(user)]
        top = self.top_view(user)
        if top:
            parts.append("modal: " + render_view(top))
        return "\n---\n".join(parts) or "(nothing)"


#: Running fakes by their Web API URL.
_SERVING: dict[str, FakeSlack] = {}
