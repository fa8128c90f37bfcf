"""The ranking asks the database for a shortlist per timezone instead of every mentor
(`match_candidates._shortlisted`); it must rank exactly as scoring every mentor does, on both
databases, whatever the weights, ties, exclusions and people who left the roster."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from bot.services import match_candidates, matching, program
from bot.services.skills_sql import skills_offered
from models import Assignment, Mentor, ProgramSetting, User

SKILLS = program.ProgramConfig().skills
TIMEZONES = ["America/Chicago", "Europe/London", "Asia/Tokyo", "Asia/Kolkata", None, "Mars/Base"]


def _populate(db, world, rng: random.Random) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Ninety mentors in six timezones (one unknown, one not a zone), with records,
    look-alikes that tie, and excellent mentors the mentee may not be offered."""
    past_mentee = User(slack_user_id="UPAST", name="Pat Past", timezone="Europe/Paris")
    db.add(past_mentee)
    db.flush()
    start = date(2025, 1, 6)

    def mentor(name: str, timezone: str | None, expertise: list[str], **user: Any) -> Mentor:
        person = User(slack_user_id=f"U{name.upper()}", name=name, timezone=timezone, **user)
        db.add(person)
        db.flush()
        row = Mentor(
            user_id=person.id, expertise_areas=expertise, max_mentees=rng.choice([1, 2, 3])
        )
        db.add(row)
        db.flush()
        return row

    def history(row: Mentor, ratings: list[int | None]) -> None:
        for rating in ratings:
            db.add(
                Assignment(
                    mentor_id=row.id,
                    mentee_user_id=past_mentee.id,
                    start_date=start,
                    status="completed" if rating else "cancelled",
                    mentor_accepted_at=datetime(2025, 1, 6, tzinfo=UTC),
                    mentee_rating=rating,
                )
            )

    def request(row: Mentor, mentee: Any, status: str) -> None:
        db.add(
            Assignment(
                mentor_id=row.id, mentee_user_id=mentee.user_id, start_date=start, status=status
            )
        )

    for n in range(60):
        # Some spell a skill in another case: matching ignores case.
        expertise = [
            s if rng.random() < 0.8 else s.upper() for s in rng.sample(SKILLS, rng.randint(1, 5))
        ]
        row = mentor(f"Mentor {n:02d}", rng.choice(TIMEZONES), expertise)
        history(row, [rng.choice([None, 1, 2, 3, 4, 5]) for _ in range(rng.randint(0, 4))])
    # Look-alikes: same timezone, skills and record, so only free slots and names part them.
    for n in range(12):
        row = mentor(f"Twin {n:02d}", TIMEZONES[n % 3], ["Renewals", "Negotiation"])
        history(row, [5, 2])
    # The best on paper, each of whom must not be suggested to Newt.
    star = ["Renewals", "Negotiation", "Discovery calls", "Time management", "CRM hygiene"]
    mentor("Gone Gina", "America/Chicago", star, deactivated_at=datetime(2026, 1, 1, tzinfo=UTC))
    mentor("Bot Bob", "America/Chicago", star, is_bot=True)
    asked = mentor("Asked Ann", "America/Chicago", star)
    declined = mentor("Declined Dan", "America/Chicago", star)
    left_out = mentor("Excluded Eve", "America/Chicago", star)
    for row in (asked, declined, left_out):
        history(row, [5, 5, 5])
    request(asked, world.new_hire, "pending")
    request(declined, world.new_hire, "declined")
    # Newt's manager mentors too, and a pending request holds one of Max's slots.
    max_row = Mentor(user_id=world.manager.user_id, expertise_areas=star, max_mentees=3)
    db.add(max_row)
    db.flush()
    request(max_row, world.junior, "pending")
    db.commit()
    return {"left_out": left_out.id}


def _ranking(db, monkeypatch, *, everyone: bool, **kwargs: Any) -> tuple[list[Any], int]:  # type: ignore[no-untyped-def]
    """The ranking, and how many candidates the database returned for it."""
    fetched: list[int] = []
    load = match_candidates._candidates

    def counting(rows):  # type: ignore[no-untyped-def]
        fetched.append(len(rows))
        return load(rows)

    with monkeypatch.context() as patch:
        patch.setattr(match_candidates, "_candidates", counting)
        if everyone:
            patch.setattr(match_candidates, "shortlist_for", lambda *_: None)
        ranking = matching.rank(db, **kwargs)
    shown = [(m.name, m.score, m.factors, m.details.free_slots) for m in ranking.matches]
    return shown, fetched[0]


WEIGHTS = [
    None,  # the PRD's 40 / 20 / 40
    {"expertise": 10, "timezone": 60, "success": 30},
    {"expertise": 40, "timezone": 0, "success": 0},
    {"expertise": 0, "timezone": 0, "success": 0},  # every score 0: slots and names decide
]


@pytest.mark.parametrize("weights", WEIGHTS)
def test_the_shortlist_ranks_exactly_like_scoring_every_mentor(
    db, world, clock, monkeypatch, weights
) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(255)
    made = _populate(db, world, rng)
    if weights:
        # Stored as is: the settings check refuses weights that add up to 0 today, but a
        # value stored before it must still rank (slots and names decide).
        db.merge(ProgramSetting(key="match_weights", value=weights))
        db.commit()
    asks = [
        {"mentee_id": world.new_hire.user_id, "limit": 5},
        {"mentee_id": world.new_hire.user_id, "limit": 1},
        {"mentee_id": world.new_hire.user_id, "limit": 3, "exclude_mentor_ids": [made["left_out"]]},
        {"mentee_id": world.new_hire.user_id, "limit": 5, "focus": ["Renewals", "qbr"]},
        {"mentee_id": world.tokyo_hire.user_id, "limit": 4},
        {"mentee_id": world.junior.user_id, "limit": 500},  # more than there are mentors
    ]
    fetched_for_few: list[int] = []
    for ask in asks:
        shortlisted, fetched = _ranking(db, monkeypatch, everyone=False, now=clock[0], **ask)
        scored_all, available = _ranking(db, monkeypatch, everyone=True, now=clock[0], **ask)
        assert shortlisted == scored_all, ask
        # `/mentor match` ranks from every mentor, kept per data version, from the second
        # match of a version on: the same again.
        for _ in range(2):
            pooled = matching.rank(db, now=clock[0], pooled=True, **ask).matches
            assert [(m.name, m.score, m.factors, m.details.free_slots) for m in pooled] == (
                shortlisted
            ), ask
        # Everyone fills the list but Max for Junior: Max was asked to mentor Junior.
        assert len(shortlisted) == min(ask["limit"], available - 1), ask
        if ask["limit"] <= 5:
            fetched_for_few.append(fetched)

    def names(ask: dict[str, Any]) -> list[str]:
        ranked = _ranking(db, monkeypatch, everyone=False, now=clock[0], **ask)[0]
        return [name for name, *_ in ranked]

    # The best on paper are left out, though they would top the list.
    newt = names({"mentee_id": world.new_hire.user_id, "limit": 10})
    for never in ("Gone Gina", "Bot Bob", "Asked Ann", "Declined Dan", "Max Manager"):
        assert never not in newt
    if weights == WEIGHTS[0]:
        assert newt[0] == "Excluded Eve"
    assert "Excluded Eve" not in names(asks[2])
    # The point of it: with weights that tell mentors apart, far fewer rows come back
    # (when every score ties, only the people Newt may not be offered are left out).
    if weights == WEIGHTS[3]:
        assert min(fetched_for_few) >= available - 4
    else:
        assert sum(fetched_for_few) / len(fetched_for_few) < available / 2


def test_ties_keep_their_order_free_slots_then_name(db, world, clock, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    twins = []
    for n, slots in enumerate([1, 3, 2, 3, 1]):
        person = User(slack_user_id=f"UTWIN{n}", name=f"Twin {4 - n}", timezone="Europe/London")
        db.add(person)
        db.flush()
        twins.append(Mentor(user_id=person.id, expertise_areas=["Renewals"], max_mentees=slots))
    db.add_all(twins)
    db.commit()
    for limit in (1, 2, 3, 5):
        shortlisted, _ = _ranking(
            db,
            monkeypatch,
            everyone=False,
            now=clock[0],
            mentee_id=world.new_hire.user_id,
            limit=limit,
        )
        assert [name for name, *_ in shortlisted] == [
            "Twin 1",
            "Twin 3",
            "Twin 2",
            "Twin 0",
            "Twin 4",
        ][:limit]


def test_skills_offered_matches_case_insensitively_each_skill_once(db, world) -> None:  # type: ignore[no-untyped-def]
    odd = 'a "quoted", {braced} \\ skill'
    db.add(
        Mentor(
            user_id=world.veteran.user_id,
            expertise_areas=["Renewals", "RENEWALS", "QBRs & business reviews", odd, "NULL", ""],
        )
    )
    db.commit()

    def offered(*skills: str) -> int:
        return db.scalar(sa.select(skills_offered(Mentor.expertise_areas, list(skills))))

    assert offered("renewals") == 1
    assert offered("renewals", "qbrs & business reviews", odd, "null", "missing") == 4
    assert offered("negotiation") == 0
    assert offered() == 0
    assert offered("quoted") == 0  # a whole skill, not part of one


def test_an_unknown_mentee_is_still_not_found(db, world, clock) -> None:  # type: ignore[no-untyped-def]
    from bot.services.errors import NotFound

    with pytest.raises(NotFound):
        matching.rank(db, mentee_id=uuid.uuid4(), now=clock[0])
    assert matching.rank(db, mentee_id=world.new_hire.user_id, now=clock[0], limit=0).matches == []
