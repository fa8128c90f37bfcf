"""A topic circle in `mentorbot demo`: a mentor opens one, three hires join, the mentor
logs the session they all attended (the analytics that follow show it)."""

from __future__ import annotations

from bot.demo import Demo

VERA = "UVERA"
HIRES = ("UNEWT", "UNOVA", "UJUNIOR")


def mentor_runs_a_topic_circle(demo: Demo) -> None:
    demo.step("A mentor runs a topic circle that three new hires join and attend")
    demo.types(VERA, "circles new")
    values = {"Name": "Renewals clinic", "Topic": "Renewals & QBRs", "Seats": "4"}
    print(f"\n{demo.person(VERA).name} fills in {values} and clicks [Open circle]")
    assert demo.slack.submit(VERA, values).ok
    demo.slack.close_modal(VERA)
    for hire in HIRES:
        listing = demo.slack.mentor(hire, "circles")
        print(f"\n{demo.person(hire).name} clicks [Join] on Renewals clinic")
        demo.slack.click(hire, "Join", message=listing, near="Renewals clinic")
    [listing] = demo.types(VERA, "circles")
    print(f"\n{demo.person(VERA).name} clicks [Log a session]")
    demo.slack.click(VERA, "Log a session", message=listing)
    demo.shows_view(VERA, demo.slack.modal(VERA) or {})
    values = {"Duration (minutes)": "45", "Notes": "Walked through a QBR deck together."}
    print(f"\n{demo.person(VERA).name} keeps everyone ticked, adds {values}, clicks [Log session]")
    logged = demo.slack.submit(VERA, values)
    assert logged.ok, logged.errors
    demo.shows_view(VERA, demo.slack.modal(VERA) or {})
    demo.slack.close_modal(VERA)


STEPS = [mentor_runs_a_topic_circle]
