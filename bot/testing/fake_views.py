"""The modals and home tabs in the fake Slack: views.open/push/update/publish as strict
as Slack (a trigger used once and within 3 s, blocks and views validated), and the
stack of modals each person has open."""

from __future__ import annotations

import itertools
import json
import threading
from typing import Any

from bot.testing import slack_rules
from bot.testing.slack_quotas import Triggers


def dm_channel(slack_user_id: str) -> str:
    return "D" + slack_user_id


class FakeViews:
    """Mixed into FakeSlack, whose `reset()` sets the state declared here."""

    _lock: threading.RLock
    _counter: itertools.count[int]
    triggers: Triggers
    views: dict[str, list[dict[str, Any]]]
    homes: dict[str, dict[str, Any]]
    held_updates: dict[str, list[dict[str, Any]]]

    def _refused(self, method: str, answer: dict[str, Any] | None) -> dict[str, Any] | None:
        raise NotImplementedError

    def slack_file_error(self, blocks: Any, channel: str) -> dict[str, Any] | None:
        raise NotImplementedError

    def api_views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        user, error = self.triggers.exchange(str(args.get("trigger_id", "")))
        if user is None:
            return {"ok": False, "error": error}
        if refused := self._refused("views.open", slack_rules.view_refusal(args.get("view"))):
            return refused
        view = self._stored_view(args.get("view") or {}, user)
        self.views[user] = [view]
        return {"ok": True, "view": view}

    def api_views_push(self, args: dict[str, Any]) -> dict[str, Any]:
        user, error = self.triggers.exchange(str(args.get("trigger_id", "")))
        if user is None:
            return {"ok": False, "error": error}
        if not self.views.get(user):
            # Nothing to push onto: views.push needs an open modal.
            return {"ok": False, "error": "invalid_trigger_id"}
        if refused := self._refused("views.push", slack_rules.view_refusal(args.get("view"))):
            return refused
        view = self._stored_view(args.get("view") or {}, user)
        self.views[user].append(view)
        return {"ok": True, "view": view}

    def hold_updates(self, view_id: str) -> None:
        """A submission of `view_id` is in flight: queue views.update calls on it."""
        with self._lock:
            self.held_updates.setdefault(view_id, [])

    def release_updates(self, view_id: str) -> None:
        """The submission's answer is applied: apply the queued updates, in order."""
        with self._lock:
            for args in self.held_updates.pop(view_id, []):
                self.api_views_update(args)

    def api_views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        view_id = args.get("view_id")
        if refused := self._refused("views.update", slack_rules.view_refusal(args.get("view"))):
            return refused
        if view_id in self.held_updates:
            self.held_updates[str(view_id)].append(args)
            return {"ok": True, "view": {**(args.get("view") or {}), "id": view_id}}
        external_id = args.get("external_id")
        for user, stack in self.views.items():
            for index, existing in enumerate(stack):
                if existing["id"] == view_id or (
                    external_id and existing.get("external_id") == external_id
                ):
                    view = self._stored_view(args.get("view") or {}, user, view_id=existing["id"])
                    stack[index] = view
                    return {"ok": True, "view": view}
        return {"ok": False, "error": "not_found"}

    def api_views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        user = str(args.get("user_id", ""))
        refused = self._refused(
            "views.publish", slack_rules.view_refusal(args.get("view"))
        ) or self.slack_file_error((args.get("view") or {}).get("blocks"), dm_channel(user))
        if refused:
            return refused
        view = self._stored_view(args.get("view") or {}, user)
        self.homes[user] = view
        return {"ok": True, "view": view}

    def _stored_view(
        self, view: dict[str, Any], user: str, view_id: str | None = None
    ) -> dict[str, Any]:
        stored = json.loads(json.dumps(view))
        stored["id"] = view_id or f"V{next(self._counter):06d}"
        stored["hash"] = f"h{next(self._counter)}"
        stored["user"] = user
        stored.setdefault("private_metadata", "")
        stored.setdefault("callback_id", "")
        stored["state"] = {"values": {}}
        return stored

    # -- the modals a person has open ------------------------------------------------------
    def pop_view(self, user: str) -> None:
        with self._lock:
            stack = self.views.get(user) or []
            if stack:
                stack.pop()

    def clear_views(self, user: str) -> None:
        with self._lock:
            self.views[user] = []

    def replace_top_view(self, user: str, view: dict[str, Any]) -> None:
        with self._lock:
            stack = self.views.setdefault(user, [])
            view_id = stack[-1]["id"] if stack else None
            stored = self._stored_view(view, user, view_id=view_id)
            if stack:
                stack[-1] = stored
            else:
                stack.append(stored)

    def push_view(self, user: str, view: dict[str, Any]) -> None:
        with self._lock:
            self.views.setdefault(user, []).append(self._stored_view(view, user))
