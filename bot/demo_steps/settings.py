"""The program lead shapes the program in `mentorbot demo` before the first match:
the settings chooser, one group's modal, and the summary of what changed."""

from __future__ import annotations

from bot.demo import Demo

ADA = "UADMIN"


def lead_shapes_the_program(demo: Demo) -> None:
    demo.step("The program lead shapes the program before the first match")
    demo.types(ADA, "admin")
    print(f"\n{demo.person(ADA).name} clicks [Targets]")
    demo.slack.click(ADA, "Targets")
    demo.shows_view(ADA, demo.slack.modal(ADA) or {})
    values = {"Session completion target (%)": "85"}
    print(f"\n{demo.person(ADA).name} fills in the modal: {values} and clicks [Save]")
    before = len(demo.slack.dms(ADA))
    submission = demo.slack.submit(ADA, values)
    assert submission.ok, submission.errors
    demo.new_dms(ADA, before)
    demo.slack.close_modal(ADA)  # [Done] on the chooser


STEPS = [lead_shapes_the_program]
