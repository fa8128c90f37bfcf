"""`/mentor ask <question>`, the "Ask my mentor" message shortcut, and the mentor's
Answer and "Talk in our next session" buttons. The DMs are the `questions` reminder
kind (bot/services/reminders_questions.py), sent at once by `sweep.send_now` to
whoever is in their working hours."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.blocks import actions as ids
from bot.blocks import questions as blocks
from bot.listeners.actor import Actor
from bot.listeners.commands import Invocation, subcommand
from bot.listeners.support import (
    Form,
    button_service,
    modal_button,
    open_modal,
    settled,
    submit_service,
)
from bot.runtime import Runtime
from bot.services import questions
from bot.services.errors import DomainError
from bot.sweep import send_now

KINDS = ("questions",)
USAGE = "Type your question after the command, e.g. `/mentor ask How do I prepare a QBR?`"


def register(app: App) -> None:
    app.shortcut(ids.ASK_SHORTCUT)(on_ask_shortcut)
    app.view(blocks.ASK_CALLBACK)(on_ask_submit)
    app.action(ids.QUESTION_ANSWER)(modal_button(_open_answer))
    app.view(blocks.ANSWER_CALLBACK)(on_answer_submit)
    app.action(ids.QUESTION_DEFER)(button_service(_defer, _deferred))


@subcommand(
    "ask",
    usage="/mentor ask <question>",
    summary="Ask your mentor a question; they answer within 24 hours.",
    order=44,
)
def ask_command(inv: Invocation) -> None:
    if not inv.args.strip():
        inv.reply(USAGE)
        return
    with inv.runtime.db() as db:
        asked = questions.ask(db, actor_id=inv.actor.id, question=inv.args, now=inv.runtime.now())
    inv.reply(blocks.asked_text(asked))
    send_now(inv.runtime, inv.client, *KINDS)


def on_ask_shortcut(ack: Ack, shortcut: dict[str, Any], client: WebClient) -> None:
    """ "Ask my mentor" on any message: the message, to edit, in the Ask modal."""
    ack()
    message = shortcut.get("message") or {}
    channel = (shortcut.get("channel") or {}).get("id", "")
    domain = (shortcut.get("team") or {}).get("domain", "")
    ts = str(message.get("ts", ""))
    link = (
        f"https://{domain}.slack.com/archives/{channel}/p{ts.replace('.', '')}"
        if domain and channel and ts
        else ""
    )
    open_modal(
        client, shortcut.get("trigger_id", ""), blocks.ask_modal(message.get("text", ""), link)
    )


def on_ask_submit(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    def call(db: Session, form: Form) -> questions.Asked:
        return questions.ask(
            db,
            actor_id=form.actor.id,
            question=form.values.get("question"),
            now=form.now,
            source_link=form.metadata or None,
        )

    if submit_service(ack, view, context, call, blocks.asked_view) is not None:
        send_now(context["runtime"], client, *KINDS)


def _open_answer(
    client: WebClient, runtime: Runtime, actor: Actor, trigger_id: str, value: str
) -> None:
    with runtime.db() as db:
        question = questions.for_answer(db, actor_id=actor.id, question_id=value)
    if not open_modal(client, trigger_id, blocks.answer_modal(question)):
        raise DomainError("I couldn't open the answer form just now; please try again.")


def on_answer_submit(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    def call(db: Session, form: Form) -> str:
        question = questions.for_answer(db, actor_id=form.actor.id, question_id=form.metadata)
        questions.answer(
            db,
            actor_id=form.actor.id,
            question_id=form.metadata,
            text=form.values.get("answer"),
            now=form.now,
        )
        return question.mentee_name

    if submit_service(ack, view, context, call, blocks.answered_view) is not None:
        send_now(context["runtime"], client, *KINDS)


def _defer(db: Session, actor: Actor, value: str, now: datetime) -> None:
    questions.defer(db, actor_id=actor.id, question_id=value, now=now)


def _deferred(body: dict[str, Any], client: WebClient, runtime: Runtime, _: None) -> None:
    settled(body, client, ":speech_balloon: Kept for your next session; I've told your mentee.")
    send_now(runtime, client, *KINDS)
