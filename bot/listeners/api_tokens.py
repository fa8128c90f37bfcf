"""`/mentor api-token [new NAME | list | revoke NAME]`: a person's own API tokens."""

from __future__ import annotations

from slack_bolt import App

from bot.blocks import api_tokens as blocks
from bot.listeners.commands import Invocation, subcommand
from bot.services import api_tokens


def register(app: App) -> None:
    """Sub-commands register on import; nothing else to add."""


@subcommand(
    "api-token",
    usage="/mentor api-token [new NAME | list | revoke NAME]",
    summary="Your own token for MentorBot's REST API (acts with your rights), shown once.",
    order=90,
)
def api_token(inv: Invocation) -> None:
    action, _, rest = inv.args.strip().partition(" ")
    action = action.lower() or "new"
    name = rest.strip()
    now = inv.runtime.now()
    if action == "revoke" and not name:
        inv.reply("Say which: `/mentor api-token revoke NAME` (`list` shows the names).")
        return
    if action not in ("new", "list", "revoke"):
        inv.reply(
            f"I don't know `{action}`. Type `/mentor api-token` for a new token, "
            "`/mentor api-token list` or `/mentor api-token revoke NAME`."
        )
        return
    # The answer goes out once the transaction has committed: a token shown must work.
    with inv.runtime.db() as db:
        if action == "list":
            answer = blocks.listing(
                api_tokens.list_tokens(db, user_id=inv.actor.id), inv.actor.timezone
            )
        elif action == "revoke":
            answer = blocks.revoked(api_tokens.revoke(db, user_id=inv.actor.id, ref=name, now=now))
        else:
            answer = blocks.issued(
                api_tokens.issue_personal(db, user_id=inv.actor.id, name=name or None, now=now)
            )
    inv.reply(*answer)
