"""`/mentor help`, `/mentor` alone and unknown sub-commands all show the help; to
someone the roster knows as they are, at once (no database, no Bolt)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from bot.listeners.commands import SUBCOMMANDS
from bot.testing.driver import SlackDriver
from bot.testing.fake_slack import TEAM_ID
from bot.testing.harness import ServedApp
from models import AuditEntry, User
from tests.conftest import SIGNING_SECRET
from tests.statements import work_done


@pytest.mark.parametrize("text", ["help", "", "HELP", "frobnicate"])
def test_help_lists_every_subcommand(slack, text: str) -> None:  # type: ignore[no-untyped-def]
    reply = slack.mentor("UNEWT", text)
    for entry in SUBCOMMANDS.values():
        assert entry.usage in reply.all_text
        assert entry.summary in reply.all_text
    assert reply.ephemeral_for == "UNEWT"


def test_unknown_subcommand_says_so(slack) -> None:  # type: ignore[no-untyped-def]
    reply = slack.mentor("UNEWT", "frobnicate now")
    assert "I don't know `/mentor frobnicate`" in reply.all_text


def test_help_has_one_line_per_subcommand(slack) -> None:  # type: ignore[no-untyped-def]
    reply = slack.mentor("UNEWT", "help")
    lines = [line for line in reply.all_text.splitlines() if line.strip().startswith("`/mentor")]
    assert len(lines) == len(SUBCOMMANDS)


def test_help_says_so_when_the_roster_cannot_be_read(slack, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the roster is unreachable")

    monkeypatch.setattr("bot.services.first_contact.by_slack_id", broken)
    reply = slack.mentor("UNEWT", "help")  # a 500 would fail here: Slack shows an error
    assert "nothing was saved" in reply.all_text


def test_help_is_answered_in_the_ack_with_no_call_to_slack(slack, world) -> None:  # type: ignore[no-untyped-def]
    slack.mentor(world.veteran, "help")  # their first contact, made before this test's count
    before = len(slack.fake.calls)
    reply = slack.mentor(world.veteran, "help")
    assert "/mentor optin" in reply.all_text
    assert slack.fake.calls[before:] == []  # no response_url post, no Web API call


def test_a_known_persons_help_reads_no_roster_and_runs_no_bolt(
    slack, world, served, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    slack.mentor(world.veteran, "help")  # their first contact
    slack.wait_idle()
    with work_done(served, monkeypatch) as done:
        reply = slack.mentor(world.veteran, "help")
    assert "/mentor optin" in reply.all_text
    assert reply.ephemeral_for == world.veteran.id
    assert done == {"statements": [], "dispatched": []}


def test_someone_met_before_the_server_started_gets_the_help_at_once(  # type: ignore[no-untyped-def]
    slack, world, settings, fake_slack, monkeypatch
) -> None:
    """A restart (a deploy, another replica): everyone who used MentorBot before is
    answered at once once the new server has served anyone, not only after asking again."""
    slack.mentor(world.veteran, "help")  # their first contact, on the server before
    slack.wait_idle()
    restarted = ServedApp(settings).start()
    try:
        again = SlackDriver(fake_slack, restarted.url, SIGNING_SECRET, restarted.executor.wait_idle)
        again.mentor(world.new_hire, "help")  # the first request the new server serves
        again.wait_idle()
        with work_done(restarted, monkeypatch) as done:
            reply = again.mentor(world.veteran, "help")
    finally:
        restarted.stop()
    assert "/mentor optin" in reply.all_text
    assert done == {"statements": [], "dispatched": []}


def test_a_newcomers_help_still_records_their_first_contact(slack, world, db) -> None:  # type: ignore[no-untyped-def]
    for _ in range(2):  # a second help changes nothing more
        assert "/mentor optin" in slack.mentor(world.new_hire, "help").all_text
        assert "/mentor optin" in slack.mentor("UNEWT", "help").all_text
        slack.wait_idle()
    db.expire_all()
    for who in (world.new_hire.id, "UNEWT"):
        user = db.scalar(sa.select(User).where(User.slack_user_id == who))
        assert user is not None and user.team_id == TEAM_ID
        contacts = db.scalars(
            sa.select(AuditEntry.action).where(
                AuditEntry.entity_id == str(user.id), AuditEntry.action == "user.first_contact"
            )
        ).all()
        assert len(contacts) == 1


def test_help_from_another_workspace_is_refused_even_for_someone_known_here(slack, world) -> None:  # type: ignore[no-untyped-def]
    slack.mentor(world.veteran, "help")
    slack.wait_idle()
    elsewhere = {**slack.slash_body(world.veteran, "/mentor", "help"), "team_id": "TOTHERORG"}
    shown = len(slack.fake.ephemeral(world.veteran.id))
    reply = slack.post_form(elsewhere)
    assert (reply.status, reply.body) == (200, "")
    assert len(slack.fake.ephemeral(world.veteran.id)) == shown
