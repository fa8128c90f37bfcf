"""Charts in Slack: uploaded with Slack's current flow (files.getUploadURLExternal,
the bytes, files.completeUploadExternal, as slack_sdk's files_upload_v2 does) into
the person's DM with the bot, where image blocks can show them."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import kit

if TYPE_CHECKING:  # matplotlib is imported on the first chart drawn
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


def failure_reason(error: Exception) -> str:
    """Slack's error code (e.g. `missing_scope`) or the kind of failure, for one line."""
    if isinstance(error, SlackApiError):
        return str(error.response.get("error") or "Slack refused")
    return type(error).__name__


#: A cached chart is drawn again after this long even if the data has not changed
#: (figures such as expected sessions move with the date alone).
HOME_CHART_MAX_AGE = timedelta(hours=1)


@dataclass(frozen=True)
class _Cached:
    version: str
    made_at: datetime
    blocks: list[kit.Block]


class HomeCache:
    """App Home blocks per person, kept while the data's version is the same and for at
    most HOME_CHART_MAX_AGE, so opening the home doesn't redraw or re-upload a chart."""

    def __init__(self, limit: int | None = None) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, _Cached] = {}
        #: At most this many people's blocks (the least recently made go first), so
        #: memory stays bounded however many people open their home.
        self._limit = limit

    def get_or_make(
        self,
        who: str,
        version: str,
        now: datetime,
        make: Callable[[], tuple[list[kit.Block], bool]],
    ) -> list[kit.Block]:
        """The cached blocks, or those `make()` answers with whether to keep them."""
        with self._lock:
            cached = self._entries.get(who)
        if cached and cached.version == version and now - cached.made_at < HOME_CHART_MAX_AGE:
            return cached.blocks
        blocks, keep = make()
        if keep:
            with self._lock:
                self._entries.pop(who, None)  # re-inserted last: the newest
                self._entries[who] = _Cached(version, now, blocks)
                while self._limit is not None and len(self._entries) > self._limit:
                    del self._entries[next(iter(self._entries))]
        return blocks

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
