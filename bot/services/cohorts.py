"""Cohort matching (PRD FR-2.1's batch): every new hire without a mentor matched at once
so the program's total score is the highest possible under every mentor's capacity,
kept as a proposal an admin approves with one click (a request per pair)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.services import access, assignments, audit, cohort_solver, coverage, program
from bot.services.assignments import Requested
from bot.services.errors import Conflict, DomainError, InvalidInput, NotFound
from bot.services.program import new_hire_since, program_today
from bot.services.timezones import local_today
from models import MatchProposal, User


@dataclass(frozen=True)
class CohortProposalView:
    id: uuid.UUID
    status: str
    hires: int
    pairs: list[cohort_solver.CohortPair]
    unmatched: list[str]
    total: float
    greedy_total: float
    greedy_matched: int
    expectations: str


@dataclass(frozen=True)
class CohortApproval:
    created: list[Requested]
    skipped: list[str]


def propose(
    db: Session, *, actor_id: uuid.UUID | None, now: datetime, since: date | None = None
) -> CohortProposalView:
    """Match every new hire without a mentor (hired since `since`, default the program's
    new-hire window) so the total score is the highest possible under every mentor's
    capacity, and keep it as a proposal for an admin to approve. `actor_id` None is the
    command line, run by whoever operates the database."""
    if actor_id is not None:
        access.require_admin(access.load_user(db, actor_id))
    config = program.load(db)
    today = program_today(now, config)
    since = since or new_hire_since(now, config)
    if since > today:
        raise InvalidInput({"since": f"The date {since} is in the future: give a past hire date."})
    hires = coverage.new_hires_without_mentor(db, today=today, hired_since=since)
    plan = cohort_solver.solve_cohort(db, mentee_ids=[h.user_id for h in hires], now=now)
    proposal = MatchProposal(
        created_by_user_id=actor_id,
        pairs=[
            {
                "mentee_user_id": str(p.mentee_id),
                "mentor_id": str(p.match.mentor_id),
                "score": p.match.score,
                "factors": p.match.factors,
            }
            for p in plan.pairs
        ],
        total_score=plan.total,
        greedy_score=plan.greedy_total,
        status="proposed",
        created_at=now,
    )
    db.add(proposal)
    db.flush()
    audit.record(
        db,
        actor_id=actor_id,
        action="cohort.proposed",
        entity_type="match_proposal",
        entity_id=proposal.id,
        now=now,
        hires=len(hires),
        pairs=len(plan.pairs),
        total=plan.total,
        greedy=plan.greedy_total,
    )
    return CohortProposalView(
        id=proposal.id,
        status=proposal.status,
        hires=len(hires),
        pairs=plan.pairs,
        unmatched=[name for _, name in plan.unmatched],
        total=plan.total,
        greedy_total=plan.greedy_total,
        greedy_matched=plan.greedy_matched,
        expectations=config.expectations,
    )


def approve(
    db: Session, *, proposal_id: uuid.UUID, actor_id: uuid.UUID, now: datetime
) -> CohortApproval:
    """Approve a proposal with one click: a pending request per pair, with the program's
    default duration and cadence; approving confirms the program's expectations. A pair
    that can't be asked any more (the hire got a mentor, the mentor filled up) is skipped
    with the reason. Conflict if the proposal was already approved."""
    actor = access.load_user(db, actor_id)
    access.require_admin(actor)
    changed = db.execute(
        sa.update(MatchProposal)
        .where(MatchProposal.id == proposal_id, MatchProposal.status == "proposed")
        .values(status="approved", approved_at=now)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        if db.get(MatchProposal, proposal_id) is None:
            raise NotFound("I can't find that proposal. Run `/mentor match-cohort` again.")
        raise Conflict("This proposal was already approved: its requests went out then.")
    proposal = db.get(MatchProposal, proposal_id, populate_existing=True)
    assert proposal is not None
    config = program.load(db)
    start = local_today(now, actor.timezone)
    created: list[Requested] = []
    skipped: list[str] = []
    for pair in proposal.pairs:
        mentee_id = uuid.UUID(pair["mentee_user_id"])
        try:
            with db.begin_nested():
                if coverage.is_covered(db, mentee_id):
                    raise Conflict("has a mentor or a request waiting by now")
                created.append(
                    assignments.create_request(
                        db,
                        actor=actor,
                        mentor_id=uuid.UUID(pair["mentor_id"]),
                        mentee_id=mentee_id,
                        start=start,
                        end=start + timedelta(weeks=config.default_duration_weeks),
                        cadence=config.default_cadence,
                        goals=[],
                        focus=(),
                        config=config,
                        now=now,
                    )
                )
        except DomainError as exc:
            mentee = db.get(User, mentee_id)
            skipped.append(f"{mentee.name if mentee else 'someone'}: {exc}")
    audit.record(
        db,
        actor_id=actor_id,
        action="cohort.approved",
        entity_type="match_proposal",
        entity_id=proposal_id,
        now=now,
        created=len(created),
        skipped=len(skipped),
    )
    return CohortApproval(created, skipped)
