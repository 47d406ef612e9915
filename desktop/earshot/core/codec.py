"""The entry as plain JSON-ready data: the journal's revision history and the exports use it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from earshot.core.entry import Entry, Kind, Sentiment

FIELDS: tuple[str, ...] = (
    "id",
    "revision",
    "created_at",
    "utc_offset_minutes",
    "device_id",
    "site",
    "station",
    "staff",
    "kind",
    "sentiment",
    "text",
    "tags",
    "contact",
    "follow_up",
    "idea",
    "anonymous",
    "deleted",
    "revised_at",
)


def to_dict(entry: Entry) -> dict[str, Any]:
    return {
        "id": str(entry.id),
        "revision": entry.revision,
        "created_at": entry.created_at.isoformat(),
        "utc_offset_minutes": entry.utc_offset_minutes,
        "device_id": entry.device_id,
        "site": entry.site,
        "station": entry.station,
        "staff": entry.staff,
        "kind": entry.kind.value,
        "sentiment": entry.sentiment.value if entry.sentiment else None,
        "text": entry.text,
        "tags": list(entry.tags),
        "contact": entry.contact,
        "follow_up": entry.follow_up,
        "idea": entry.idea,
        "anonymous": entry.anonymous,
        "deleted": entry.deleted,
        "revised_at": entry.revised_at.isoformat(),
    }


def from_dict(data: dict[str, Any]) -> Entry:
    return Entry(
        id=uuid.UUID(data["id"]),
        revision=int(data["revision"]),
        created_at=datetime.fromisoformat(data["created_at"]),
        utc_offset_minutes=int(data["utc_offset_minutes"]),
        device_id=data["device_id"],
        site=data["site"],
        station=data["station"],
        staff=data["staff"],
        kind=Kind(data["kind"]),
        sentiment=Sentiment(data["sentiment"]) if data["sentiment"] else None,
        text=data["text"],
        tags=tuple(data["tags"]),
        contact=data["contact"],
        follow_up=bool(data["follow_up"]),
        # Revisions saved before these fields existed have neither.
        idea=data.get("idea"),
        anonymous=bool(data.get("anonymous", False)),
        deleted=bool(data["deleted"]),
        revised_at=datetime.fromisoformat(data["revised_at"]),
    )
