"""`mentorbot trainings import FILE.csv`: mentor training completions from an LMS
export (PRD NFR-3, "tie into onboarding workflow and training"), recorded as
system-tracked. The roster's rules: every line checked first and reported by number,
nothing written unless the whole file is good. A mentor whose every required training
is then done is certified, as when they mark the last one done themselves."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services import audit, csv_text, mentor_trainings, program
from bot.services.errors import ImportProblems
from models import Mentor, MentorTraining, User

WHAT = "Trainings"
#: The person is named by one of these; the training by its name or key.
PERSON_COLUMNS = ("slack_user_id", "email")
COLUMNS = ("training", "completed_date")


@dataclass
class TrainingsImported:
    recorded: int = 0
    already: int = 0
    #: People in the roster who haven't opted in to mentor: nothing is kept for them.
    not_mentors: list[str] = field(default_factory=list)
    certified: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [
            f"trainings recorded as system-tracked: {self.recorded} "
            f"({self.already} already recorded)"
        ]
        if self.certified:
            lines.append("certified now: " + ", ".join(self.certified))
        if self.not_mentors:
            lines.append(
                f"not mentors (yet), so nothing recorded for: {', '.join(self.not_mentors)}; "
                "import the file again once they opt in"
            )
        return "\n".join(lines)


def import_csv(db: Session, text: str, *, now: datetime) -> TrainingsImported:
    """Record the completions in `text` (columns slack_user_id or email, training,
    completed_date as YYYY-MM-DD). ImportProblems lists every bad line; nothing is
    written then."""
    reader = csv_text.reader(text, lower=True)
    header = list(reader.fieldnames or [])
    problems = [f"line 1: the header lacks {c}" for c in COLUMNS if c not in header]
    person_column = next((c for c in PERSON_COLUMNS if c in header), None)
    if person_column is None:
        problems.append("line 1: the header needs a slack_user_id or an email column")
    if problems:
        raise ImportProblems(WHAT, problems)
    config = program.load(db)
    trainings = {t.key.lower(): t.key for t in config.required_trainings} | {
        t.name.lower(): t.key for t in config.required_trainings
    }
    today = program.program_today(now, config)
    people = _people(db, person_column or "")
    planned: dict[tuple[User, str], date] = {}
    for record in reader:
        line = reader.line_num
        who = (record.get(person_column or "") or "").strip()
        name = (record.get("training") or "").strip()
        raw_day = (record.get("completed_date") or "").strip()
        user = people.get(who.lower())
        if user is None:
            problems.append(
                f"line {line}: {who or f'an empty {person_column}'} is not in the roster"
            )
        key = trainings.get(name.lower())
        if key is None:
            known = ", ".join(sorted(set(trainings.values()))) or "none are set"
            problems.append(
                f"line {line}: training '{name}' is not one of the program's required "
                f"trainings ({known})"
            )
        try:
            day = date.fromisoformat(raw_day)
        except ValueError:
            problems.append(
                f"line {line}: completed_date '{raw_day}' is not a date like 2026-12-01"
            )
            continue
        future = program.after_today(day, today)
        if future:
            problems.append(f"line {line}: completed_date {raw_day} {future}")
        if user is not None and key is not None:
            # The same completion twice (an LMS retake): the first date counts.
            planned[(user, key)] = min(day, planned.get((user, key), day))
    if problems:
        raise ImportProblems(WHAT, problems)
    return _record(db, planned, now)


def _people(db: Session, column: str) -> dict[str, User]:
    if column == "email":
        users = db.scalars(select(User).where(User.email.is_not(None)))
        return {str(u.email).lower(): u for u in users}
    return {u.slack_user_id.lower(): u for u in db.scalars(select(User))}


def _record(db: Session, planned: dict[tuple[User, str], date], now: datetime) -> TrainingsImported:
    result = TrainingsImported()
    config = program.load(db)
    touched: dict[str, Mentor] = {}
    mentor_of = {m.user_id: m for m in db.scalars(select(Mentor))}
    for (user, key), day in planned.items():
        mentor = mentor_of.get(user.id)
        if mentor is None:
            if user.name not in result.not_mentors:
                result.not_mentors.append(user.name)
            continue
        done = next((t for t in mentor.trainings if t.training_key == key), None)
        if done is None:
            mentor.trainings.append(
                MentorTraining(
                    training_key=key,
                    completed_at=datetime.combine(day, time(12), UTC),
                    source="system_tracked",
                )
            )
            result.recorded += 1
        else:
            # The LMS confirms what the mentor marked done: it is system-tracked now.
            done.source = "system_tracked"
            result.already += 1
        touched[str(mentor.id)] = mentor
    db.flush()
    for mentor in touched.values():
        certified = mentor_trainings.certify_if_ready(
            db,
            mentor,
            config,
            ready=not mentor_trainings.open_trainings_of(mentor, config),
            actor_id=None,
            how="lms",
            now=now,
        )
        if certified.newly_certified:
            result.certified.append(certified.mentor_name)
    audit.record(
        db,
        actor_id=None,
        action="trainings.imported",
        entity_type="mentor_trainings",
        entity_id=None,
        now=now,
        recorded=result.recorded,
        already=result.already,
        not_mentors=len(result.not_mentors),
        certified=len(result.certified),
    )
    return result
