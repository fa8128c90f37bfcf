"""`/mentor curriculum`: the curriculum week by week, edited by admins (a refused
attempt is audited); `/mentor resources`: a mentor shares a resource with a mentee."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.blocks import curriculum as blocks
from bot.blocks.actions import CURRICULUM_EDIT
from bot.listeners.actor import Actor
from bot.listeners.commands import Invocation, subcommand
from bot.listeners.messaging import Notice
from bot.listeners.support import (
    Form,
    admit,
    modal_button,
    open_modal,
    submit_service,
)
from bot.runtime import Runtime
from bot.services import access, curriculum, mentorships
from bot.services.errors import NotFound

SURFACE = "curriculum"


def register(app: App) -> None:
    app.action(CURRICULUM_EDIT)(modal_button(open_week))
    app.view(blocks.WEEK_VIEW)(on_week_saved)
    app.view(blocks.RESOURCE_VIEW)(on_resource_shared)


@subcommand(
    "curriculum",
    usage="/mentor curriculum",
    summary="The suggested topics for each week of a mentorship; admins add and edit weeks.",
    order=46,
)
def curriculum_command(inv: Invocation) -> None:
    with inv.runtime.db() as db:
        weeks = curriculum.plan(db)
    inv.reply(*blocks.curriculum_message(weeks, inv.actor.is_admin))


def open_week(
    client: WebClient, runtime: Runtime, actor: Actor, trigger_id: str, value: str
) -> None:
    week = int(value) if value.isdigit() else None

    admit(runtime, actor, SURFACE)
    with runtime.db() as db:
        topics, next_week = curriculum.week_form(db, actor_id=actor.id, week=week)
    open_modal(client, trigger_id, blocks.week_modal(week, topics, next_week))


def on_week_saved(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
    def save(db: Session, form: Form) -> tuple[int, int]:
        admit(context["runtime"], form.actor, SURFACE)
        return curriculum.save_typed_week(
            db,
            actor_id=form.actor.id,
            editing=int(form.metadata) if form.metadata.isdigit() else None,
            week=form.values.get("week"),
            typed=form.values.get("topics"),
            now=form.now,
        )

    submit_service(ack, view, context, save, lambda saved: blocks.week_saved_view(*saved))


@subcommand(
    "resources",
    usage="/mentor resources",
    summary="Mentors: share a resource (a link, a doc) with a mentee; the pair sees it "
    "in `/mentor status`.",
    order=47,
)
def resources_command(inv: Invocation) -> None:
    with inv.runtime.db() as db:
        mine = [m for m in mentorships.mentorships_of(db, inv.actor.id) if m.side == "mentor"]
    if not mine:
        raise NotFound("You have no active mentees to share a resource with.")
    open_modal(inv.client, inv.trigger_id, blocks.resource_modal(mine))


def on_resource_shared(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
    def share(db: Session, form: Form) -> tuple[str, str, tuple[str, list[Any]]]:
        assignment, resource = curriculum.share_resource(
            db,
            actor_id=form.actor.id,
            assignment_id=form.metadata or str(form.values.get("assignment") or ""),
            title=form.values.get("title"),
            url=form.values.get("url"),
            now=form.now,
        )
        mentee = access.load_user(db, assignment.mentee_user_id)
        return mentee.name, mentee.slack_user_id, blocks.resource_dm(form.actor.name, resource)

    def told(result: tuple[str, str, tuple[str, list[Any]]]) -> list[Notice]:
        _name, mentee_slack_id, (text, message) = result
        return [Notice(mentee_slack_id, text, message, "resource_shared")]

    submit_service(
        ack,
        view,
        context,
        share,
        lambda result: blocks.resource_shared_view(result[0]),
        notices=told,
    )
