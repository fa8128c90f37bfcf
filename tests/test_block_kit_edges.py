"""Block Kit edges a real workspace hits: what the app sends stays within Slack's
limits however many mentees, requests or skills a person has, and nothing is cut
silently."""

from __future__ import annotations

import sqlalchemy as sa

from bot.testing.driver import buttons_in
from models import MentorshipSession
from tests.factories import make_assignment, make_mentor, make_people


def test_home_buttons_that_open_a_form_send_no_empty_value(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    """Slack refuses `value: ""`, so a home with such a button was never published."""
    make_mentor(db, world.veteran)
    db.commit()
    for person, label in (
        (world.veteran, "Edit profile"),
        (world.londoner, "Become a mentor"),
        (world.admin, "Program settings"),
    ):
        home = slack.open_home(person)  # published: Slack took every button on it
        assert label in [b.label for b in buttons_in(home["blocks"])]
        slack.click(person, label, home=True)
        assert slack.modal(person) is not None, f"{label} opened no modal"


def test_a_group_session_with_twelve_mentees_offers_and_records_them_all(  # type: ignore[no-untyped-def]
    slack, world, db, clock
) -> None:
    """Capacity goes up to 20, checkboxes hold 10: Slack refused the pre-ticked 12."""
    hires = make_people(db, slack.fake, 12, now=clock[0])
    vera = make_mentor(db, world.veteran, max_mentees=20)
    for hire in hires:
        make_assignment(db, vera, hire)
    db.commit()
    slack.slash(world.veteran, "/mentor", "log group")
    form = slack.modal_text(world.veteran)
    assert "Invited" in form and "Attended" in form
    sent = slack.submit(
        world.veteran,
        {
            "Attended": [h.name for h in hires[:11]],  # everyone was invited, one missed it
            "Topics": ["Discovery calls"],
            "Summary": "Discovery call workshop.",
        },
    )
    assert sent.ok, sent.errors
    db.expire_all()
    rows = list(db.scalars(sa.select(MentorshipSession)))
    assert len(rows) == 12 and len({r.group_session_id for r in rows}) == 1
    assert sorted(r.attended for r in rows) == [False] + [True] * 11
