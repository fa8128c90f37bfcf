"""Which required trainings has a mentor done, and are they certified (PRD FR-1.4)?
Marking a training done, an admin's direct certification, and the certification
that follows once every required training is done."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.services import access, audit, program
from bot.services.errors import NotFound
from bot.services.mentors import require_mentor
from bot.services.program import ProgramConfig, Training
from models import Mentor, MentorTraining


@dataclass(frozen=True)
class TrainingStatus:
    training: Training
    done_at: datetime | None
    #: True when an LMS export recorded it (`mentorbot trainings import`).
    system_tracked: bool = False


@dataclass(frozen=True)
class TrainingsView:
    mentor_id: uuid.UUID
    trainings: list[TrainingStatus]
    is_certified: bool
    certified_at: datetime | None


@dataclass(frozen=True)
class CertificationResult:
    """What changed; `newly_certified` tells the listener to congratulate the mentor."""

    mentor_id: uuid.UUID
    mentor_slack_user_id: str
    mentor_name: str
    newly_certified: bool
    #: True when the mentor had been waiting for certification to be matched.
    activated: bool
    view: TrainingsView


def trainings(db: Session, *, user_id: uuid.UUID) -> TrainingsView:
    """The program's required trainings and which of them this mentor has done."""
    mentor = require_mentor(db, user_id)
    return _trainings_view(mentor, program.load(db))


def complete_training(
    db: Session, *, user_id: uuid.UUID, training_key: str, now: datetime
) -> CertificationResult:
    """Mark one required training done (again: no change). When every required
    training is done the mentor is certified in the same transaction."""
    mentor = require_mentor(db, user_id)
    config = program.load(db)
    known = {t.key: t for t in config.required_trainings}
    if training_key not in known:
        raise NotFound(
            "That training is no longer on the program's list. `/mentor trainings` shows "
            "the current ones."
        )
    if training_key not in {t.training_key for t in mentor.trainings}:
        mentor.trainings.append(MentorTraining(training_key=training_key, completed_at=now))
        audit.record(
            db,
            actor_id=user_id,
            action="mentor.training_completed",
            entity_type="mentor",
            entity_id=mentor.id,
            now=now,
            training=training_key,
        )
        db.flush()
    return certify_if_ready(
        db,
        mentor,
        config,
        ready=not open_trainings_of(mentor, config),
        actor_id=user_id,
        how="trainings",
        now=now,
    )


def certify(
    db: Session, *, actor_id: uuid.UUID, mentor_id: uuid.UUID, now: datetime
) -> CertificationResult:
    """An admin certifies a mentor directly (a repeated click changes nothing)."""
    access.require_admin(access.load_user(db, actor_id))
    mentor = db.get(Mentor, mentor_id)
    if mentor is None:
        raise NotFound("That mentor is no longer in the program.")
    return certify_if_ready(
        db, mentor, program.load(db), ready=True, actor_id=actor_id, how="admin", now=now
    )


def certify_if_ready(
    db: Session,
    mentor: Mentor,
    config: ProgramConfig,
    *,
    ready: bool,
    actor_id: uuid.UUID | None,
    how: str,
    now: datetime,
) -> CertificationResult:
    """Certify the mentor if `ready` and not certified yet; audited, and a mentor held
    back only for want of certification may be matched from now on."""
    newly = ready and not mentor.is_certified
    activated = False
    if newly:
        mentor.is_certified = True
        mentor.certified_at = now
        activated = not mentor.is_active and mentor.opted_out_at is None
        if activated:
            mentor.is_active = True
        audit.record(
            db,
            actor_id=actor_id,
            action="mentor.certified",
            entity_type="mentor",
            entity_id=mentor.id,
            now=now,
            how=how,
            activated=activated,
        )
        db.flush()
    return CertificationResult(
        mentor_id=mentor.id,
        mentor_slack_user_id=mentor.user.slack_user_id,
        mentor_name=mentor.user.name,
        newly_certified=newly,
        activated=activated,
        view=_trainings_view(mentor, config),
    )


def _trainings_view(mentor: Mentor, config: ProgramConfig) -> TrainingsView:
    done = {t.training_key: t for t in mentor.trainings}
    return TrainingsView(
        mentor_id=mentor.id,
        trainings=[
            TrainingStatus(
                t,
                done[t.key].completed_at if t.key in done else None,
                t.key in done and done[t.key].source == "system_tracked",
            )
            for t in config.required_trainings
        ],
        is_certified=mentor.is_certified,
        certified_at=mentor.certified_at,
    )


def open_trainings_of(mentor: Mentor | None, config: ProgramConfig) -> list[Training]:
    """The program's required trainings this mentor has not completed yet."""
    done = {t.training_key for t in mentor.trainings} if mentor is not None else set()
    return trainings_not_done(done, config)


def trainings_not_done(done: Collection[str], config: ProgramConfig) -> list[Training]:
    """The program's required trainings whose key is not among `done` (the keys of the
    trainings a mentor completed)."""
    return [t for t in config.required_trainings if t.key not in done]
