"""The columns of ``current`` and the rows of ``entry_tags`` that one stored document makes.

Ingest (store.py) writes them with each new current revision, and migration 0002 back-filled
them from the documents already stored: one function, so the two cannot disagree.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from earshot_sync.protocol import parse_time

# What an index row can hold: site, station and staff names are cut to this many characters in
# their columns (the document keeps what was sent). A PostgreSQL B-tree row is at most ~2.7 kB,
# and the wire sets no bound, so a silly long name must not make the insert fail.
MAX_LABEL = 200
MAX_TAG = 100
# A clock offset beyond a day is nonsense (they run from -12 h to +14 h); the column is 32-bit.
MAX_OFFSET_MINUTES = 24 * 60


def _label(value: Any) -> str:
    return str(value)[:MAX_LABEL]


def current_columns(document: Mapping[str, Any]) -> dict[str, Any]:
    """The viewer-page columns of ``current`` for a valid stored ``document``."""
    staff = document["staff"]
    offset = int(document["utc_offset_minutes"])
    return {
        "deleted": bool(document["deleted"]),
        "created_at": parse_time(document["created_at"]),
        "utc_offset_minutes": max(-MAX_OFFSET_MINUTES, min(MAX_OFFSET_MINUTES, offset)),
        "site": _label(document["site"]),
        "station": _label(document["station"]),
        "staff": None if staff is None else _label(staff),
        # Older desktops do not send these two yet: missing means no idea, not anonymous.
        "anonymous": bool(document.get("anonymous", False)),
        "kind": str(document["kind"]),
        "sentiment": document["sentiment"],
        "text": document["text"],
        "idea": document.get("idea"),
        "tags": json.dumps(list(document["tags"]), ensure_ascii=False, separators=(",", ":")),
        "contact": document["contact"],
        "follow_up": bool(document["follow_up"]),
    }


def tag_keys(document: Mapping[str, Any]) -> list[str]:
    """The rows of ``entry_tags`` for ``document``: its tags lower-cased, each once; none for a
    deleted entry (readers never show it)."""
    if document["deleted"]:
        return []
    keys = {str(tag).lower()[:MAX_TAG] for tag in document["tags"]}
    keys.discard("")
    return sorted(keys)
