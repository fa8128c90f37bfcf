"""What `/mentor api-token` answers: a new token (shown once), the list, a revocation."""

from __future__ import annotations

from bot.blocks import dates, kit
from bot.services.api_tokens import Issued, TokenView


def issued(result: Issued) -> tuple[str, list[kit.Block]]:
    text = (
        f"Your API token *{result.view.name}* (shown this once; keep it secret): `{result.token}`"
    )
    return text, [
        kit.section(text),
        kit.context(
            "It acts as you, with exactly your rights in MentorBot: send it as "
            "`Authorization: Bearer <token>` to `/api/...` (documented at `/api/docs`). "
            f"Revoke it with `/mentor api-token revoke {result.view.name}`."
        ),
    ]


def listing(tokens: list[TokenView], zone: str | None) -> tuple[str, list[kit.Block]]:
    """The reader's tokens, dated in their timezone (`zone`)."""
    if not tokens:
        text = "You have no API tokens. `/mentor api-token new NAME` makes one."
        return text, [kit.section(text)]
    lines = [_line(t, zone) for t in tokens]
    text = "Your API tokens:\n" + "\n".join(lines)
    return text, [kit.section(text)]


def revoked(token: TokenView) -> tuple[str, list[kit.Block]]:
    text = f"Revoked *{token.name}* (`{token.prefix}…`): it no longer works."
    return text, [kit.section(text)]


def _line(t: TokenView, zone: str | None) -> str:
    state = f"revoked {dates.local_day(t.revoked_at, zone)}" if t.revoked_at else "live"
    used = f", last used {dates.local_day(t.last_used_at, zone)}" if t.last_used_at else ""
    made = dates.local_day(t.created_at, zone)
    return f"• *{t.name}* `{t.prefix}…` made {made}{used or ', never used'}: {state}"
