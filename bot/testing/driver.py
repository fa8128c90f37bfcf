"""Play the people: signed slash commands, button clicks, modal submissions and
events sent to the real app over HTTP, the way Slack sends them."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.signature import SignatureVerifier

from bot.blocks.plaintext import element_text, render_blocks, render_view
from bot.testing import slack_rules
from bot.testing.fake_chat import Message
from bot.testing.fake_slack import TEAM_ID, FakeSlack, ResponseTarget, dm_channel
from bot.testing.signed_requests import ACK_TIMES, AckTiming, HttpReply, SignedRequests
from bot.testing.surface_inputs import (
    Button,
    Who,
    buttons_in,
    fill_state,
    interactive_elements,
    slack_id,
)


@dataclass
class Submission:
    """What Slack got back from a view_submission: `errors` per input label."""

    http: HttpReply
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.http.status == 200 and not self.errors


class SlackDriver(SignedRequests):
    def __init__(
        self,
        fake: FakeSlack,
        app_url: str,
        signing_secret: str,
        wait_idle: Callable[[], None] = lambda: None,
        path: str = "/slack/events",
        ack_log: list[AckTiming] = ACK_TIMES,
    ) -> None:
        self.fake = fake
        self.endpoint = app_url.rstrip("/") + path
        self.signer = SignatureVerifier(signing_secret)
        self.signing_secret = signing_secret
        self.wait_idle = wait_idle
        self.ack_log = ack_log

    # -- what a person does ----------------------------------------------------------------
    def slash_body(self, who: Who, command: str, text: str = "") -> dict[str, str]:
        user = slack_id(who)
        channel = dm_channel(user)
        return {
            "token": "legacy",
            "team_id": TEAM_ID,
            "team_domain": "mentor",
            "channel_id": channel,
            "channel_name": "directmessage",
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text,
            "api_app_id": "AMENTORBOT",
            "response_url": self.fake.new_response_url(ResponseTarget(user, channel, None)),
            "trigger_id": self.fake.new_trigger(user),
        }

    def slash(self, who: Who, command: str, text: str = "", **kwargs: Any) -> list[Message]:
        """Type a slash command; returns the ephemeral replies it produced, its ack's first."""
        user = slack_id(who)
        before = len(self.fake.ephemeral(user))
        reply = self.post_form(self.slash_body(who, command, text), **kwargs)
        assert reply.status == 200, f"/{command} got HTTP {reply.status}: {reply.body}"
        return self.fake.ephemeral(user)[before:]

    def post_form(self, fields: dict[str, str], **kwargs: Any) -> HttpReply:
        """POST a form as Slack does; a slash command's answer (its ack) is then shown
        to the person as Slack shows it, ahead of what the app posted after it."""
        if not fields.get("command"):
            return super().post_form(fields, **kwargs)
        user = fields.get("user_id", "")
        before = len(self.fake.ephemeral(user))
        reply = super().post_form(fields, **kwargs)
        if reply.status == 200:
            refused = self.fake.answer_command(
                user, fields.get("channel_id", ""), reply.body, at=before
            )
            _refuse_as_slack(f"{fields['command']} {fields.get('text', '')}", refused)
        return reply

    def mentor(self, who: Who, text: str = "") -> Message:
        """`/mentor <text>` and the one reply it gives."""
        answers = self.slash(who, "/mentor", text)
        assert answers, (
            f"/mentor {text} answered nothing; {slack_id(who)} sees:\n{self.describe(who)}"
        )
        return answers[-1]

    def click(
        self,
        who: Who,
        label: str,
        *,
        message: Message | None = None,
        near: str | None = None,
        in_view: bool | None = None,
        home: bool = False,
        retry_num: int | None = None,
    ) -> HttpReply:
        """Click the button labelled `label`, in `message`, else in the open modal,
        the newest ephemeral reply, the newest DMs, then the home tab."""
        user = slack_id(who)
        for surface, blocks, kind in self._surfaces(user, message, in_view, home):
            for button in buttons_in(blocks):
                if button.label == label and (near is None or near in button.context):
                    payload = self._action_payload(user, button, surface, kind)
                    return self.post_payload(payload, retry_num=retry_num)
        raise AssertionError(
            f"no button '{label}'"
            + (f" near '{near}'" if near else "")
            + f" for {user}; they see:\n{self.describe(user)}"
        )

    def press(
        self,
        who: Who,
        action_id: str,
        value: str,
        *,
        message: Message | None = None,
        retry_num: int | None = None,
    ) -> HttpReply:
        """Press a button by action id and value even when the person can't see one
        now: a stale message clicked again, or a click forged with someone else's id.
        Without `message` it comes from a message in the person's DM with the bot."""
        user = slack_id(who)
        surface = message or Message(dm_channel(user), "0", "")
        payload = self._base_action(user, surface, "message")
        payload["actions"] = [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "pressed",
                "text": {"type": "plain_text", "text": action_id},
                "value": value,
                "action_ts": str(time.time()),
            }
        ]
        return self.post_payload(payload, retry_num=retry_num)

    def shortcut(self, who: Who, callback_id: str, message: Message) -> HttpReply:
        """Run a message shortcut (the "..." menu of a message) on `message`."""
        user = slack_id(who)
        payload = self._base_action(user, message, "message")
        payload.pop("container")
        payload.update(
            type="message_action",
            callback_id=callback_id,
            message_ts=message.ts,
            action_ts=str(time.time()),
        )
        return self.post_payload(payload)

    def select(
        self, who: Who, label: str, option: str, *, message: Message | None = None
    ) -> HttpReply:
        """Choose `option` in a select menu (in a message or home) whose placeholder or
        neighbouring text contains `label`."""
        user = slack_id(who)
        for surface, blocks, kind in self._surfaces(user, message, None, False):
            for block in blocks:
                for element in interactive_elements(block):
                    if element.get("type") != "static_select":
                        continue
                    text = render_blocks([block]) + element_text(element.get("placeholder"))
                    if label not in text:
                        continue
                    chosen = [
                        o for o in element.get("options", []) if element_text(o["text"]) == option
                    ]
                    assert chosen, f"no option '{option}' in '{label}'"
                    action = {
                        "type": "static_select",
                        "action_id": element["action_id"],
                        "block_id": block.get("block_id", ""),
                        "selected_option": chosen[0],
                        "action_ts": str(time.time()),
                    }
                    payload = self._base_action(user, surface, kind)
                    payload["actions"] = [action]
                    return self.post_payload(payload)
        raise AssertionError(f"no select '{label}' for {user}")

    def submit(
        self,
        who: Who,
        values: dict[str, Any] | None = None,
        *,
        retry_num: int | None = None,
        crafted: dict[str, Any] | None = None,
    ) -> Submission:
        """Fill the open modal's inputs by label (others keep their initial values) and
        submit. `crafted` replaces whole entries of `state.values` by block_id, as only
        a forged request could (a choice the form doesn't offer, a value of another kind)."""
        user = slack_id(who)
        view = self.fake.top_view(user)
        assert view is not None, f"{user} has no modal open; they see:\n{self.describe(user)}"
        state, labels = fill_state(view, values or {})
        state.update(crafted or {})
        submitted = {**view, "state": {"values": state}}
        payload = {
            "type": "view_submission",
            "team": {"id": TEAM_ID, "domain": "mentor"},
            "user": {"id": user, "username": user.lower(), "team_id": TEAM_ID},
            "api_app_id": "AMENTORBOT",
            "token": "legacy",
            "trigger_id": self.fake.new_trigger(user),
            "view": submitted,
            "response_urls": [],
        }
        # Slack applies the response_action as soon as the answer arrives, before any
        # views.update the app makes after ack(); so apply it first, then wait.
        self.fake.hold_updates(view["id"])
        try:
            reply = self.post_payload(payload, retry_num=retry_num, wait=False)
        except BaseException:
            self.fake.release_updates(view["id"])
            raise
        result = Submission(reply)
        body = reply.json() if reply.body.startswith("{") else {}
        action = body.get("response_action")
        if action == "errors":
            _refuse_as_slack(
                "response_action errors", slack_rules.errors_refusal(view, body.get("errors"))
            )
            result.errors = {labels.get(k, k): v for k, v in body.get("errors", {}).items()}
        elif action in ("update", "push"):
            _refuse_as_slack(f"response_action {action}", slack_rules.view_refusal(body["view"]))
            if action == "update":
                self.fake.replace_top_view(user, body["view"])
            else:
                self.fake.push_view(user, body["view"])
        elif action == "clear":
            self.fake.clear_views(user)
        elif reply.status == 200:
            # The view that was submitted closes; an update the app made meanwhile
            # (views.update on the same id) closes with it.
            stack = self.fake.views.get(user) or []
            if stack and stack[-1]["id"] == view["id"]:
                self.fake.pop_view(user)
        self.fake.release_updates(view["id"])
        self.wait_idle()
        return result

    def close_modal(self, who: Who) -> HttpReply:
        user = slack_id(who)
        view = self.fake.top_view(user)
        assert view is not None
        self.fake.pop_view(user)
        if not view.get("notify_on_close"):
            return HttpReply(200, "")
        payload = {
            "type": "view_closed",
            "team": {"id": TEAM_ID},
            "user": {"id": user, "team_id": TEAM_ID},
            "view": view,
            "is_cleared": False,
        }
        return self.post_payload(payload)

    def event(
        self,
        event: dict[str, Any],
        *,
        retry_num: int | None = None,
        event_id: str | None = None,
        team_id: str = TEAM_ID,
    ) -> HttpReply:
        """Deliver an Events API event, from `team_id` (another workspace, if a test says)."""
        body = {
            "token": "legacy",
            "team_id": team_id,
            "api_app_id": "AMENTORBOT",
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{time.time_ns()}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": team_id, "user_id": "UMENTORBOT", "is_bot": True}],
        }
        return self.post(json.dumps(body), "application/json", retry_num=retry_num)

    def open_home(self, who: Who) -> dict[str, Any]:
        user = slack_id(who)
        reply = self.event(
            {
                "type": "app_home_opened",
                "user": user,
                "channel": dm_channel(user),
                "tab": "home",
                "event_ts": str(time.time()),
            }
        )
        assert reply.status == 200, reply.body
        home = self.fake.home(user)
        assert home is not None, f"no home tab was published for {user}"
        return home

    # -- what a person sees ----------------------------------------------------------------
    def dms(self, who: Who) -> list[Message]:
        return self.fake.dms(slack_id(who))

    def last_dm(self, who: Who) -> Message:
        messages = self.dms(who)
        assert messages, f"{slack_id(who)} has no DM; they see:\n{self.describe(who)}"
        return messages[-1]

    def last_ephemeral(self, who: Who) -> Message:
        messages = self.fake.ephemeral(slack_id(who))
        assert messages, f"{slack_id(who)} has no ephemeral message"
        return messages[-1]

    def modal(self, who: Who) -> dict[str, Any] | None:
        return self.fake.top_view(slack_id(who))

    def modal_text(self, who: Who) -> str:
        view = self.modal(who)
        return render_view(view) if view else ""

    def describe(self, who: Who) -> str:
        return self.fake.describe(slack_id(who))

    # -- payload building ------------------------------------------------------------------
    def _surfaces(
        self, user: str, message: Message | None, in_view: bool | None, home: bool
    ) -> list[tuple[Any, list[dict[str, Any]], str]]:
        if message is not None:
            current = self.fake.find_message(message.channel, message.ts) or message
            return [(current, current.blocks, "message")]
        surfaces: list[tuple[Any, list[dict[str, Any]], str]] = []
        if home:
            view = self.fake.home(user)
            return [(view, view["blocks"], "home")] if view else []
        top = self.fake.top_view(user)
        if top is not None and in_view is not False:
            surfaces.append((top, top.get("blocks", []), "view"))
        if in_view:
            return surfaces
        for m in reversed(self.fake.ephemeral(user)):
            surfaces.append((m, m.blocks, "message"))
        for m in reversed(self.fake.dms(user)):
            surfaces.append((m, m.blocks, "message"))
        view = self.fake.home(user)
        if view is not None:
            surfaces.append((view, view.get("blocks", []), "home"))
        return surfaces

    def _base_action(self, user: str, surface: Any, kind: str) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "type": "block_actions",
            "team": {"id": TEAM_ID, "domain": "mentor"},
            "user": {"id": user, "username": user.lower(), "team_id": TEAM_ID},
            "api_app_id": "AMENTORBOT",
            "token": "legacy",
            "trigger_id": self.fake.new_trigger(user),
        }
        if kind == "message":
            assert isinstance(surface, Message)
            payload["container"] = {
                "type": "message",
                "message_ts": surface.ts,
                "channel_id": surface.channel,
                "is_ephemeral": surface.ephemeral_for is not None,
            }
            payload["channel"] = {"id": surface.channel}
            payload["message"] = surface.as_payload()
            payload["response_url"] = self.fake.new_response_url(
                ResponseTarget(user, surface.channel, surface.ts)
            )
        else:
            payload["container"] = {"type": "view", "view_id": surface["id"]}
            payload["view"] = surface
        return payload

    def _action_payload(self, user: str, button: Button, surface: Any, kind: str) -> dict[str, Any]:
        payload = self._base_action(user, surface, kind)
        action = {
            "type": "button",
            "action_id": button.action_id,
            "block_id": button.block_id,
            "text": {"type": "plain_text", "text": button.label},
            "action_ts": str(time.time()),
        }
        if button.value:  # Slack sends no value for a button that has none
            action["value"] = button.value
        payload["actions"] = [action]
        return payload


def _refuse_as_slack(what: str, refusal: dict[str, Any] | None) -> None:
    """The app answered Slack's HTTP request with blocks or a view Slack refuses: the
    person would see Slack's error instead, so the test fails here."""
    if refusal is not None:
        messages = "\n".join(refusal.get("response_metadata", {}).get("messages", []))
        raise AssertionError(f"Slack refuses the answer to {what}: {refusal['error']}\n{messages}")
