"""`/mentor`: one slash command, many sub-commands, each registered where it lives."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.blocks import help as help_blocks
from bot.listeners.actor import Actor
from bot.listeners.guard import run_reporting
from bot.listeners.parsing import parse_subcommand
from bot.runtime import Runtime


@dataclass
class Invocation:
    """One `/mentor ...` as plain values a sub-command handler works from."""

    name: str
    args: str
    actor: Actor
    runtime: Runtime
    client: WebClient
    respond: Respond
    trigger_id: str
    channel_id: str
    payload: dict[str, Any] = field(repr=False, default_factory=dict)

    def reply(self, text: str, blocks: list[dict[str, Any]] | None = None) -> None:
        """An ephemeral answer only the person who typed the command sees."""
        self.respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)


@dataclass(frozen=True)
class Subcommand:
    name: str
    usage: str
    summary: str
    #: None for the help, which is answered in the ack itself (`help_reply`).
    handler: Callable[[Invocation], None] | None
    order: int


SUBCOMMANDS: dict[str, Subcommand] = {}
ALIASES: dict[str, str] = {}


def subcommand(
    name: str, *, usage: str, summary: str, order: int = 100, aliases: tuple[str, ...] = ()
) -> Callable[[Callable[[Invocation], None]], Callable[[Invocation], None]]:
    """Register a `/mentor <name>` handler; `usage` and `summary` feed the help."""

    def decorate(handler: Callable[[Invocation], None]) -> Callable[[Invocation], None]:
        SUBCOMMANDS[name] = Subcommand(name, usage, summary, handler, order)
        for alias in aliases:
            ALIASES[alias] = name
        return handler

    return decorate


def register(app: App) -> None:
    app.command("/mentor")(mentor_command)


def mentor_command(
    ack: Ack, command: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
) -> None:
    name, args = requested(command.get("text"))
    handler = handler_of(name)
    if handler is None:
        # Slack shows the ack's message to the person at once: the help costs no call
        # to Slack and no work thread (bot/listeners/busy.py answers it in the ack).
        ack(**help_reply(name))
        return
    ack()  # within 3 s, before any work; answers go through response_url
    invocation = Invocation(
        name=name,
        args=args,
        actor=context["actor"],
        runtime=context["runtime"],
        client=client,
        respond=respond,
        trigger_id=command.get("trigger_id", ""),
        channel_id=command.get("channel_id", ""),
        payload=command,
    )
    run_reporting(invocation.reply, lambda: handler(invocation))


def requested(text: str | None) -> tuple[str, str]:
    """The sub-command `/mentor <text>` names (its alias resolved) and the rest."""
    name, args = parse_subcommand(text)
    return ALIASES.get(name, name), args


def handler_of(name: str) -> Callable[[Invocation], None] | None:
    """The handler of sub-command `name`; None when the help answers it: `help`,
    nothing, or a sub-command there is none of."""
    entry = SUBCOMMANDS.get(name)
    return entry.handler if entry is not None else None


def asks_for_help(text: str | None) -> bool:
    """Whether `/mentor <text>` is answered with the help (`handler_of`)."""
    return handler_of(requested(text)[0]) is None


def help_reply(name: str) -> dict[str, Any]:
    """The help as the ack of `/mentor <name>` carries it, for the person alone; `name`
    is said to be unknown unless it is empty or `help`."""
    unknown = None if name in ("", "help") else name
    blocks = command_list(len(SUBCOMMANDS))
    if unknown:
        blocks = [help_blocks.unknown_notice(unknown), *blocks]
    return {
        "text": help_blocks.help_text(unknown),
        "blocks": blocks,
        "response_type": "ephemeral",
    }


@lru_cache(maxsize=1)
def command_list(registered: int) -> list[dict[str, Any]]:
    """The list of sub-commands, built once per process: it is the same for everyone.
    Keyed by how many are registered, so a module imported late is still listed."""
    del registered  # only the cache's key
    entries = sorted(SUBCOMMANDS.values(), key=lambda s: (s.order, s.name))
    return help_blocks.command_list([(s.usage, s.summary) for s in entries])


SUBCOMMANDS["help"] = Subcommand(
    "help", usage="/mentor help", summary="Show this list of commands.", handler=None, order=0
)
