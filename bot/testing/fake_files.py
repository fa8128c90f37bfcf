"""Files in the fake Slack: the upload flow Slack has today, as strict as Slack.

1. `files.getUploadURLExternal` (filename, length) answers an upload URL and a file id;
2. the bytes are POSTed to that URL (served by the fake, like files.slack.com);
3. `files.completeUploadExternal` (files=[{id, title}], channel_id) finishes the upload
   and shares the files in the channel.

Refused as Slack refuses: a token without the `files:write` scope (the scopes are
read from manifest.yml, the app's real list), a file over the size limit, a
completion for a file whose bytes never arrived (or arrived short). An image block
may show a file (`slack_file: {id}`) only once it is complete and shared where the
block is shown, as Slack answers `invalid_blocks` otherwise."""

from __future__ import annotations

import itertools
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Slack's limit for one file.
MAX_FILE_BYTES = 1024**3
UPLOAD_PATH = "/upload/"
MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"


@dataclass
class FakeFile:
    id: str
    filename: str
    length: int
    alt_txt: str = ""
    title: str = ""
    data: bytes | None = None
    completed: bool = False
    channels: set[str] = field(default_factory=set)


def manifest_bot_scopes(path: Path = MANIFEST) -> set[str] | None:
    """The bot scopes listed in the app manifest (None when it is not beside the code,
    as in an installed package)."""
    if not path.exists():
        return None
    scopes: set[str] = set()
    inside = False
    for line in path.read_text().splitlines():
        stripped = line.split("#", 1)[0].rstrip()
        if re.match(r"^\s+bot:\s*$", stripped):
            inside = True
            continue
        if inside:
            item = re.match(r"^\s+-\s+(\S+)\s*$", stripped)
            if item:
                scopes.add(item.group(1))
            elif stripped.strip():
                break
    return scopes


class FakeFiles:
    """The files part of the fake Web API (mixed into FakeSlack); `base` is the fake's
    address and the handlers run under its lock."""

    base: str
    _lock: threading.RLock

    def reset_files(self) -> None:
        self.files: dict[str, FakeFile] = {}
        self.scopes: set[str] | None = manifest_bot_scopes()
        self.max_file_bytes = MAX_FILE_BYTES
        self._file_ids = itertools.count(1)

    def _missing_scope(self, scope: str) -> dict[str, Any] | None:
        if self.scopes is None or scope in self.scopes:
            return None
        return {
            "ok": False,
            "error": "missing_scope",
            "needed": scope,
            "provided": ",".join(sorted(self.scopes)),
        }

    def api_files_getUploadURLExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        refused = self._missing_scope("files:write")
        if refused:
            return refused
        filename = str(args.get("filename") or "")
        try:
            length = int(args.get("length") or 0)
        except (TypeError, ValueError):
            return {"ok": False, "error": "invalid_arguments"}
        if not filename or length <= 0:
            return {"ok": False, "error": "missing_argument"}
        if length > self.max_file_bytes:
            return {"ok": False, "error": "file_upload_size_restricted"}
        file_id = f"F{next(self._file_ids):08d}"
        self.files[file_id] = FakeFile(file_id, filename, length, str(args.get("alt_txt") or ""))
        return {"ok": True, "upload_url": f"{self.base}{UPLOAD_PATH}{file_id}", "file_id": file_id}

    def handle_upload(self, file_id: str, data: bytes) -> tuple[int, bytes]:
        """The bytes POSTed to an upload URL: 200 "OK - <size>" as Slack answers."""
        with self._lock:
            upload = self.files.get(file_id)
            if upload is None or upload.completed:
                return 404, b"not found"
            if len(data) > self.max_file_bytes:
                return 413, b"file too large"
            upload.data = data
            return 200, f"OK - {len(data)}".encode()

    def api_files_completeUploadExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        refused = self._missing_scope("files:write")
        if refused:
            return refused
        entries = args.get("files")
        if not isinstance(entries, list) or not entries:
            return {"ok": False, "error": "invalid_arguments"}
        uploads = []
        for entry in entries:
            upload = self.files.get(str(entry.get("id", "")))
            # An upload whose bytes never arrived (or arrived short) has no file to finish.
            if upload is None or upload.data is None or len(upload.data) != upload.length:
                return {"ok": False, "error": "file_not_found"}
            uploads.append((upload, str(entry.get("title") or upload.filename)))
        channel = str(args.get("channel_id") or "")
        if channel.startswith(("U", "W")):
            channel = "D" + channel
        for upload, title in uploads:
            upload.completed = True
            upload.title = title
            if channel:
                upload.channels.add(channel)
        return {
            "ok": True,
            "files": [{"id": u.id, "title": u.title, "name": u.filename} for u, _t in uploads],
        }

    def slack_file_error(self, blocks: Any, where: str) -> dict[str, Any] | None:
        """Slack's `invalid_blocks` for an image block whose file isn't complete and
        shared in `where` (a channel, or the DM of the person whose home it is)."""
        for index, block in enumerate(blocks or []):
            if not isinstance(block, dict) or block.get("type") != "image":
                continue
            source = block.get("slack_file")
            if source is None:
                continue
            upload = self.files.get(str(source.get("id", "")))
            if upload is None or not upload.completed or where not in upload.channels:
                return {
                    "ok": False,
                    "error": "invalid_blocks",
                    "errors": [f"invalid slack file [json-pointer:/blocks/{index}/slack_file]"],
                }
        return None

    def uploaded(self, channel: str) -> list[FakeFile]:
        """The files shared in a channel (a DM: "D" + user id), in upload order."""
        with self._lock:
            return [f for f in self.files.values() if f.completed and channel in f.channels]
