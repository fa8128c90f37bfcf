"""Charts in Slack: uploaded with Slack's current flow (files.getUploadURLExternal,
the bytes, files.completeUploadExternal, as slack_sdk's files_upload_v2 does) into
the person's DM with the bot, where image blocks can show them."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk import WebClient

from bot.blocks import kit
from bot.charts import Chart

#: Slack's limit for a file's description (alt_txt).
ALT_TEXT_LIMIT = 1000


def share_charts(
    client: WebClient, slack_user_id: str, charts: Sequence[Chart], *, comment: str
) -> dict[str, kit.Block]:
    """Upload the drawn charts as PNGs into the person's DM with the bot and answer an
    image block per chart key. Charts that only say "not enough data yet" are not
    uploaded: the text says so already. Slack errors propagate to the caller."""
    drawn = [c for c in charts if c.drawn]
    if not drawn:
        return {}
    channel = client.conversations_open(users=slack_user_id)["channel"]["id"]
    response = client.files_upload_v2(
        file_uploads=[
            {
                "content": chart.render("png"),
                "filename": chart.filename,
                "title": chart.title,
                "alt_txt": kit.truncate(chart.alt_text, ALT_TEXT_LIMIT),
            }
            for chart in drawn
        ],
        channel=channel,
        initial_comment=comment,
    )
    files = response.get("files") or []
    return {
        chart.key: kit.image_file(file["id"], chart.alt_text, chart.title)
        for chart, file in zip(drawn, files, strict=True)
    }
