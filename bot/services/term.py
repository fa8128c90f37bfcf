"""The term of a running mentorship: changing its cadence, goals and expected end
(`/mentor edit`, the **Extend** button of the end-of-term DM), and closing it by itself
when nobody completed it `auto_complete_after_days` after its expected end."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.blocks import dates
from bot.services import access, audit, capacity, feedback_texts, inputs, mentorships, program
from bot.services.assignment_terms import MAX_DURATION_WEEKS, parse_goals
from bot.services.assignment_views import CADENCE_LABELS
from bot.services.errors import Conflict, InvalidInput
from bot.services.timezones import local_today
from models import CADENCES, Assignment, User

#: The statuses whose terms can still change.
CHANGEABLE = ("pending", "active")
#: How the completion notes of a mentorship closed by itself begin (the survey finder
#: in bot/services/reminders/end_of_term.py looks for it).
AUTO_CLOSED_NOTE = "Closed automatically"


@dataclass(frozen=True)
class ChangeForm:
    """What the edit (or extend) modal shows: the mentorship's terms as they are."""

    assignment_id: uuid.UUID
    #: Who the mentorship is with, as the person changing it sees it.
    about: str
    start_date: date
    expected_end_date: date | None
    cadence: str
    goals_text: str


@dataclass(frozen=True)
class Changed:
    """A change saved: each changed term as a plain sentence, and who to tell."""

    assignment_id: uuid.UUID
    actor_name: str
    #: Who the mentorship is with, as the actor sees it.
    about: str
    #: e.g. "Expected end: Tue 2 Feb 2027 → Tue 2 Mar 2027".
    changes: list[str]
    #: Everyone involved but the actor: mentor, mentee, the mentee's manager.
    notify_slack_ids: list[str] = field(default_factory=list)
    affected_user_ids: list[uuid.UUID] = field(default_factory=list)


def change_form(
    db: Session,
    *,
    actor_id: uuid.UUID,
    other_slack_id: str | None = None,
    assignment_id: uuid.UUID | str | None = None,
) -> ChangeForm:
    """The mentorship `/mentor edit [@person]` (or an Extend button) is about, once the
    person may change it: the mentor, the mentee or the mentee's manager. Conflict when
    it is no longer pending or active."""
    if assignment_id is None:
        assignment_id = mentorships.choose(
            db,
            actor_id=actor_id,
            other_slack_id=other_slack_id,
            statuses=(*CHANGEABLE, "completed"),
            as_third_party=True,
        )
    assignment = access.load_assignment(db, assignment_id)
    actor = access.load_user(db, actor_id)
    access.require(db, actor, access.CHANGE_TERMS, assignment)
    _check_changeable(assignment)
    return ChangeForm(
        assignment.id,
        about(db, assignment, actor_id),
        assignment.start_date,
        assignment.expected_end_date,
        assignment.check_in_cadence,
        goals_text(assignment.goals or []),
    )


def change(
    db: Session,
    *,
    actor_id: uuid.UUID,
    assignment_id: uuid.UUID | str,
    now: datetime,
    expected_end: str | None,
    cadence: str | None = None,
    goals: str | None = None,
    only_end: bool = False,
) -> Changed:
    """Save new terms of a pending or active mentorship (with `only_end`, just the
    expected end: the Extend button). InvalidInput names each bad field
    (`expected_end`, `cadence`, `goals`); nothing is written then. The change is
    audited with the old and new values; the result says what changed and whom to tell."""
    assignment = access.load_assignment(db, assignment_id)
    db.refresh(assignment, with_for_update=True)  # two people changing it at once
    actor = access.load_user(db, actor_id)
    access.require(db, actor, access.CHANGE_TERMS, assignment)
    _check_changeable(assignment)
    today = local_today(now, actor.timezone)
    errors: dict[str, str] = {}
    end = _new_end(expected_end, assignment.start_date, today, errors)
    new_cadence, new_goals = assignment.check_in_cadence, list(assignment.goals or [])
    if not only_end:
        if cadence not in CADENCES:
            errors["cadence"] = "Choose how often you meet: Weekly, Biweekly or Monthly."
        else:
            new_cadence = str(cadence)
        try:
            new_goals = _keep_achieved(parse_goals(goals or "", assignment.start_date), new_goals)
        except InvalidInput as exc:
            errors.update(exc.errors)
    if errors:
        raise InvalidInput(errors)
    assert end is not None
    changes: list[str] = []
    before: dict[str, Any] = {}
    if end != assignment.expected_end_date:
        changes.append(f"Expected end: {_day(assignment.expected_end_date)} → {_day(end)}")
        before["expected_end_date"] = _iso(assignment.expected_end_date)
        assignment.expected_end_date = end
    if new_cadence != assignment.check_in_cadence:
        old = CADENCE_LABELS[assignment.check_in_cadence]
        changes.append(f"Cadence: {old} → {CADENCE_LABELS[new_cadence]}")
        before["check_in_cadence"] = assignment.check_in_cadence
        assignment.check_in_cadence = new_cadence
    if _goal_keys(new_goals) != _goal_keys(assignment.goals or []):
        changes.append("Goals: " + ("; ".join(g["goal"] for g in new_goals) or "none"))
        before["goals"] = len(assignment.goals or [])
        assignment.goals = new_goals
    if changes:
        audit.record(
            db,
            actor_id=actor.id,
            action="mentorship.changed",
            entity_type="mentorship_assignment",
            entity_id=assignment.id,
            now=now,
            before=before,
            expected_end_date=_iso(assignment.expected_end_date),
            check_in_cadence=assignment.check_in_cadence,
            goals=len(assignment.goals or []),
        )
        db.flush()
    mentee = access.load_user(db, assignment.mentee_user_id)
    mentor = access.load_user(db, access.mentor_user_id(db, assignment))
    manager = db.get(User, mentee.manager_id) if mentee.manager_id else None
    people = [p for p in (mentor, mentee, manager) if p is not None and p.id != actor.id]
    return Changed(
        assignment.id,
        actor.name,
        about(db, assignment, actor.id),
        changes,
        list(dict.fromkeys(p.slack_user_id for p in people)) if changes else [],
        [mentor.id, mentee.id],
    )


@dataclass(frozen=True)
class PairCompletion:
    """The manager's completion of a mentorship for the pair: the modal, then its result."""

    assignment_id: uuid.UUID
    about: str
    actor_name: str = ""
    #: Mentor and mentee: each is asked for their feedback.
    notify_slack_ids: list[str] = field(default_factory=list)
    affected_user_ids: list[uuid.UUID] = field(default_factory=list)


def pair_completion_form(
    db: Session, *, actor_id: uuid.UUID, assignment_id: uuid.UUID | str
) -> PairCompletion:
    """What the manager's Complete button asks about, once they may (NotAllowed for
    anyone but the mentee's manager; Conflict unless the mentorship is active)."""
    assignment, actor = _for_pair_completion(db, actor_id, assignment_id)
    return PairCompletion(assignment.id, about(db, assignment, actor.id))


def complete_for_pair(
    db: Session,
    *,
    actor_id: uuid.UUID,
    assignment_id: uuid.UUID | str,
    notes: object,
    now: datetime,
) -> PairCompletion:
    """The mentee's manager completes an active mentorship (from the end-of-term DM):
    `completed` today, their notes as `completion_notes`, the slot freed, audited. The
    feedback and ratings stay the pair's to give: both are asked."""
    assignment, actor = _for_pair_completion(db, actor_id, assignment_id, lock=True)
    errors: dict[str, str] = {}
    text = inputs.required_text(notes, "notes", errors, what="how it ended", limit=1000)
    if errors:
        raise InvalidInput(errors)
    assignment.status = "completed"
    # The program's day, as every end of a mentorship (completion._ends_early).
    assignment.actual_end_date = program.todays_date(db, now)
    feedback_texts.write(
        db,
        assignment_id=assignment.id,
        kind="completion_notes",
        text=f"Completed by {actor.name} (the mentee's manager): {text}",
        author_id=actor.id,
    )
    capacity.free_slot(db, assignment.mentor_id)
    audit.record(
        db,
        actor_id=actor.id,
        action="mentorship.completed",
        entity_type="mentorship_assignment",
        entity_id=assignment.id,
        now=now,
        by="manager",
        status="completed",
    )
    db.flush()
    mentee = access.load_user(db, assignment.mentee_user_id)
    mentor = access.load_user(db, access.mentor_user_id(db, assignment))
    return PairCompletion(
        assignment.id,
        about(db, assignment, actor.id),
        actor.name,
        [mentor.slack_user_id, mentee.slack_user_id],
        [mentor.id, mentee.id],
    )


def _for_pair_completion(
    db: Session, actor_id: uuid.UUID, assignment_id: uuid.UUID | str, *, lock: bool = False
) -> tuple[Assignment, User]:
    assignment = access.load_assignment(db, assignment_id)
    if lock:
        db.refresh(assignment, with_for_update=True)  # a side completing at the same time
    actor = access.load_user(db, actor_id)
    access.require(db, actor, access.COMPLETE_FOR_PAIR, assignment)
    if assignment.status != "active":
        raise Conflict(
            f"This mentorship is {assignment.status}; only an active one can be completed."
        )
    return assignment, actor


@dataclass(frozen=True)
class ClosedTerm:
    """A mentorship closed without feedback (or found closed already)."""

    assignment_id: uuid.UUID
    #: True when this call closed it.
    closed_now: bool
    #: Whether the recipient asked about has yet to give their feedback.
    owes_feedback: bool
    expected_end_date: date | None
    other_name: str


def close_without_feedback(
    db: Session, *, assignment_id: uuid.UUID, side: str, now: datetime, after_days: int
) -> ClosedTerm:
    """An active mentorship nobody completed `after_days` after its expected end is
    completed by itself: `actual_end_date` the expected end, `completion_notes` saying
    it closed without feedback, the mentor's slot freed, audited; once, however many
    sweeps ask (the row is locked and its status checked). Says whether `side` still
    owes feedback, so the survey is offered to whoever has not answered."""
    assignment = access.load_assignment(db, assignment_id)
    db.refresh(assignment, with_for_update=True)
    end = assignment.expected_end_date
    closed_now = False
    today = program.todays_date(db, now)
    overdue = end is not None and today > end + timedelta(days=after_days)
    if assignment.status == "active" and end is not None and overdue:
        assignment.status = "completed"
        assignment.actual_end_date = end
        feedback_texts.write(
            db,
            assignment_id=assignment.id,
            kind="completion_notes",
            text=f"{AUTO_CLOSED_NOTE} on {today.isoformat()}, {after_days} days after "
            f"the expected end ({end.isoformat()}), without feedback.",
            author_id=None,
        )
        capacity.free_slot(db, assignment.mentor_id)
        audit.record(
            db,
            actor_id=None,
            action="mentorship.completed",
            entity_type="mentorship_assignment",
            entity_id=assignment.id,
            now=now,
            automatic=True,
            status="completed",
        )
        db.flush()
        closed_now = True
    given = assignment.mentee_rating if side == "mentee" else assignment.mentor_rating
    other_id = (
        access.mentor_user_id(db, assignment) if side == "mentee" else assignment.mentee_user_id
    )
    return ClosedTerm(
        assignment.id,
        closed_now,
        assignment.status == "completed" and given is None,
        end,
        access.load_user(db, other_id).name,
    )


def goals_text(goals: list[dict[str, Any]]) -> str:
    """Goals as the modal's text, one per line, as `parse_goals` reads them back."""
    return "\n".join(
        str(g.get("goal") or "") + (f" by {g['target_date']}" if g.get("target_date") else "")
        for g in goals
        if g.get("goal")
    )


def _goal_keys(goals: list[dict[str, Any]]) -> list[tuple[Any, Any]]:
    return [(g.get("goal"), g.get("target_date")) for g in goals]


def _keep_achieved(
    parsed: list[dict[str, Any]], previous: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """A goal kept as it was keeps its `achieved` mark."""
    achieved = set(_goal_keys([g for g in previous if g.get("achieved")]))
    return [{**g, "achieved": (g["goal"], g["target_date"]) in achieved} for g in parsed]


def _new_end(raw: str | None, start: date, today: date, errors: dict[str, str]) -> date | None:
    try:
        end = inputs.iso_date(raw) if raw else None
    except ValueError:
        end = None
    if end is None:
        errors["expected_end"] = "Pick the new expected end date."
    elif end < today:
        errors["expected_end"] = f"The expected end can't be in the past (today is {_day(today)})."
    elif end <= start:
        errors["expected_end"] = f"The expected end must be after the start ({_day(start)})."
    elif end > start + timedelta(weeks=MAX_DURATION_WEEKS):
        errors["expected_end"] = f"A mentorship can run at most {MAX_DURATION_WEEKS} weeks."
    return end


def _check_changeable(assignment: Assignment) -> None:
    if assignment.status not in CHANGEABLE:
        raise Conflict(
            f"This mentorship is {assignment.status}: only a pending or active one can be changed."
        )


def about(db: Session, assignment: Assignment, actor_id: uuid.UUID) -> str:
    """Who the mentorship is with, as this person sees it: the other side's name, or
    for a third party (a manager, an admin) the mentee's and the mentor's."""
    mentee = access.load_user(db, assignment.mentee_user_id)
    mentor = access.load_user(db, access.mentor_user_id(db, assignment))
    if actor_id == mentee.id:
        return mentor.name
    if actor_id == mentor.id:
        return mentee.name
    return f"{mentee.name} (mentored by {mentor.name})"


def _day(value: date | None) -> str:
    return dates.day(value, missing="none")


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None
