"""Asking a mentor (PRD FR-2.2, FR-2.5): suggestions, the request form and the request.

A manager (or anyone above the mentee, or an admin) asks a mentor: that creates a
`pending` assignment, which holds one of the mentor's slots until it is answered,
so a mentor is never asked beyond capacity. The answer (accept, decline) is in
bot/services/answers.py; it leaves `pending` through `leave_pending` here, one
conditional UPDATE, so a repeated click or a Slack retry changes nothing."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.blocks import dates
from bot.services import (
    access,
    audit,
    inputs,
    interaction_state,
    matching,
    program,
    reverse,
    roster,
    timezones,
)
from bot.services.errors import (
    CapacityFull,
    Conflict,
    InvalidInput,
    NotFound,
)
from bot.services.program import ProgramConfig
from models import (
    CADENCES,
    KIND_LABELS,
    KINDS,
    MENTORED_STATUSES,
    OPEN_STATUSES,
    Assignment,
    Mentor,
    User,
    ramp_facts,
)

CADENCE_LABELS = {"weekly": "Weekly", "biweekly": "Biweekly", "monthly": "Monthly"}
MAX_GOALS = 10
GOAL_LIMIT = 300
#: How far ahead a mentorship may start, and how long it may run.
MAX_START_AHEAD_DAYS = 365
MAX_DURATION_WEEKS = 104
_GOAL_WITH_DATE = re.compile(r"^(?P<goal>.*?)\s+by\s+(?P<date>\d{4}-\d{1,2}-\d{1,2})\s*$", re.I)


@dataclass(frozen=True)
class PersonRef:
    user_id: uuid.UUID
    slack_user_id: str
    name: str
    timezone: str | None = None

    @classmethod
    def of(cls, user: User) -> PersonRef:
        return cls(user.id, user.slack_user_id, user.name, user.timezone)


@dataclass(frozen=True)
class AssignmentView:
    """An assignment as the people involved see it (no private text beyond goals)."""

    id: uuid.UUID
    status: str
    mentor_id: uuid.UUID
    mentor: PersonRef
    mentee: PersonRef
    asked_by: PersonRef | None  # who made the request (None: the command line)
    manager: PersonRef | None  # the mentee's manager
    start_date: date
    expected_end_date: date | None
    cadence: str
    goals: list[dict[str, Any]]
    expectations: str | None
    why: list[str]
    score: float | None
    decline_reason: str | None
    cancel_reason: str | None
    kind: str = "standard"

    @property
    def kind_label(self) -> str:
        """ "Mentorship" or "Reverse mentorship": how the pairing is named wherever shown."""
        return KIND_LABELS[self.kind]

    @property
    def to_tell(self) -> list[PersonRef]:
        """Who hears how the request went: the mentee's manager, and whoever asked."""
        told: list[PersonRef] = []
        for person in (self.manager, self.asked_by):
            if person is not None and person.user_id not in {p.user_id for p in told}:
                told.append(person)
        return told

    @property
    def cadence_label(self) -> str:
        return CADENCE_LABELS.get(self.cadence, self.cadence)


@dataclass(frozen=True)
class AssignForm:
    """What the assign modal starts from."""

    mentor_id: uuid.UUID
    mentor: PersonRef
    mentee: PersonRef
    start_date: date
    expected_end_date: date
    cadence: str
    expectations: str
    why: list[str]
    score: float | None
    focus: list[str]
    focus_key: str | None = None  # where the focus is kept, for the modal to carry
    kind: str = "standard"


@dataclass(frozen=True)
class Requested:
    """A new request, and older unanswered requests for the same mentee it replaced."""

    assignment: AssignmentView
    withdrawn: list[AssignmentView] = field(default_factory=list)


class AlreadyAnswered(Conflict):
    """The request is no longer waiting for an answer; `assignment` is how it stands."""

    def __init__(self, message: str, assignment: AssignmentView) -> None:
        super().__init__(message)
        self.assignment = assignment


# -- asking a mentor ---------------------------------------------------------------------------


def suggestions_for(
    db: Session,
    *,
    actor_id: uuid.UUID,
    mentee_slack_id: str,
    now: datetime,
    focus: Sequence[str] = (),
    limit: int = 5,
) -> matching.Ranking:
    """`/mentor match @user`: the best mentors for this person, for their manager (or
    anyone above them) or a program admin."""
    mentee = find_person(db, mentee_slack_id)
    ranking = suggestions_for_user(
        db, actor_id=actor_id, mentee_id=mentee.id, now=now, focus=focus, limit=limit
    )
    if not ranking.focus:
        return ranking
    # The Assign buttons carry a key: a long focus would outgrow a button's value.
    return replace(
        ranking,
        focus_key=interaction_state.keep(db, {"focus": ranking.focus}, now=now, actor_id=actor_id),
    )


def suggestions_for_user(
    db: Session,
    *,
    actor_id: uuid.UUID | None,
    mentee_id: uuid.UUID,
    now: datetime,
    focus: Sequence[str] = (),
    limit: int = 5,
) -> matching.Ranking:
    """The best mentors for this roster person, for their manager (or anyone above
    them) or a program admin; `actor_id` None is a trusted system (an API service token
    allowed to read mentors)."""
    mentee = access.load_user(db, mentee_id)
    if actor_id is not None:
        access.require_manager_or_admin(db, access.load_user(db, actor_id), mentee)
    return matching.rank(db, mentee_id=mentee.id, now=now, limit=limit, focus=focus)


def prepare(
    db: Session,
    *,
    actor_id: uuid.UUID,
    mentor_id: uuid.UUID,
    mentee_id: uuid.UUID,
    now: datetime,
    focus: Sequence[str] = (),
    focus_key: str | None = None,
    kind: str = "standard",
) -> AssignForm:
    """Check the actor may ask this mentor for this mentee, and return the modal's
    defaults: start today (the actor's day), end after the program's default
    duration, the default cadence, the expectations text and why they match.
    The focus comes as skills or as the key `suggestions_for` kept them under."""
    focus = list(focus) or interaction_state.focus_of(db, focus_key)
    actor = access.load_user(db, actor_id)
    mentee = access.load_user(db, mentee_id)
    mentor = db.get(Mentor, mentor_id)
    if mentor is None:
        raise NotFound("That mentor is no longer in the program. Run `/mentor match` again.")
    config = program.load(db)
    _check_request(db, actor, mentor, mentee, now, kind)
    start = timezones.local_today(now, actor.timezone)
    match = matching.explain(db, mentee_id=mentee.id, mentor_id=mentor.id, now=now, focus=focus)
    return AssignForm(
        mentor_id=mentor.id,
        mentor=PersonRef.of(mentor.user),
        mentee=PersonRef.of(mentee),
        start_date=start,
        expected_end_date=start + timedelta(weeks=config.default_duration_weeks),
        cadence=config.default_cadence,
        expectations=config.expectations,
        why=match.factors if match else [],
        score=match.score if match else None,
        focus=list(focus),
        focus_key=focus_key,
        kind=_kind(kind),
    )


def prepare_for(
    db: Session,
    *,
    actor_id: uuid.UUID,
    mentor_slack_id: str,
    mentee_slack_id: str,
    now: datetime,
    kind: str = "standard",
) -> AssignForm:
    """`prepare` for `/mentor assign @mentor @mentee [reverse]`, naming whoever can't be
    found. For a reverse mentorship the teacher needs no mentor profile beforehand."""
    mentor_user = find_person(db, mentor_slack_id)
    mentee = find_person(db, mentee_slack_id)
    if kind == "reverse":
        return prepare_reverse(
            db, actor_id=actor_id, teacher_id=mentor_user.id, learner_id=mentee.id, now=now
        )
    mentor = db.scalar(sa.select(Mentor).where(Mentor.user_id == mentor_user.id))
    if mentor is None:
        raise NotFound(
            f"{mentor_user.name} is not a mentor yet: they can opt in with `/mentor optin`."
        )
    return prepare(
        db, actor_id=actor_id, mentor_id=mentor.id, mentee_id=mentee.id, now=now, kind=kind
    )


def prepare_reverse(
    db: Session,
    *,
    actor_id: uuid.UUID,
    teacher_id: uuid.UUID,
    learner_id: uuid.UUID,
    now: datetime,
    topic: str | None = None,
) -> AssignForm:
    """`prepare` for a reverse mentorship, by person: `/mentor assign ... reverse` and
    the reverse match's "Assign (reverse)" button. The teacher needs no mentor profile
    beforehand; `topic` (a program skill) becomes the mentorship's focus."""
    teacher = access.load_user(db, teacher_id)
    learner = access.load_user(db, learner_id)
    reverse.check_sides(teacher, learner)
    # A refusal further on rolls the new profile back with the transaction.
    mentor = reverse.teacher_profile(db, teacher, now=now, actor_id=actor_id)
    return prepare(
        db,
        actor_id=actor_id,
        mentor_id=mentor.id,
        mentee_id=learner.id,
        now=now,
        focus=[topic] if topic else (),
        kind="reverse",
    )


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise InvalidInput({"kind": "A mentorship is standard or reverse."})
    return kind


def request(
    db: Session,
    *,
    actor_id: uuid.UUID | None,
    mentor_id: uuid.UUID,
    mentee_id: uuid.UUID,
    now: datetime,
    start_date: str | None,
    expected_end: str | None,
    cadence: str | None,
    goals: str | None,
    confirmed: bool,
    focus: Sequence[str] = (),
    focus_key: str | None = None,
    kind: str = "standard",
) -> Requested:
    """Create the `pending` assignment the assign modal describes (FR-2.2, 2.4, 2.5);
    the focus comes as skills or as the key they are kept under. `kind` "reverse"
    records a reverse mentorship (a newer hire teaches a veteran).

    InvalidInput names each bad field (start_date, expected_end, cadence, goals,
    confirm); NotAllowed, Conflict or CapacityFull say why this mentor can't be asked.
    Nothing is written then. `actor_id` None is a trusted system (the onboarding
    system's API service token): every rule but who may ask still holds."""
    actor = access.load_user(db, actor_id) if actor_id is not None else None
    today = timezones.local_today(now, actor.timezone if actor else None)
    errors: dict[str, str] = {}
    start, end = today, today
    try:
        start, end = _parse_period(start_date, expected_end, today)
    except InvalidInput as exc:
        errors.update(exc.errors)
    if cadence not in CADENCES:
        errors["cadence"] = "Choose how often they meet: Weekly, Biweekly or Monthly."
    parsed_goals: list[dict[str, Any]] = []
    try:
        parsed_goals = parse_goals(goals or "", start)
    except InvalidInput as exc:
        errors.update(exc.errors)
    if not confirmed:
        errors["confirm"] = "Tick “I confirm the expectations” to send the request."
    if errors:
        raise InvalidInput(errors)
    config = program.load(db)
    focus = list(focus) or interaction_state.focus_of(db, focus_key)
    return create_request(
        db,
        actor=actor,
        mentor_id=mentor_id,
        mentee_id=mentee_id,
        start=start,
        end=end,
        cadence=str(cadence),
        goals=parsed_goals,
        focus=focus,
        config=config,
        now=now,
        kind=_kind(kind),
    )


def create_request(
    db: Session,
    *,
    actor: User | None,
    mentor_id: uuid.UUID,
    mentee_id: uuid.UUID,
    start: date,
    end: date,
    cadence: str,
    goals: list[dict[str, Any]],
    focus: Sequence[str],
    config: ProgramConfig,
    now: datetime,
    kind: str = "standard",
) -> Requested:
    """A pending request from `actor` to the mentor for the mentee, on terms already
    checked, holding one of the mentor's slots (CapacityFull when none is free), with
    the mentee's milestones and the request's audit row; `request` and an approved
    cohort both come through here."""
    mentee = access.load_user(db, mentee_id)
    # Serialise everyone asking this mentor: the UPDATE holds the mentor's row lock
    # until commit, so the capacity check below sees every other committed request.
    locked = db.execute(
        sa.update(Mentor)
        .where(Mentor.id == mentor_id)
        .values(updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if locked.rowcount != 1:  # type: ignore[attr-defined]
        raise NotFound("That mentor is no longer in the program. Run `/mentor match` again.")
    mentor = db.get(Mentor, mentor_id, populate_existing=True)
    assert mentor is not None
    _check_request(db, actor, mentor, mentee, now, kind)
    match = matching.explain(db, mentee_id=mentee.id, mentor_id=mentor.id, now=now, focus=focus)
    withdrawn = _withdraw_unanswered(db, mentee_id=mentee.id, config=config, now=now, actor=actor)
    factors = match.as_json() if match else {}
    factors["focus"] = list(focus)
    assignment = Assignment(
        mentor_id=mentor.id,
        mentee_user_id=mentee.id,
        assigned_by_user_id=actor.id if actor else None,
        start_date=start,
        expected_end_date=end,
        check_in_cadence=cadence,
        kind=kind,
        goals=goals,
        focus_skills=match.details.needs if match else list(focus),
        expectations=config.expectations,
        expectations_confirmed_at=now,
        match_factors=factors,
        status="pending",
        created_at=now,
        updated_at=now,
    )
    db.add(assignment)
    db.flush()
    audit.record(
        db,
        actor_id=actor.id if actor else None,
        action="assignment.requested",
        entity_type="assignment",
        entity_id=assignment.id,
        now=now,
        mentor_id=mentor.id,
        mentee_id=mentee.id,
        cadence=cadence,
        kind=kind,
        goals=len(goals),
        score=match.score if match else None,
    )
    return Requested(view_of(assignment), withdrawn)


def _check_request(
    db: Session, actor: User | None, mentor: Mentor, mentee: User, now: datetime, kind: str
) -> None:
    """Who may ask (None: the command line), and whether this mentor can be asked
    for this mentee now, for a mentorship of this kind."""
    if actor is not None:
        access.require_manager_or_admin(db, actor, mentee)
    reverse.refuse_standard(mentor, kind)
    name = mentor.user.name
    if mentor.user_id == mentee.id:
        raise Conflict("Nobody can mentor themselves: pick another mentor.")
    if mentee.is_bot or mentee.deactivated_at is not None:
        raise Conflict(f"{mentee.name} is not an active person in the workspace.")
    if not mentor.is_active or mentor.opted_out_at is not None:
        raise Conflict(
            f"{name} is not mentoring right now (inactive or opted out). "
            f"Pick another mentor: `/mentor match @{mentee.name}` lists who is available."
        )
    if mentor.paused_until is not None and mentor.paused_until >= now.date():
        raise Conflict(
            f"{name} has paused mentoring until {dates.day(mentor.paused_until)}. "
            "Pick another mentor, or ask again after that date."
        )
    same_pair = db.scalar(
        sa.select(Assignment.status).where(
            Assignment.mentor_id == mentor.id,
            Assignment.mentee_user_id == mentee.id,
            Assignment.status.in_(OPEN_STATUSES),
        )
    )
    if same_pair == "active":
        raise Conflict(f"{name} is already mentoring {mentee.name}.")
    if same_pair == "pending":
        raise Conflict(
            f"{name} already has a request to mentor {mentee.name}, waiting for an answer."
        )
    waiting = _pending_count(db, mentor.id)
    if mentor.current_mentee_count + waiting >= mentor.max_mentees:
        raise CapacityFull(
            f"{name} has no free slot: {mentor.current_mentee_count} mentee(s) and {waiting} "
            f"request(s) waiting for an answer fill all {mentor.max_mentees}. "
            "Pick another mentor from `/mentor match`."
        )


def _pending_count(db: Session, mentor_id: uuid.UUID) -> int:
    return (
        db.scalar(
            sa.select(sa.func.count())
            .select_from(Assignment)
            .where(Assignment.mentor_id == mentor_id, Assignment.status == "pending")
        )
        or 0
    )


def _withdraw_unanswered(
    db: Session, *, mentee_id: uuid.UUID, config: ProgramConfig, now: datetime, actor: User | None
) -> list[AssignmentView]:
    """Asking a new mentor withdraws this mentee's requests that went unanswered past
    the fallback time (the manager was offered someone else), so a late accept can't
    give the mentee two mentors. Younger requests stay: both mentors were asked on purpose."""
    cutoff = now - timedelta(hours=config.request_fallback_hours)
    stale = list(
        db.scalars(
            sa.select(Assignment).where(
                Assignment.mentee_user_id == mentee_id,
                Assignment.status == "pending",
                Assignment.created_at <= cutoff,
            )
        )
    )
    withdrawn: list[AssignmentView] = []
    for assignment in stale:
        if leave_pending(
            db,
            assignment.id,
            status="cancelled",
            cancelled_at=now,
            cancel_reason=(
                f"No answer within {config.request_fallback_hours} hours; another mentor was asked."
            ),
            now=now,
        ):
            db.refresh(assignment)
            audit.record(
                db,
                actor_id=actor.id if actor else None,
                action="assignment.withdrawn",
                entity_type="assignment",
                entity_id=assignment.id,
                now=now,
                status="cancelled",
            )
            withdrawn.append(view_of(assignment))
    return withdrawn


def leave_pending(db: Session, assignment_id: uuid.UUID, *, now: datetime, **values: Any) -> bool:
    """Move a request out of `pending` (answered or withdrawn) with one conditional
    UPDATE: of two clicks, retries or sweeps doing it at once, exactly one gets True."""
    changed = db.execute(
        sa.update(Assignment)
        .where(Assignment.id == assignment_id, Assignment.status == "pending")
        .values(updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        return False
    if values.get("status") in MENTORED_STATUSES:
        # The ORM's flush hook doesn't see a bulk UPDATE: the mentee is mentored now.
        ramp_facts.refresh(
            db, sa.select(Assignment.mentee_user_id).where(Assignment.id == assignment_id)
        )
    return True


def view(db: Session, assignment_id: uuid.UUID) -> AssignmentView:
    """The assignment as the people involved see it."""
    assignment = db.get(Assignment, assignment_id)
    if assignment is None:
        raise NotFound("I can't find that mentorship any more.")
    return view_of(assignment)


# -- helpers -----------------------------------------------------------------------------------


def find_person(db: Session, slack_user_id: str) -> User:
    """The roster person behind a mention; NotFound or Conflict saying what's wrong."""
    user = roster.by_slack_id(db, slack_user_id)
    if user is None:
        raise NotFound(
            f"I can't find <@{slack_user_id}> in the roster. An admin can add them with "
            "`mentorbot users import roster.csv`."
        )
    if user.is_bot:
        raise Conflict(f"<@{slack_user_id}> is a bot, not a person: mention a person instead.")
    if user.deactivated_at is not None:
        raise Conflict(f"{user.name} is no longer active in the workspace.")
    return user


def parse_goals(text: str, start: date) -> list[dict[str, Any]]:
    """Goals typed one per line, each optionally ending in " by YYYY-MM-DD", as the PRD's
    `[{goal, target_date, achieved}]`. InvalidInput on `goals` names the bad line."""
    goals: list[dict[str, Any]] = []
    problems: list[str] = []
    lines = [line.strip().lstrip("-•*").strip() for line in text.splitlines()]
    numbered = [(n, line) for n, line in enumerate(lines, 1) if line]
    for n, line in numbered:
        target: date | None = None
        found = _GOAL_WITH_DATE.match(line)
        if found:
            try:
                target = inputs.iso_date(_zero_pad(found["date"]))
            except inputs.OutOfRange as exc:
                problems.append(f"line {n}: {exc}")
                continue
            except ValueError:
                problems.append(f"line {n}: '{found['date']}' is not a date like 2026-12-31")
                continue
            line = found["goal"].strip()
            if target < start:
                problems.append(f"line {n}: the target date {target} is before the start {start}")
                continue
        if len(line) > GOAL_LIMIT:
            problems.append(f"line {n}: keep a goal under {GOAL_LIMIT} characters")
            continue
        goals.append(
            {"goal": line, "target_date": target.isoformat() if target else None, "achieved": False}
        )
    if len(numbered) > MAX_GOALS:
        problems.append(f"at most {MAX_GOALS} goals ({len(numbered)} given)")
    if problems:
        raise InvalidInput(
            {
                "goals": "Goals: " + "; ".join(problems) + ". Write one goal per line, e.g. "
                "“Run a QBR solo by 2026-12-15”."
            }
        )
    return goals


def _zero_pad(raw: str) -> str:
    year, month, day = raw.split("-")
    return f"{year}-{int(month):02d}-{int(day):02d}"


def _parse_period(start_raw: str | None, end_raw: str | None, today: date) -> tuple[date, date]:
    errors: dict[str, str] = {}
    start = _parse_date(start_raw)
    end = _parse_date(end_raw)
    if start is None:
        errors["start_date"] = "Pick the start date (e.g. today)."
    elif start > today + timedelta(days=MAX_START_AHEAD_DAYS):
        errors["start_date"] = "Pick a start date within the next year."
    if end is None:
        errors["expected_end"] = "Pick the expected end date (e.g. 12 weeks after the start)."
    elif start is not None and end <= start:
        errors["expected_end"] = f"The expected end must be after the start ({start})."
    elif start is not None and end > start + timedelta(weeks=MAX_DURATION_WEEKS):
        errors["expected_end"] = f"A mentorship can run at most {MAX_DURATION_WEEKS} weeks."
    if errors:
        raise InvalidInput(errors)
    assert start is not None and end is not None
    return start, end


def _parse_date(raw: str | None) -> date | None:
    try:
        return inputs.iso_date(raw) if raw else None
    except ValueError:
        return None


def view_of(assignment: Assignment) -> AssignmentView:
    """The loaded assignment as the people involved see it."""
    mentee = assignment.mentee
    asked_by = assignment.assigned_by
    factors = assignment.match_factors or {}
    return AssignmentView(
        id=assignment.id,
        status=assignment.status,
        mentor_id=assignment.mentor_id,
        mentor=PersonRef.of(assignment.mentor.user),
        mentee=PersonRef.of(mentee),
        asked_by=PersonRef.of(asked_by) if asked_by else None,
        manager=PersonRef.of(mentee.manager) if mentee.manager else None,
        start_date=assignment.start_date,
        expected_end_date=assignment.expected_end_date,
        cadence=assignment.check_in_cadence,
        goals=list(assignment.goals or []),
        expectations=assignment.expectations,
        why=list(factors.get("factors") or []),
        score=factors.get("score"),
        decline_reason=assignment.decline_reason,
        cancel_reason=assignment.cancel_reason,
        kind=assignment.kind,
    )
