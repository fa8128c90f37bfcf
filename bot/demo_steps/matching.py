"""Matching and assignment in the demo: match → assign → accept, then a cohort
proposal approved with one click, a decline, and the next suggestion."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from bot.services import roster
from models import Mentor

if TYPE_CHECKING:  # bot.demo imports this module to list its steps
    from bot.demo import Demo

#: Who mentors in the demo, with what expertise and how many slots.
DEMO_MENTORS = {
    "UVERA": (["Renewals", "QBRs & business reviews", "Negotiation"], 2),
    "UOMAR": (["Product knowledge", "Onboarding & implementation"], 2),
    "UKEIKO": (["Discovery calls", "Stakeholder mapping", "Product knowledge"], 1),
}


def mentors_ready(demo: Demo) -> None:
    """Make sure the demo's mentors exist (the mentor program's own demo step opts them
    in through Slack when it runs first; this only fills in whoever is missing)."""
    with demo.app.runtime.db() as db:
        for slack_id, (expertise, slots) in DEMO_MENTORS.items():
            user = roster.by_slack_id(db, slack_id)
            if user is None or db.scalar(select(Mentor).where(Mentor.user_id == user.id)):
                continue
            db.add(Mentor(user_id=user.id, expertise_areas=expertise, max_mentees=slots))
    names = ", ".join(demo.person(s).name for s in DEMO_MENTORS)
    print(f"\n(Mentors in the program: {names}.)")


def match_assign_accept(demo: Demo) -> None:
    slack = demo.slack
    demo.step("A manager asks who should mentor a new hire, and why")
    demo.types("UMAX", "match <@UNEWT> focus: Renewals, QBRs")

    demo.step("He assigns the best match: dates, cadence, goals, expectations")
    slack.click("UMAX", "Assign", near="Vera Veteran")
    demo.shows_view("UMAX", slack.modal("UMAX") or {})
    vera_seen, max_seen = len(slack.dms("UVERA")), len(slack.dms("UMAX"))
    slack.submit(
        "UMAX",
        {
            "Cadence": "Biweekly",
            "Goals": "Run a QBR solo\nShadow three renewals",
            "I confirm the expectations": ["I confirm the expectations"],
        },
    )
    print("\nMax Manager sends the request.")
    demo.new_dms("UMAX", max_seen)
    offer = demo.new_dms("UVERA", vera_seen)[-1]

    demo.step("The mentor accepts with one click; everyone is told")
    newt_seen, max_seen = len(slack.dms("UNEWT")), len(slack.dms("UMAX"))
    slack.click("UVERA", "Accept", message=offer)
    print("\nVera Veteran clicks [Accept]; her request now reads:")
    print("    " + slack.dms("UVERA")[vera_seen].rendered.replace("\n", "\n    "))
    demo.new_dms("UNEWT", newt_seen)
    demo.new_dms("UMAX", max_seen)


def cohort_decline_next(demo: Demo) -> None:
    slack = demo.slack
    demo.step("The program lead matches every remaining new hire at once")
    proposal = demo.types("UADMIN", "match-cohort")[-1]
    keiko_seen = len(slack.dms("UKEIKO"))
    slack.click("UADMIN", "Approve", message=proposal)
    current = slack.fake.find_message(proposal.channel, proposal.ts) or proposal
    demo.shows("UADMIN", "now sees", current)
    offers = demo.new_dms("UKEIKO", keiko_seen)
    if not offers:
        return

    demo.step("A mentor declines with a reason; the manager gets the next suggestion")
    max_seen = len(slack.dms("UMAX"))
    slack.click("UKEIKO", "Decline", message=offers[-1])
    demo.shows_view("UKEIKO", slack.modal("UKEIKO") or {})
    slack.submit("UKEIKO", {"Reason": "No capacity", "Details": "Quarter-end is busy for me"})
    print("\nKeiko Tanaka declines: No capacity.")
    demo.new_dms("UMAX", max_seen)


STEPS = [mentors_ready, match_assign_accept, cohort_decline_next]
