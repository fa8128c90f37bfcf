"""Nothing slow stands between a person's click and Slack's 3 seconds: while Slack
rate-limits `users.info` (429, Retry-After 4 s), every request is still acknowledged
within a second and every modal opens within its trigger's life. Measured from the
moment the signed request is sent to the HTTP reply, and to the `views.open` call
the fake Slack recorded."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from bot.testing.driver import SlackDriver
from models import Mentor, User
from tests.factories import make_assignment, make_mentor

#: Slack gives up on an ack after 3 s; ours must come well inside that.
ACK_WITHIN = 1.0
#: A trigger_id expires 3 s after the request that carried it.
TRIGGER_LIFE = 3.0


def rate_limit_users_info(slack: SlackDriver, times: int = 2) -> None:
    """`users.info` answers 429 with Retry-After 4 for the next `times` calls."""
    slack.fake.fail("users.info", status=429, retry_after=4, times=times)


def timed_slash(slack: SlackDriver, who: str, text: str) -> tuple[float, float]:
    """Send `/mentor text`; returns (when it was sent, seconds until the HTTP reply).
    Background work is waited for afterwards, outside the measurement."""
    body = slack.slash_body(who, "/mentor", text)
    sent_at = time.time()
    reply = slack.post_form(body, wait=False)
    replied_after = time.time() - sent_at
    assert reply.status == 200, reply.body
    slack.wait_idle()
    return sent_at, replied_after


def views_opened_after(slack: SlackDriver, sent_at: float) -> float:
    """Seconds from `sent_at` to the first `views.open` Slack received after it."""
    opens = [c.at for c in slack.fake.calls_to("views.open") if c.at >= sent_at]
    assert opens, "views.open was never called"
    return opens[0] - sent_at


def test_a_first_contact_is_acknowledged_at_once_and_their_profile_filled_after(
    slack, world, db
) -> None:  # type: ignore[no-untyped-def]
    slack.fake.add_user("UFIRST", "Fiona First", tz="Europe/Berlin")
    rate_limit_users_info(slack)

    _, replied_after = timed_slash(slack, "UFIRST", "help")

    assert replied_after < ACK_WITHIN
    assert "/mentor optin" in slack.last_ephemeral("UFIRST").all_text
    # The profile came after the ack, once Slack let us ask.
    db.expire_all()
    first = db.scalar(sa.select(User).where(User.slack_user_id == "UFIRST"))
    assert (first.name, first.timezone) == ("Fiona First", "Europe/Berlin")
    asked = slack.fake.calls_to("users.info")
    assert [c.args.get("user") for c in asked] == ["UFIRST"] * 3  # two 429s, then the answer


def test_a_first_contact_opening_app_home_is_acknowledged_at_once(slack, world) -> None:  # type: ignore[no-untyped-def]
    slack.fake.add_user("UHOME", "Hal Home")
    rate_limit_users_info(slack)
    sent_at = time.time()
    reply = slack.event(
        {"type": "app_home_opened", "user": "UHOME", "channel": "DUHOME", "tab": "home"}
    )
    assert reply.status == 200
    published = [c.at for c in slack.fake.calls_to("views.publish") if c.at >= sent_at]
    assert published and published[0] - sent_at < ACK_WITHIN  # nothing waited for users.info
    assert slack.fake.home("UHOME") is not None


def test_optin_opens_its_modal_before_asking_slack_for_the_profile(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    vera = world.veteran
    slack.fake.add_user(vera.id, vera.name, tz="America/Los_Angeles")  # moved west since import
    rate_limit_users_info(slack)

    sent_at, replied_after = timed_slash(slack, vera.id, "optin")

    assert replied_after < ACK_WITHIN
    assert views_opened_after(slack, sent_at) < TRIGGER_LIFE
    # Once Slack answered, the open modal was updated with the profile's timezone.
    assert "America/Los_Angeles" in slack.modal_text(vera)
    assert slack.submit(vera, {"Expertise": ["Renewals"], "Capacity": "2"}).ok
    db.expire_all()
    assert db.get(User, vera.user_id).timezone == "America/Los_Angeles"


def test_a_modal_opens_in_time_while_the_profile_is_still_being_fetched(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    """Vera's roster row has no timezone, so her request also starts a profile fetch,
    which Slack rate-limits; her modal opens regardless."""
    vera = world.veteran
    db.get(User, vera.user_id).timezone = None
    db.commit()
    slack.fake.add_user(vera.id, vera.name, tz="Asia/Tokyo")
    rate_limit_users_info(slack, times=3)

    sent_at, replied_after = timed_slash(slack, vera.id, "optin")

    assert replied_after < ACK_WITHIN
    assert views_opened_after(slack, sent_at) < TRIGGER_LIFE
    assert "Asia/Tokyo" in slack.modal_text(vera)
    db.expire_all()
    assert db.get(User, vera.user_id).timezone == "Asia/Tokyo"


def test_a_bot_is_refused_at_once_and_named_a_bot_once_slack_says_so(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    slack.fake.add_user("UBOTTY", "Build Bot", is_bot=True)
    rate_limit_users_info(slack, times=1)

    _, replied_after = timed_slash(slack, "UBOTTY", "optin")

    assert replied_after < ACK_WITHIN
    assert "can't opt in as a mentor" in slack.last_ephemeral("UBOTTY").all_text
    assert slack.modal("UBOTTY") is None
    # The profile fetched after that ack says it is a bot, and the next answer says so.
    assert "Bots can't be mentors" in slack.mentor("UBOTTY", "optin").all_text
    assert db.scalar(sa.select(sa.func.count()).select_from(Mentor)) == 0


MODAL_COMMANDS = {
    # who types it: the command, and the modal's title it opens
    "admin settings": ("admin", "admin", "Program settings"),
    "opt in": ("veteran", "optin", "Your mentor profile"),  # Vera mentors already
    "assign": ("manager", "assign <@UOMAR> <@UNEWT>", "Assign a mentor"),
    "log a session": ("new_hire", "log", "Log session"),
    "cancel": ("new_hire", "cancel", "Cancel mentorship"),
}


@pytest.mark.parametrize("case", sorted(MODAL_COMMANDS))
def test_every_modal_command_opens_in_time_while_users_info_is_rate_limited(
    slack, world, db, case
) -> None:  # type: ignore[no-untyped-def]
    role, text, title = MODAL_COMMANDS[case]
    who = getattr(world, role)
    make_assignment(db, make_mentor(db, world.veteran), world.new_hire)
    make_mentor(db, world.londoner)
    db.get(User, who.user_id).timezone = None  # so this request also fetches the profile
    db.commit()
    rate_limit_users_info(slack, times=1)

    sent_at, replied_after = timed_slash(slack, who.id, text)

    assert replied_after < ACK_WITHIN
    assert views_opened_after(slack, sent_at) < TRIGGER_LIFE
    assert title in slack.modal_text(who), slack.describe(who)
