"""Ramp facts: what the ramp comparison needs of each template milestone, kept on
the milestone row itself.

The comparison groups every hire's milestones by hire quarter, by mentored or not,
and by days from hire. Worked out when the report runs, that is a pivot of every
milestone and a join of every hire: most of the report's time at 100,000 mentees.
So each row of `mentee_ramp_milestones` carries them:

- `ramp_cohort`: the hire's quarter (year * 10 + quarter), NULL without a hire date;
- `ramp_mentored`: the hire has had an active or completed (standard) mentorship;
- `ramp_days`: days from hire date to this milestone's achieved date, NULL until then;
- `ramp_counted`: this is the row counted for its hire and template (the first
  achieved), so a template milestone a hire has twice is counted once;
- `ramp_hire_row`: this row stands for its hire when hires are counted (one per hire
  with template milestones).

They are recounted from their sources for a whole hire at a time, never incremented,
in the transaction that changed a source. A flush hook finds the hires whose
milestones, hire date or mentorship statuses a flush changed, so an ORM write path
cannot forget them; a write that bypasses the ORM (a bulk UPDATE, a COPY) calls
`refresh` itself."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable
from itertools import chain
from typing import Any

import sqlalchemy as sa
from sqlalchemy import and_, event, select
from sqlalchemy.orm import Session

from models.assignments import MENTORED_STATUSES, Assignment
from models.milestones import RampMilestone
from models.sql_dates import days_between, hire_quarter
from models.users import User

_milestones = RampMilestone.__table__
FACTS = ("ramp_cohort", "ramp_mentored", "ramp_days", "ramp_counted", "ramp_hire_row")


def facts(hires: Collection[uuid.UUID] | sa.Select[Any] | None = None) -> sa.Subquery:
    """The ramp facts of these hires' milestone rows (None: every row) as their
    sources give them, one row per milestone `id`: what `refresh` writes and
    `stale_rows` checks. Set-based (joins and window functions), so recounting a
    whole program is a few passes, not a lookup per row."""
    m = _milestones.c
    # A reverse mentorship's learner is a veteran being taught a topic, not a mentored hire.
    mentees = select(Assignment.mentee_user_id.label("user_id")).where(
        Assignment.status.in_(MENTORED_STATUSES), Assignment.kind == "standard"
    )
    if hires is not None:
        mentees = mentees.where(Assignment.mentee_user_id.in_(hires))
    mentored = mentees.distinct().subquery("mentored")
    template_row = and_(m.template_key.is_not(None), m.mentee_user_id.is_not(None))
    # The row counted for a hire and template is its first achieved; the row that
    # stands for the hire is their first template row.
    place_in_template = sa.func.row_number().over(
        partition_by=(m.mentee_user_id, m.template_key),
        order_by=(m.achieved_date.is_(None), m.achieved_date, m.id),
    )
    place_in_hire = sa.func.row_number().over(
        partition_by=m.mentee_user_id, order_by=(m.template_key.is_(None), m.id)
    )
    query = (
        select(
            m.id,
            hire_quarter(User.hire_date).label("ramp_cohort"),
            mentored.c.user_id.is_not(None).label("ramp_mentored"),
            days_between(m.achieved_date, User.hire_date).label("ramp_days"),
            and_(template_row, place_in_template == 1).label("ramp_counted"),
            and_(template_row, place_in_hire == 1).label("ramp_hire_row"),
        )
        .select_from(_milestones)
        .outerjoin(User, User.id == m.mentee_user_id)
        .outerjoin(mentored, mentored.c.user_id == m.mentee_user_id)
    )
    if hires is not None:
        query = query.where(m.mentee_user_id.in_(hires))
    return query.subquery("facts")


def refresh(db: Session, hires: Collection[uuid.UUID] | sa.Select[Any] | None = None) -> None:
    """Recount the ramp facts of these hires' milestones (ids, or a select of ids;
    None: every milestone), in the caller's transaction."""
    if isinstance(hires, Collection) and not hires:
        return
    counted = facts(hires)
    statement = (
        sa.update(_milestones)
        .values({name: counted.c[name] for name in FACTS})
        .where(_milestones.c.id == counted.c.id)
    )
    # Core, on the session's connection: it runs inside flushes too, and nothing in
    # the session reads these columns from the objects it holds.
    db.connection().execute(statement)


def stale_rows(db: Session) -> int:
    """How many milestone rows carry facts that differ from their sources (0 unless a
    write path forgot to recount)."""
    counted = facts()
    m = _milestones.c
    differs = [~m[name].is_not_distinct_from(counted.c[name]) for name in FACTS]
    query = (
        select(sa.func.count())
        .select_from(_milestones.join(counted, counted.c.id == m.id))
        .where(sa.or_(*differs))
    )
    return db.connection().scalar(query) or 0


def _changed(instance: Any, *names: str) -> bool:
    state = sa.inspect(instance)
    return any(state.attrs[name].history.has_changes() for name in names)


def _values(instance: Any, name: str) -> Iterable[Any]:
    """Every value the attribute had in this flush: the new one and any it replaced."""
    return sa.inspect(instance).attrs[name].history.sum()


def _changed_hires(session: Session) -> set[uuid.UUID]:
    hires: set[Any] = set()
    for instance in chain(session.new, session.dirty, session.deleted):
        new_or_gone = instance in session.new or instance in session.deleted
        if isinstance(instance, RampMilestone):
            if new_or_gone or _changed(instance, "mentee_user_id", "template_key", "achieved_date"):
                hires.update(_values(instance, "mentee_user_id"))
        elif isinstance(instance, Assignment):
            if new_or_gone or _changed(instance, "status", "mentee_user_id", "kind"):
                hires.update(_values(instance, "mentee_user_id"))
        elif isinstance(instance, User) and _changed(instance, "hire_date"):
            hires.add(instance.id)
    hires.discard(None)
    return hires


@event.listens_for(Session, "after_flush")
def _recount_changed_hires(session: Session, _flush_context: Any) -> None:
    # after_flush: the rows are written and foreign keys filled in, while the flush's
    # new, dirty and deleted objects and their attribute history are still at hand.
    refresh(session, _changed_hires(session))
