"""FR-2.1: `/mentor match` suggests the best mentors, and why; the ranking's rules
and its fixed number of SQL statements."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from bot.listeners import matching as match_listener
from bot.services import matching, program
from bot.services.errors import InvalidInput
from models import RampMilestone, SkillAssessment, User
from tests.factories import make_assignment, make_mentor
from tests.statements import BY_ROSTER_ID, connections_taken, statements_run


def test_manager_sees_the_top_mentors_with_each_factor_and_an_assign_button(
    slack, world, db
) -> None:  # type: ignore[no-untyped-def]
    make_mentor(db, world.veteran, expertise=["Renewals", "QBRs & business reviews"])
    make_mentor(db, world.londoner, expertise=["Renewals"])
    make_mentor(db, world.tokyo_veteran, expertise=["Negotiation"])
    db.commit()
    reply = slack.mentor(world.manager, f"match {world.new_hire.mention} focus: Renewals, QBRs")
    text = reply.all_text
    assert "MENTORS FOR NEWT NEWHIRE" in text  # the header
    # (mrkdwn escapes "&"; Slack shows it as typed)
    assert "Skill gaps from the focus you gave: Renewals, QBRs & business reviews" in text
    # Vera: both gaps, 1 h from Chicago; Omar: one gap, 6 h; Keiko: none, 9 h apart.
    assert text.index("1. Vera Veteran") < text.index("2. Omar Okafor") < text.index("3. Keiko")
    assert "covers 2 of 2 skill gaps (Renewals, QBRs & business reviews)" in text
    assert "Timezone: 1 h apart" in text
    assert "Timezone: 6 h apart" in text
    assert "Timezone: 9 h apart" in text
    assert "none of the skill gaps" in text
    assert "no finished mentorship yet, counted at the program's 50%" in text
    assert "Capacity: 2 of 2 slots free" in text
    assert "score *" in text
    assert reply.ephemeral_for == world.manager.id
    assert [b.label for b in _buttons(reply)] == ["Assign", "Assign", "Assign"]


def _buttons(message):  # type: ignore[no-untyped-def]
    from bot.testing.surface_inputs import buttons_in

    return buttons_in(message.blocks)


def test_only_available_mentors_are_suggested(slack, world, db, clock) -> None:  # type: ignore[no-untyped-def]
    today = clock[0].date()
    make_mentor(db, world.veteran, paused_until=today - timedelta(days=1))  # available again
    make_mentor(db, world.londoner, paused_until=today)  # still paused today
    make_mentor(db, world.tokyo_veteran, is_active=False)
    make_mentor(db, world.admin, opted_out_at=clock[0])
    max_ = make_mentor(db, world.manager)  # Newt's own manager
    full = make_mentor(db, world.junior, max_mentees=1)
    make_assignment(db, full, world.tokyo_hire)
    db.commit()
    text = slack.mentor(world.manager, f"match {world.new_hire.mention}").all_text
    assert "Vera Veteran" in text
    for excluded in ("Omar Okafor", "Keiko Tanaka", "Ada Lovelace", "Max Manager", "Jun Ior"):
        assert excluded not in text, excluded
    # Someone already mentoring Newt is not suggested again, nor is Newt to themselves.
    make_assignment(db, max_, world.junior)
    vera_assignment = make_assignment(db, db.scalar(_mentor_of(world.veteran)), world.new_hire)
    db.commit()
    assert vera_assignment.status == "active"
    text = slack.mentor(world.manager, f"match {world.new_hire.mention}").all_text
    assert "No mentor is available right now" in text


def test_a_pause_ends_on_the_programs_day_not_utcs(slack, world, db, clock) -> None:  # type: ignore[no-untyped-def]
    """The program runs in Auckland, where 15:00 UTC on 17 Nov is already 04:00 on
    18 Nov: Vera paused "until 17 Nov" is offered again, Omar paused until 18 Nov is
    not. In Los Angeles, 03:00 UTC on 18 Nov is still 17 Nov: Vera is not offered."""
    program.update(
        db, changes={"default_timezone": "Pacific/Auckland"}, actor_id=None, now=clock[0]
    )
    make_mentor(db, world.veteran, paused_until=date(2026, 11, 17))
    make_mentor(db, world.londoner, paused_until=date(2026, 11, 18))
    db.commit()
    text = slack.mentor(world.manager, f"match {world.new_hire.mention}").all_text
    assert "Vera Veteran" in text
    assert "Omar Okafor" not in text

    program.update(
        db, changes={"default_timezone": "America/Los_Angeles"}, actor_id=None, now=clock[0]
    )
    db.commit()
    clock[0] = datetime(2026, 11, 18, 3, 0, tzinfo=UTC)  # 19:00 on 17 Nov in Los Angeles
    text = slack.mentor(world.manager, f"match {world.new_hire.mention}").all_text
    assert "Vera Veteran" not in text and "Omar Okafor" not in text


def _mentor_of(person):  # type: ignore[no-untyped-def]
    from models import Mentor

    return sa.select(Mentor).where(Mentor.user_id == person.user_id)


def test_at_most_five_suggestions_best_first(db, world, clock) -> None:  # type: ignore[no-untyped-def]
    people = [world.veteran, world.londoner, world.tokyo_veteran, world.admin, world.junior]
    for person in people:
        make_mentor(db, person, expertise=["Renewals"])
    extra = User(slack_user_id="UEXTRA", name="Ezra Extra", timezone="America/Chicago")
    db.add(extra)
    db.flush()
    from models import Mentor

    db.add(Mentor(user_id=extra.id, expertise_areas=["Renewals"]))
    db.commit()
    matches = matching.suggest(
        db, mentee_id=world.new_hire.user_id, now=clock[0], focus=["Renewals"]
    )
    assert len(matches) == 5
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)
    assert matches[0].name == "Ezra Extra"  # same timezone as Newt
    limited = matching.suggest(db, mentee_id=world.new_hire.user_id, now=clock[0], limit=2)
    assert len(limited) == 2


def test_skill_gaps_come_from_focus_then_self_assessment_and_milestones_then_ramp_skills(
    db, world, clock
) -> None:  # type: ignore[no-untyped-def]
    make_mentor(db, world.veteran, expertise=["Negotiation"])
    db.commit()
    newt = world.new_hire.user_id
    ranking = matching.rank(db, mentee_id=newt, now=clock[0])
    assert ranking.needs_source == "the program's ramp skills"
    assert ranking.needs == program.load(db).default_ramp_skills

    earlier = clock[0] - timedelta(days=10)
    db.add_all(
        [
            SkillAssessment(user_id=newt, skill="Negotiation", rating=4, assessed_at=earlier),
            SkillAssessment(user_id=newt, skill="Negotiation", rating=1, assessed_at=clock[0]),
            SkillAssessment(user_id=newt, skill="Renewals", rating=2, assessed_at=clock[0]),
            SkillAssessment(user_id=newt, skill="CRM hygiene", rating=5, assessed_at=clock[0]),
            RampMilestone(mentee_user_id=newt, milestone_name="Lead a discovery calls block"),
            RampMilestone(
                mentee_user_id=newt,
                milestone_name="Stakeholder mapping done",
                achieved_date=date(2026, 11, 1),
                status="achieved",
            ),
        ]
    )
    db.commit()
    ranking = matching.rank(db, mentee_id=newt, now=clock[0])
    assert ranking.needs == ["Negotiation", "Renewals", "Discovery calls"]
    assert ranking.needs_source == "self-assessment and open milestones"
    assert "covers 1 of 3 skill gaps (Negotiation)" in ranking.matches[0].factors[0]

    focused = matching.rank(db, mentee_id=newt, now=clock[0], focus=["qbr"])
    assert focused.needs == ["QBRs & business reviews"]
    assert focused.needs_source == "the focus you gave"


def test_each_match_reads_its_own_mentee(slack, world, db, clock) -> None:  # type: ignore[no-untyped-def]
    """What matching knows of a mentee comes from a statement built once and run with
    each match's mentee: one hire's gaps and requests never answer for the next's."""
    vera = make_mentor(db, world.veteran, expertise=["Negotiation", "Renewals"])
    make_mentor(db, world.londoner, expertise=["Renewals"])
    make_assignment(db, vera, world.tokyo_hire, status="declined", assigned_by=world.manager)
    newt = world.new_hire.user_id
    db.add(SkillAssessment(user_id=newt, skill="Negotiation", rating=1, assessed_at=clock[0]))
    db.commit()

    newts = slack.mentor(world.manager, f"match {world.new_hire.mention}").all_text
    assert "Skill gaps from self-assessment: Negotiation" in newts
    assert "1. Vera Veteran" in newts
    novas = slack.mentor(world.manager, f"match {world.tokyo_hire.mention}").all_text
    assert "Skill gaps from the program's ramp skills" in novas
    assert "Vera Veteran" not in novas and "1. Omar Okafor" in novas  # Vera said no to Nova
    assert "Skill gaps from self-assessment: Negotiation" in (
        slack.mentor(world.manager, f"match {world.new_hire.mention}").all_text
    )


def test_past_success_is_smoothed_toward_the_program_average(db, world, clock) -> None:  # type: ignore[no-untyped-def]
    vera = make_mentor(db, world.veteran, expertise=["Renewals"], max_mentees=5)
    omar = make_mentor(db, world.londoner, expertise=["Renewals"], max_mentees=5)
    make_assignment(db, vera, world.junior, status="completed", mentee_rating=5)
    make_assignment(db, omar, world.tokyo_hire, status="completed", mentee_rating=2)
    db.commit()
    by_name = {
        m.name: m for m in matching.suggest(db, mentee_id=world.new_hire.user_id, now=clock[0])
    }
    # One great mentorship is not 100 %, one poor one is not 0 %: the program average
    # is 50 % and counts as two mentorships (the `success_smoothing` setting).
    assert by_name["Vera Veteran"].details.success_rate == pytest.approx((1 + 2 * 0.5) / 3)
    assert by_name["Omar Okafor"].details.success_rate == pytest.approx((0 + 2 * 0.5) / 3)
    assert "1 of 1 mentorships completed and rated 4+ (67% after smoothing" in " ".join(
        by_name["Vera Veteran"].factors
    )


def test_weights_are_program_settings(db, world, clock) -> None:  # type: ignore[no-untyped-def]
    make_mentor(db, world.veteran, expertise=["Negotiation"])  # 1 h from Chicago
    make_mentor(db, world.tokyo_veteran, expertise=["Renewals"])  # 9 h apart
    db.commit()
    newt = world.new_hire.user_id
    default = matching.suggest(db, mentee_id=newt, now=clock[0], focus=["Renewals"])
    assert default[0].name == "Keiko Tanaka"  # expertise 40 outweighs timezone 20
    program.update(
        db,
        changes={"match_weights": {"expertise": 10, "timezone": 60, "success": 30}},
        actor_id=None,
        now=clock[0],
    )
    db.commit()
    reweighted = matching.suggest(db, mentee_id=newt, now=clock[0], focus=["Renewals"])
    assert reweighted[0].name == "Vera Veteran"


def test_each_match_checks_its_own_asker(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    """Whom a match names and who asks are read in one statement built once: one
    asker's rights never answer for the next one's, and one mention never for the next."""
    make_mentor(db, world.veteran)
    db.commit()
    newt, nova = world.new_hire.mention, world.tokyo_hire.mention
    assert "1. Vera Veteran" in slack.mentor(world.admin, f"match {newt}").all_text
    assert "Only Newt Newhire's manager" in slack.mentor(world.junior, f"match {newt}").text
    assert "MENTORS FOR NOVA FRESH" in slack.mentor(world.admin, f"match {nova}").all_text
    assert "Only Nova Fresh's manager" in slack.mentor(world.junior, f"match {nova}").text
    assert "MENTORS FOR NEWT NEWHIRE" in slack.mentor(world.manager, f"match {newt}").all_text


def test_a_match_reads_its_asker_once_on_one_connection(slack, world, db, served) -> None:  # type: ignore[no-untyped-def]
    """Who asks is read once, by the middleware, and the whole match (who asks, whom
    it names, the ranking) runs on one connection. Was: the asker read again with the
    hire, on a second connection (a second check-out, and ping, on PostgreSQL)."""
    make_mentor(db, world.veteran)
    db.commit()
    newt = world.new_hire.mention
    for _ in range(2):  # Max's first contact is written; then the ranking's data is kept
        slack.mentor(world.manager, f"match {newt}")
        slack.wait_idle()
    with statements_run(served) as seen, connections_taken(served) as taken:
        reply = slack.mentor(world.manager, f"match {newt}")
        slack.wait_idle()
    assert "1. Vera Veteran" in reply.all_text
    assert [s for s in seen if BY_ROSTER_ID.search(s)] == []
    assert [s for s in seen if s.startswith(("INSERT", "UPDATE", "DELETE"))] == []
    # Max, the data's version (one statement: the ranking's data is kept per version),
    # Newt with his skills (one statement).
    assert len(seen) == 3, seen
    assert len(taken) == 1


def test_a_match_that_fails_gives_its_connection_back(  # type: ignore[no-untyped-def]
    slack, world, db, served, monkeypatch
) -> None:
    """The connection a request's reads share goes back to the pool at once, to be
    used again, when its listener fails before reading anything or while reading (Max
    is told each time), and when whom it names is no one."""

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the ranking is unreachable")

    make_mentor(db, world.veteran)
    db.commit()
    newt = world.new_hire.mention
    assert "1. Vera Veteran" in slack.mentor(world.manager, f"match {newt}").all_text
    slack.wait_idle()
    pool = served.runtime.session_factory.kw["bind"].pool
    opened: list[object] = []
    sa.event.listen(pool, "connect", lambda *args: opened.append(args))
    for failing in (match_listener.parse_match_args, matching.rank_read):
        with monkeypatch.context() as patched:
            patched.setattr(sys.modules[failing.__module__], failing.__name__, broken)
            reply = slack.mentor(world.manager, f"match {newt}")
            slack.wait_idle()
        assert "Something went wrong on our side" in reply.text
        assert pool.checkedout() == 0, failing.__name__
    assert "I can't find <@UNOBODY>" in slack.mentor(world.manager, "match <@UNOBODY>").text
    slack.wait_idle()
    assert (opened, pool.checkedout()) == ([], 0)


def test_ranking_takes_three_statements_whatever_the_number_of_mentors(
    db, world, clock, engine
) -> None:  # type: ignore[no-untyped-def]
    def statements_for_ranking() -> int:
        count = 0

        def counter(*_args) -> None:  # type: ignore[no-untyped-def]
            nonlocal count
            count += 1

        session = sa.orm.Session(engine)
        sa.event.listen(engine, "before_cursor_execute", counter)
        try:
            matches = matching.suggest(session, mentee_id=world.new_hire.user_id, now=clock[0])
        finally:
            sa.event.remove(engine, "before_cursor_execute", counter)
            session.close()
        assert matches
        return count

    make_mentor(db, world.veteran)
    db.commit()
    few = statements_for_ranking()
    for n in range(40):
        user = User(slack_user_id=f"UM{n:03d}", name=f"Mentor {n:03d}", timezone="Europe/Paris")
        db.add(user)
        db.flush()
        from models import Mentor

        db.add(Mentor(user_id=user.id, expertise_areas=["Renewals", "Negotiation"]))
    db.commit()
    many = statements_for_ranking()
    assert few == many <= 3


def test_match_bad_input_is_explained_and_changes_nothing(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    db.add(User(slack_user_id="UBOT", name="Deploy Bot", is_bot=True))
    db.add(
        User(
            slack_user_id="UGONE", name="Gone Gina", deactivated_at=datetime(2026, 1, 5, tzinfo=UTC)
        )
    )
    make_mentor(db, world.veteran)
    db.commit()
    cases = [
        (world.manager, "match", "Tell me who needs a mentor"),
        (world.manager, "match Newt", "Tell me who needs a mentor, with an @mention"),
        (world.manager, "match <@UBOT>", "<@UBOT> is a bot, not a person"),
        (world.manager, "match <@UGONE>", "Gone Gina is no longer active in the workspace"),
        (world.manager, "match <@UNOBODY>", "I can't find <@UNOBODY> in the roster"),
        (world.junior, f"match {world.new_hire.mention}", "Only Newt Newhire's manager"),
        (
            world.manager,
            f"match {world.new_hire.mention} focus: juggling",
            "'juggling' is not a program skill",
        ),
        # Who may rank for Newt is checked before what they typed after `focus:`.
        (world.junior, f"match {world.new_hire.mention} focus: juggling", "Only Newt Newhire's"),
    ]
    for who, text, message in cases:
        reply = slack.mentor(who, text)
        assert message in reply.text, (text, reply.text)
        assert "[Assign]" not in reply.rendered


def test_an_admin_and_anyone_above_the_manager_may_match(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    make_mentor(db, world.veteran)
    db.commit()
    for who in (world.admin, world.manager):
        assert "1. Vera Veteran" in slack.mentor(who, f"match {world.new_hire.mention}").all_text


def test_focus_words_resolve_to_program_skills() -> None:
    skills = ["Renewals", "QBRs & business reviews", "Expansion & upsell"]
    assert matching.resolve_focus(["renewals", " QBR", "upsell"], skills) == skills
    with pytest.raises(InvalidInput) as ambiguous:
        matching.resolve_focus(["&"], skills)
    assert "'&' could be" in ambiguous.value.errors["focus"]


def test_unknown_timezones_count_as_halfway(db, world) -> None:  # type: ignore[no-untyped-def]
    db.get(User, world.veteran.user_id).timezone = None
    make_mentor(db, world.veteran)
    db.commit()
    now = datetime(2026, 11, 17, 15, tzinfo=UTC)
    match = matching.suggest(db, mentee_id=world.new_hire.user_id, now=now)[0]
    assert match.details.hours_apart is None
    assert match.details.timezone_score == 0.5
    assert "Timezone: not known" in match.factors
