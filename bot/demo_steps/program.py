"""The program lead shapes the program in `mentorbot demo` before the first match: the
ramp milestones every hire is given and the curriculum's suggested topics."""

from __future__ import annotations

from bot.demo import Demo

ADA = "UADMIN"


def lead_edits_the_ramp(demo: Demo) -> None:
    demo.step("The program lead shapes the ramp milestones every new hire is given")
    [listing] = demo.types(ADA, "milestones templates")
    print(f"\n{demo.person(ADA).name} clicks [Edit] on *First QBR run solo*")
    demo.slack.click(ADA, "Edit", near="First QBR run solo", message=listing)
    values = {"Target (days from hire)": "45"}
    print(f"\n{demo.person(ADA).name} sets {values} and clicks [Save]")
    saved = demo.slack.submit(ADA, values)
    assert saved.ok, saved.errors
    demo.shows_view(ADA, demo.slack.modal(ADA) or {})
    demo.slack.close_modal(ADA)


def lead_defines_the_curriculum(demo: Demo) -> None:
    demo.step("The program lead sets suggested topics for the first weeks of a mentorship")
    [listing] = demo.types(ADA, "curriculum")
    for week, topics in (
        ("1", "Product tour\nMeet the team"),
        ("2", "Discovery calls | https://wiki.example.com/discovery"),
    ):
        demo.slack.click(ADA, "Add a week", message=listing)
        print(f"\n{demo.person(ADA).name} adds week {week}: {topics!r} and clicks [Save]")
        saved = demo.slack.submit(ADA, {"Week": week, "Topics": topics})
        assert saved.ok, saved.errors
        demo.slack.close_modal(ADA)
    demo.types(ADA, "curriculum")


STEPS = [lead_edits_the_ramp, lead_defines_the_curriculum]
