"""Block Kit edges a real workspace hits: what the app sends stays within Slack's
limits however many mentees, requests or skills a person has, and nothing is cut
silently."""

from __future__ import annotations

from bot.testing.driver import buttons_in
from tests.factories import make_mentor


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
