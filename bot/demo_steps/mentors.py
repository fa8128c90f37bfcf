"""The mentor program in `mentorbot demo`: opting in, being told why not, a profile,
certification and the mentor's App Home."""

from __future__ import annotations

from bot.demo import Demo

VERA = "UVERA"
JUN = "UJUNIOR"
NEWT = "UNEWT"
ADA = "UADMIN"


def mentor_opts_in(demo: Demo) -> None:
    demo.step("An experienced CSM opts in as a mentor")
    demo.types(VERA, "optin")
    values = {
        "Expertise": ["Renewals", "QBRs & business reviews", "Negotiation"],
        "Capacity": "3",
        "Availability": "Tue/Thu afternoons ET",
    }
    print(f"\n{demo.person(VERA).name} fills in the modal: {values} and clicks [Save]")
    before = len(demo.slack.dms(VERA))
    submission = demo.slack.submit(VERA, values)
    assert submission.ok, submission.errors
    demo.new_dms(VERA, before)


def ineligible_person_is_told_why(demo: Demo) -> None:
    demo.step("Someone who doesn't meet the criteria yet is told what is missing")
    demo.types(JUN, "optin")


def anyone_sees_a_profile(demo: Demo) -> None:
    demo.step("A new hire looks at a mentor's profile")
    demo.types(NEWT, f"profile <@{VERA}>")


def admin_certifies(demo: Demo) -> None:
    demo.step("The program lead certifies the mentor")
    [profile] = demo.types(ADA, f"profile <@{VERA}>")
    print(f"\n{demo.person(ADA).name} clicks [Certify]")
    before = len(demo.slack.dms(VERA))
    demo.slack.click(ADA, "Certify", message=profile)
    demo.shows(ADA, "sees (only visible to you)", demo.slack.last_ephemeral(ADA))
    demo.new_dms(VERA, before)


def mentor_home(demo: Demo) -> None:
    demo.step("The mentor's App Home")
    demo.shows_home(VERA)


STEPS = [
    mentor_opts_in,
    ineligible_person_is_told_why,
    anyone_sees_a_profile,
    admin_certifies,
    mentor_home,
]
