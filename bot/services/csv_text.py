"""CSV files a program lead imports (the roster, trainings, tracked milestones): one
reader, so every import treats a BOM and a header's spacing alike."""

from __future__ import annotations

import csv
import io


def reader(text: str, *, lower: bool = False) -> csv.DictReader[str]:
    """The rows of `text` as dicts keyed by the header's names, trimmed (and lower-cased
    when `lower`), so "Email " finds `email`; a BOM, as Excel writes, is dropped.
    `reader.fieldnames` is the cleaned header ([] for an empty file); `line_num` is the
    line of the row just read."""
    rows = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in (rows.fieldnames or [])]
    rows.fieldnames = [h.lower() for h in header] if lower else header
    return rows
