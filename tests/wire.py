"""One valid wire entry for tests, as a desktop sends it (protocol.ENTRY_FIELDS)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any


def make_entry(**changes: Any) -> dict[str, Any]:
    """A valid wire entry (a new id each time) with ``changes`` applied."""
    now = datetime.now(UTC).isoformat()
    entry: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "revision": 1,
        "created_at": now,
        "utc_offset_minutes": 60,
        "device_id": "pc-7",
        "site": "Berlin Mitte",
        "station": "counter",
        "staff": "Ana",
        "kind": "complaint",
        "sentiment": "negative",
        "text": "The queue was far too long at lunchtime.",
        "tags": ["queue"],
        "contact": None,
        "follow_up": False,
        "deleted": False,
        "revised_at": now,
    }
    entry.update(changes)
    return entry
