"""What opening App Home costs and makes, from the people's side: a person's first use
(their ramp milestones, their mentorships' goals) is made on an open, later opens
check it in one statement and write nothing, and a change made elsewhere (another
replica, an import) still shows on the next open."""

from __future__ import annotations

import json
from datetime import date

from tests.factories import make_assignment, make_mentor
from tests.statements import statements_run


def test_a_repeated_open_checks_first_use_in_one_statement_and_writes_nothing(
    slack, world, db, served
) -> None:  # type: ignore[no-untyped-def]
    """The whole request (who sent it, first use, every section) of a second open, for
    each of the busiest people: as many statements as below, none of them a write."""
    vera = make_mentor(db, world.veteran)
    make_assignment(db, vera, world.new_hire, goals=[{"goal": "Run a QBR solo"}])
    db.commit()
    people = (world.admin, world.manager, world.veteran, world.new_hire)
    for _round in range(2):  # first use; then the figures kept after everyone's
        for person in people:
            slack.open_home(person)
    counts = {}
    for person in people:
        with statements_run(served) as seen:
            slack.open_home(person)
        writes = [s for s in seen if s.startswith(("INSERT", "UPDATE", "DELETE"))]
        assert writes == [], (person.name, writes)
        assert not [s for s in seen if "FROM MILESTONE_TEMPLATES" in s], person.name
        counts[person.name] = len(seen)
    # Was 19, 17, 27 and 28: the delivery's key read three times, the first use made
    # again, the actor's workspace written back unchanged, the person and their roles,
    # both sides' names and a milestone's reviewer read apart. The data's version is
    # read in one statement (version.py), for the admin's, manager's and mentor's; a
    # mentor's requests, mentees and history in one, her circles with her row (was 8,
    # 7, 15).
    assert counts == {
        "Ada Lovelace": 7,
        "Max Manager": 6,
        "Vera Veteran": 12,
        "Newt Newhire": 8,
    }, counts


def test_a_mentorship_made_elsewhere_brings_its_goals_on_the_next_open(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    """This process saw Jun's first use made; then a mentorship with goals arrives
    without them (written by another replica's older code, or an import): the next
    open makes them, and they show."""
    assert "Prepare a renewal" not in json.dumps(slack.open_home(world.junior))
    vera = make_mentor(db, world.veteran)
    make_assignment(
        db, vera, world.junior, start=date(2026, 11, 2), goals=[{"goal": "Prepare a renewal"}]
    )
    db.commit()
    home = json.dumps(slack.open_home(world.junior))
    assert "Your ramp milestones" in home and "Prepare a renewal" in home


def test_first_use_judges_a_new_hire_by_the_programs_day(slack, world, db, clock) -> None:  # type: ignore[no-untyped-def]
    """The program runs in Los Angeles, where it is still 17 Nov when UTC has 18 Nov.
    Omar was hired 730 days before the program's today (the longest window there
    is), 731 before UTC's: once the admin widens the window to 730 days, his next
    open gives him the program milestones, though his last open found nothing to do."""
    from bot.services import program
    from models import User

    program.update(
        db,
        changes={"default_timezone": "America/Los_Angeles", "new_hire_window_days": 30},
        actor_id=None,
        now=clock[0],
    )
    clock[0] = clock[0].replace(day=18, hour=3)  # 19:00 on 17 Nov in Los Angeles
    db.get(User, world.londoner.user_id).hire_date = date(2024, 11, 17)  # 730 days before
    db.commit()
    assert "Your ramp milestones" not in json.dumps(slack.open_home(world.londoner))

    program.update(db, changes={"new_hire_window_days": 730}, actor_id=None, now=clock[0])
    db.commit()
    assert "Your ramp milestones" in json.dumps(slack.open_home(world.londoner))


def test_a_first_open_with_nothing_to_make_only_reads(slack, world, db, served) -> None:  # type: ignore[no-untyped-def]
    """Vera mentors but is neither mentored nor a recent hire: her first open of App
    Home (after her first contact, which recorded her workspace) finds that in the
    first-use check's one statement, writes nothing and looks at no milestone
    template; her home is whole."""
    vera = make_mentor(db, world.veteran)
    make_assignment(db, vera, world.new_hire)
    db.commit()
    slack.mentor(world.veteran, "help")
    with statements_run(served) as seen:
        home = json.dumps(slack.open_home(world.veteran))
    assert [s for s in seen if s.startswith(("INSERT", "UPDATE", "DELETE"))] == []
    assert not [s for s in seen if "FROM MILESTONE_TEMPLATES" in s]
    assert "Your mentoring" in home and "Newt Newhire" in home
