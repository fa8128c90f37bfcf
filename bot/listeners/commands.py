"""`/mentor`: one slash command, many sub-commands, each registered where it lives."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
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
    handler: Callable[[Invocation], None]
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
    ack()  # within 3 s, before any work; answers go through response_url
    name, args = parse_subcommand(command.get("text"))
    name = ALIASES.get(name, name)
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
    entry = SUBCOMMANDS.get(name)
    if entry is None:
        show_help(invocation, unknown=name or None)
        return
    run_reporting(invocation.reply, lambda: entry.handler(invocation))


def show_help(invocation: Invocation, unknown: str | None = None) -> None:
    entries = sorted(SUBCOMMANDS.values(), key=lambda s: (s.order, s.name))
    blocks = help_blocks.help_message([(s.usage, s.summary) for s in entries], unknown=unknown)
    invocation.reply(help_blocks.help_text(unknown), blocks)


subcommand("help", usage="/mentor help", summary="Show this list of commands.", order=0)(show_help)
