"""Who is a mentor, and may they mentor (PRD FR-1.1)? The mentor row of a person, its
status and availability for matching, and the program's eligibility criteria. Opt-in and
profile edits are in `mentor_optin`, trainings and certification in `mentor_trainings`,
profiles in `mentor_profiles`, the App Home in `mentor_home`, opt-out and pause in
`time_off`.

A mentor row's `is_active` means "may be offered new mentees": it is False after
opt-out (`opted_out_at` set) and, when the program requires certification before
mentoring, until the mentor is certified (`opted_out_at` empty). Pauses are
separate (`paused_until`), so a pause ends by itself without anyone acting."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, bindparam, select
from sqlalchemy.orm import Session

from bot.services import program
from bot.services.errors import NotAllowed, NotFound
from bot.services.program import ProgramConfig
from models import Mentor, User

# Mentor statuses, as shown on profiles and App Home.
AVAILABLE = "available"
PAUSED = "paused"
OPTED_OUT = "opted_out"
AWAITING_CERTIFICATION = "awaiting_certification"


class NotEligible(NotAllowed):
    """The person does not meet the program's mentor criteria; `unmet` names each
    criterion with what would meet it."""

    def __init__(self, unmet: list[str]) -> None:
        self.unmet = unmet
        super().__init__(
            "You can't opt in as a mentor yet. The program asks for:\n"
            + "\n".join(f"• {line}" for line in unmet)
            + "\nIf something here is wrong, ask a program admin to update the roster."
        )


# -- availability for matching ----------------------------------------------------------------


# A pause `until D` (`/mentor pause`, bot/services/time_off.py) covers D itself and is over
# from the day after. Whether a mentor is offered, may be asked, and shows as paused is
# judged on the program's day (`program.program_today`), so it is one answer at any
# instant whoever looks and wherever they are: a lead in Los Angeles and an admin in
# Auckland see the same mentors. The reminder sweep asks the same rule on each
# recipient's own day, as it judges every date it sends (reminders/base.py).


def paused_on(paused_until: date | None, today: date) -> bool:
    """The one pause rule: a pause through `paused_until` still holds on `today`."""
    return paused_until is not None and today <= paused_until


def paused_clause(
    today: date | ColumnElement[date], paused_until: ColumnElement[date | None] | None = None
) -> ColumnElement[bool]:
    """`paused_on` as SQL, on `Mentor.paused_until` unless another column is given;
    `~paused_clause(...)` is "not paused" (a mentor never paused included)."""
    column = Mentor.paused_until if paused_until is None else paused_until
    return and_(column.is_not(None), column >= today)


def is_available(mentor: Mentor, today: date) -> bool:
    """May be offered new mentees on the program's `today`: opted in (and certified
    where required) and not paused. Free capacity is a separate question
    (`Mentor.remaining_capacity`)."""
    return mentor.is_active and not paused_on(mentor.paused_until, today)


def available_filter(today: date) -> ColumnElement[bool]:
    """`is_available` as a WHERE clause on `Mentor`, for matching queries."""
    return and_(
        Mentor.is_active.is_(True),
        Mentor.reverse_only.is_(False),
        ~paused_clause(today),
    )


def status_of(mentor: Mentor, today: date) -> str:
    """One of AVAILABLE, PAUSED, OPTED_OUT, AWAITING_CERTIFICATION, on the program's
    `today`."""
    if mentor.opted_out_at is not None:
        return OPTED_OUT
    if not mentor.is_active:
        return AWAITING_CERTIFICATION
    if paused_on(mentor.paused_until, today):
        return PAUSED
    return AVAILABLE


# -- eligibility (FR-1.1) ---------------------------------------------------------------------


def unmet_criteria(user: User, config: ProgramConfig, today: date) -> list[str]:
    """Each eligibility criterion this person does not meet, with what would meet it
    (empty when eligible). Certification is not here: an uncertified person may opt
    in and waits, inactive, until certified."""
    unmet: list[str] = []
    if config.min_tenure_days > 0:
        if user.hire_date is None:
            unmet.append(
                f"Tenure: at least {config.min_tenure_days} days since your hire date, "
                "but the roster has no hire date for you."
            )
        else:
            tenure = (today - user.hire_date).days
            if tenure < config.min_tenure_days:
                eligible_on = user.hire_date.toordinal() + config.min_tenure_days
                unmet.append(
                    f"Tenure: at least {config.min_tenure_days} days since your hire date; "
                    f"you have {max(tenure, 0)}, so you can opt in from "
                    f"{date.fromordinal(eligible_on).isoformat()}."
                )
    minimum = config.min_performance_rating
    if minimum is not None:
        rating = user.performance_rating
        if rating is None:
            unmet.append(
                f"Performance rating: {minimum:g} or more, but the roster has no rating for you."
            )
        elif rating < Decimal(str(minimum)):
            unmet.append(f"Performance rating: {minimum:g} or more; yours is {rating:g}.")
    return unmet


def check_eligible(db: Session, user: User, today: date) -> None:
    """NotEligible naming every unmet criterion, unless the person may mentor."""
    if user.is_bot:
        raise NotAllowed("Bots can't be mentors.")
    unmet = unmet_criteria(user, program.load(db), today)
    if unmet:
        raise NotEligible(unmet)


def is_eligible(db: Session, user: User, today: date) -> bool:
    """True when `check_eligible` would pass."""
    return not user.is_bot and not unmet_criteria(user, program.load(db), today)


def is_standard_mentor(mentor: Mentor | Row[Any] | None) -> bool:
    """Opted in as a mentor now: not opted out, and not a reverse-only teacher (who may
    become one through the opt-in, eligibility checked). `mentor` is the row, or a
    row of its columns with these two among them."""
    return mentor is not None and mentor.opted_out_at is None and not mentor.reverse_only


# -- lookups ----------------------------------------------------------------------------------


# Built once (see roster._BY_SLACK_ID): every opt-in form and mentor button asks.
_MENTOR_OF = select(Mentor).where(Mentor.user_id == bindparam("user_id"))


def mentor_of(db: Session, user_id: uuid.UUID) -> Mentor | None:
    """The mentor row of this user, or None."""
    return db.scalar(_MENTOR_OF, {"user_id": user_id})


def require_mentor(db: Session, user_id: uuid.UUID) -> Mentor:
    mentor = mentor_of(db, user_id)
    if mentor is None:
        raise NotFound("You aren't a mentor yet. `/mentor optin` to become one.")
    return mentor
