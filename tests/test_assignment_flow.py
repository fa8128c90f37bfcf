"""FR-2.2 to FR-2.5 end to end: a manager assigns from the suggestions, the mentor
accepts or declines with a button, and everyone is told."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from models import Assignment, AuditEntry, Mentor
from tests.factories import make_assignment, make_mentor
from tests.flows import assign


def _mentors(db, world):  # type: ignore[no-untyped-def]
    vera = make_mentor(db, world.veteran, expertise=["Renewals", "QBRs & business reviews"])
    omar = make_mentor(db, world.londoner, expertise=["Product knowledge"])
    db.commit()
    return vera, omar


def _assign_vera(slack, world, goals: str = "Run a QBR solo by 2026-12-15\nShadow 3 renewals"):  # type: ignore[no-untyped-def]
    slack.mentor(world.manager, f"match {world.new_hire.mention} focus: renewals, QBRs")
    slack.click(world.manager, "Assign", near=world.veteran.name)
    return slack.submit(
        world.manager,
        {
            "Cadence": "Biweekly",
            "Goals": goals,
            "I confirm the expectations": ["I confirm the expectations"],
        },
    )


def test_manager_assigns_and_mentor_accepts(slack, world, db, clock) -> None:  # type: ignore[no-untyped-def]
    vera, _ = _mentors(db, world)
    slack.mentor(world.manager, f"match {world.new_hire.mention} focus: renewals, QBRs")
    slack.click(world.manager, "Assign", near=world.veteran.name)

    modal = slack.modal_text(world.manager)
    assert "Ask *Vera Veteran* to mentor *Newt Newhire*" in modal
    assert "Start date: 2026-11-17" in modal  # today, in Max's timezone
    assert "Expected end: 2027-02-09" in modal  # + the program's 12 weeks
    assert "Cadence: Weekly" in modal
    assert "Meet at the agreed cadence" in modal  # the program's expectations text

    submitted = slack.submit(
        world.manager,
        {
            "Cadence": "Biweekly",
            "Goals": "Run a QBR solo by 2026-12-15\nShadow 3 renewals",
            "I confirm the expectations": ["I confirm the expectations"],
        },
    )
    assert submitted.ok, submitted.errors

    db.expire_all()
    assignment = db.scalar(select(Assignment))
    assert assignment.status == "pending"
    assert assignment.check_in_cadence == "biweekly"
    assert assignment.goals == [
        {"goal": "Run a QBR solo", "target_date": "2026-12-15", "achieved": False},
        {"goal": "Shadow 3 renewals", "target_date": None, "achieved": False},
    ]
    assert assignment.expectations_confirmed_at is not None
    assert assignment.match_factors["focus"] == ["Renewals", "QBRs & business reviews"]
    assert db.get(Mentor, vera.id).current_mentee_count == 0  # taken on accept

    assert "I asked Vera Veteran to mentor Newt Newhire" in slack.last_dm(world.manager).all_text
    offer = slack.last_dm(world.veteran)
    assert "Max Manager* asks you to mentor *Newt Newhire*" in offer.all_text
    assert "covers 2 of 2 skill gaps" in offer.all_text  # why they were matched
    assert "Run a QBR solo (by Tue 15 Dec 2026)" in offer.all_text
    assert "Biweekly" in offer.all_text
    assert "Expectations: Meet at the agreed cadence" in offer.all_text

    slack.click(world.veteran, "Accept", message=offer)
    db.expire_all()
    assignment = db.get(Assignment, assignment.id)
    assert assignment.status == "active"
    assert assignment.mentor_accepted_at == clock[0]
    mentor = db.get(Mentor, vera.id)
    assert mentor.current_mentee_count == 1
    assert mentor.total_mentees_to_date == 1

    answered = slack.dms(world.veteran)[-1]
    assert "You accepted to mentor Newt Newhire" in answered.all_text
    assert "[Accept]" not in answered.rendered  # buttons gone: can't be clicked twice
    assert "Meet your mentor" in slack.last_dm(world.new_hire).all_text
    assert "Vera Veteran" in slack.last_dm(world.new_hire).all_text
    assert "Vera Veteran accepted to mentor Newt Newhire" in slack.last_dm(world.manager).all_text
    actions = set(db.scalars(select(AuditEntry.action)))
    assert {"assignment.requested", "assignment.accepted"} <= actions


def test_a_repeated_accept_or_a_retry_changes_nothing(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    vera, _ = _mentors(db, world)
    assert _assign_vera(slack, world).ok
    offer = slack.last_dm(world.veteran)
    # What Slack keeps to retry the click with (the buttons are replaced after it).
    same_click = _accept_payload(slack, world, offer)
    assert slack.click(world.veteran, "Accept", message=offer).status == 200
    dms_before = len(slack.dms(world.new_hire))
    reply = slack.post_payload(same_click, retry_num=1)
    assert reply.status == 200
    db.expire_all()
    assert db.get(Mentor, vera.id).current_mentee_count == 1
    assert db.get(Mentor, vera.id).total_mentees_to_date == 1
    assert len(slack.dms(world.new_hire)) == dms_before  # no second introduction
    assert "You already accepted this request" in slack.last_ephemeral(world.veteran).text


def _accept_payload(slack, world, offer, who=None):  # type: ignore[no-untyped-def]
    """The block_actions payload of clicking Accept in `offer`, as `who` (default Vera)."""
    from bot.testing.surface_inputs import buttons_in

    button = next(b for b in buttons_in(offer.blocks) if b.label == "Accept")
    payload = slack._base_action((who or world.veteran).id, offer, "message")
    payload["actions"] = [
        {
            "type": "button",
            "action_id": button.action_id,
            "block_id": button.block_id,
            "value": button.value,
        }
    ]
    return payload


def test_decline_asks_a_reason_and_offers_the_manager_the_next_best(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    vera, _ = _mentors(db, world)
    assert _assign_vera(slack, world).ok
    offer = slack.last_dm(world.veteran)
    slack.click(world.veteran, "Decline", message=offer)
    assert "Decline mentoring *Newt Newhire*" in slack.modal_text(world.veteran)

    # "Other" needs details: the modal stays open and says so.
    refused = slack.submit(world.veteran, {"Reason": "Other"})
    assert refused.errors == {"Details": refused.errors["Details"]}
    assert "say in a few words why" in refused.errors["Details"]
    db.expire_all()
    assert db.scalar(select(Assignment.status)) == "pending"

    done = slack.submit(
        world.veteran, {"Reason": "Skills mismatch", "Details": "I know renewals, not QBRs"}
    )
    assert done.ok, done.errors
    db.expire_all()
    assignment = db.scalar(select(Assignment))
    assert assignment.status == "declined"
    assert assignment.declined_at is not None
    assert assignment.decline_reason == "Skills mismatch: I know renewals, not QBRs"
    assert db.get(Mentor, vera.id).current_mentee_count == 0

    assert "You declined to mentor Newt Newhire" in slack.dms(world.veteran)[-1].all_text
    assert "[Decline]" not in slack.dms(world.veteran)[-1].rendered
    told = slack.last_dm(world.manager)
    assert "Vera Veteran declined to mentor Newt Newhire" in told.all_text
    assert "Skills mismatch: I know renewals, not QBRs" in told.all_text
    assert "Next best mentor for Newt Newhire" in told.all_text
    assert "Omar Okafor" in told.all_text

    # The manager assigns the next suggestion straight from that DM.
    slack.click(world.manager, "Assign", message=told, near="Omar Okafor")
    assert "Ask *Omar Okafor* to mentor *Newt Newhire*" in slack.modal_text(world.manager)
    assert slack.submit(
        world.manager, {"I confirm the expectations": ["I confirm the expectations"]}
    ).ok
    assert "asks you to mentor *Newt Newhire*" in slack.last_dm(world.londoner).all_text


def test_accept_after_decline_is_refused_and_changes_nothing(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    _mentors(db, world)
    assert _assign_vera(slack, world).ok
    offer = slack.last_dm(world.veteran)
    payload = _accept_payload(slack, world, offer)
    slack.click(world.veteran, "Decline", message=offer)
    assert slack.submit(world.veteran, {"Reason": "No capacity"}).ok
    assert slack.post_payload(payload).status == 200  # the old Accept button, clicked late
    db.expire_all()
    assert db.scalar(select(Assignment.status)) == "declined"
    assert "You already declined this request" in slack.last_ephemeral(world.veteran).text


def test_only_the_mentor_asked_can_answer(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    _mentors(db, world)
    assert _assign_vera(slack, world).ok
    offer = slack.last_dm(world.veteran)
    payload = _accept_payload(slack, world, offer, who=world.londoner)
    assert slack.post_payload(payload).status == 200
    db.expire_all()
    assert db.scalar(select(Assignment.status)) == "pending"
    assert (
        "Only Vera Veteran, who was asked, can answer" in slack.last_ephemeral(world.londoner).text
    )


def test_assign_modal_bad_input_names_each_field_and_writes_nothing(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    _mentors(db, world)
    slack.mentor(world.manager, f"match {world.new_hire.mention}")
    slack.click(world.manager, "Assign", near=world.veteran.name)
    result = slack.submit(
        world.manager,
        {
            "Start date": "2026-12-01",
            "Expected end": "2026-11-20",
            "Goals": "Run a QBR by 2026-13-01",
            "I confirm the expectations": [],
        },
    )
    assert not result.ok
    assert "after the start" in result.errors["Expected end"]
    assert "line 1: '2026-13-01' is not a date" in result.errors["Goals"]
    assert "Tick “I confirm the expectations”" in result.errors["I confirm the expectations"]
    db.expire_all()
    assert db.scalar(select(Assignment)) is None
    assert slack.dms(world.veteran) == []


def test_assign_command_opens_the_same_modal(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    _mentors(db, world)
    slack.slash(
        world.manager, "/mentor", f"assign {world.veteran.mention} {world.new_hire.mention}"
    )
    assert "Ask *Vera Veteran* to mentor *Newt Newhire*" in slack.modal_text(world.manager)
    assert slack.submit(
        world.manager, {"I confirm the expectations": ["I confirm the expectations"]}
    ).ok
    db.expire_all()
    assert db.scalar(select(Assignment.status)) == "pending"


def test_assigning_to_a_full_inactive_or_non_mentor_is_refused(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    vera = make_mentor(db, world.veteran, max_mentees=1)
    make_assignment(db, vera, world.junior)  # Vera's only slot is taken
    make_mentor(db, world.londoner, is_active=False)
    make_mentor(db, world.tokyo_veteran, paused_until=date(2026, 12, 1))
    db.commit()
    hire = world.new_hire.mention
    cases = [
        (world.veteran, "Vera Veteran has no free slot"),
        (world.londoner, "Omar Okafor is not mentoring right now"),
        (world.tokyo_veteran, "Keiko Tanaka has paused mentoring until Tue 1 Dec 2026"),
        (world.junior, "Jun Ior is not a mentor yet"),
    ]
    for person, message in cases:
        reply = slack.mentor(world.manager, f"assign {person.mention} {hire}")
        assert message in reply.text, reply.text
    assert slack.modal(world.manager) is None
    db.expire_all()
    assert db.scalar(select(Assignment).where(Assignment.status == "pending")) is None


def test_a_mentor_paused_through_the_programs_today_cant_be_asked(slack, world, db, clock) -> None:  # type: ignore[no-untyped-def]
    """The program runs in Los Angeles: at 03:00 UTC on 18 Nov it is still 17 Nov
    there, so Vera's pause "until 17 Nov" holds; her profile says so too."""
    from bot.services import program

    program.update(
        db, changes={"default_timezone": "America/Los_Angeles"}, actor_id=None, now=clock[0]
    )
    make_mentor(db, world.veteran, paused_until=date(2026, 11, 17))
    db.commit()
    clock[0] = clock[0].replace(day=18, hour=3)
    reply = slack.mentor(world.manager, f"assign {world.veteran.mention} {world.new_hire.mention}")
    assert "Vera Veteran has paused mentoring until Tue 17 Nov 2026" in reply.text, reply.text
    assert slack.modal(world.manager) is None
    profile = slack.mentor(world.manager, f"profile {world.veteran.mention}").all_text
    assert "Paused until Tue 17 Nov 2026" in profile, profile


def test_only_the_managers_chain_or_an_admin_may_assign(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    _mentors(db, world)
    reply = slack.mentor(world.junior, f"assign {world.veteran.mention} {world.new_hire.mention}")
    assert "Only Newt Newhire's manager (or someone above them) or a program admin" in reply.text
    slack.slash(world.admin, "/mentor", f"assign {world.veteran.mention} {world.new_hire.mention}")
    assert "Ask *Vera Veteran*" in slack.modal_text(world.admin)


def test_a_pending_request_holds_the_mentors_last_slot(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    make_mentor(db, world.veteran, max_mentees=1)
    db.commit()
    assert assign(slack, world.manager, world.veteran, world.new_hire).ok
    reply = slack.mentor(
        world.manager, f"assign {world.veteran.mention} {world.tokyo_hire.mention}"
    )
    assert "1 request(s) waiting for an answer fill all 1" in reply.text
    suggestions = slack.mentor(world.manager, f"match {world.tokyo_hire.mention}")
    assert "Vera Veteran" not in suggestions.all_text


def _request_left_unanswered(db, world, clock, asked_by):  # type: ignore[no-untyped-def]
    """Vera was asked to mentor Newt 49 hours ago (past the 48 h fallback) and said nothing."""
    vera, _ = _mentors(db, world)
    request = make_assignment(
        db,
        vera,
        world.new_hire,
        status="pending",
        assigned_by=asked_by,
        created_at=clock[0] - timedelta(hours=49),
    )
    db.commit()
    return request


def test_a_new_request_withdraws_one_left_unanswered_past_the_fallback(
    slack, world, db, clock
) -> None:  # type: ignore[no-untyped-def]
    old = _request_left_unanswered(db, world, clock, asked_by=world.manager)
    assert assign(slack, world.manager, world.londoner, world.new_hire).ok
    db.expire_all()
    withdrawn = db.get(Assignment, old.id)
    assert withdrawn.status == "cancelled"
    assert "No answer within 48 hours" in withdrawn.cancel_reason
    assert "was withdrawn" in slack.last_dm(world.veteran).all_text


def test_an_unanswered_request_offers_the_manager_the_next_suggestion(
    slack, world, db, clock, served
) -> None:  # type: ignore[no-untyped-def]
    """What the reminders sweep calls at the fallback time (request_fallback_hours)."""
    from bot.listeners.assignments import offer_next_suggestion

    waiting = _request_left_unanswered(db, world, clock, asked_by=world.admin)
    assert offer_next_suggestion(served.bolt.client, served.runtime, waiting.id)
    for person in (world.manager, world.admin):  # the manager, and the admin who asked
        told = slack.last_dm(person)
        assert "Vera Veteran hasn't answered the request to mentor Newt Newhire" in told.all_text
        assert "for 49 hours" in told.all_text
        assert "Omar Okafor" in told.all_text
    slack.click(world.manager, "Assign", message=slack.last_dm(world.manager), near="Omar")
    assert slack.submit(
        world.manager, {"I confirm the expectations": ["I confirm the expectations"]}
    ).ok
    db.expire_all()
    assert db.get(Assignment, waiting.id).status == "cancelled"  # withdrawn, not left dangling


def test_no_next_suggestion_when_nobody_else_is_available(slack, world, db, served) -> None:  # type: ignore[no-untyped-def]
    from bot.listeners.assignments import offer_next_suggestion

    vera = make_mentor(db, world.veteran)
    declined = make_assignment(
        db, vera, world.new_hire, status="declined", decline_reason="No capacity"
    )
    db.commit()
    assert offer_next_suggestion(served.bolt.client, served.runtime, declined.id)
    told = slack.last_dm(world.manager)
    assert "Vera Veteran declined to mentor Newt Newhire. Reason: No capacity" in told.all_text
    assert "No other mentor is available right now" in told.all_text
    assert "[Assign]" not in told.rendered
