"""The columns of ``current`` and the rows of ``entry_tags`` that one stored document makes.

Ingest (store.py) writes them with each new current revision, and migration 0002 back-filled
them from the documents already stored: one function, so the two cannot disagree.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from earshot_sync.fields import Conversion, Shape, collector_fields, field_values
from earshot_sync.protocol import parse_time

# What an index row can hold: site, station and staff names are cut to this many characters in
# their columns (the document keeps what was sent). A PostgreSQL B-tree row is at most ~2.7 kB,
# and the wire sets no bound, so a silly long name must not make the insert fail.
MAX_LABEL = 200
MAX_TAG = 100
# A clock offset beyond a day is nonsense (they run from -12 h to +14 h); the column is 32-bit.
MAX_OFFSET_MINUTES = 24 * 60


# The fields the pages and exports show, as FeedItem (reading.py) has them: those kept in
# ``current`` but "deleted", since a deleted entry is never shown.
SHOWN: tuple[str, ...] = tuple(
    field.name for field in collector_fields() if field.name != "deleted"
)


def _label(value: Any) -> str:
    return str(value)[:MAX_LABEL]


def _offset(value: Any) -> int:
    return max(-MAX_OFFSET_MINUTES, min(MAX_OFFSET_MINUTES, int(value)))


def _tags(value: Any) -> str:
    return json.dumps(list(value), ensure_ascii=False, separators=(",", ":"))


# How a valid wire value of each shape becomes its column of ``current`` (schema.py).
_COLUMN_VALUE: dict[Shape, Callable[[Any], Any]] = {
    Shape.TIME: parse_time,
    Shape.OFFSET: _offset,
    Shape.LABEL: _label,
    Shape.CHOICE: str,
    Shape.TAGS: _tags,
    Shape.FLAG: bool,
}
_KEPT = tuple(collector_fields())
_TO_COLUMNS = Conversion.of(_KEPT, lambda field: _COLUMN_VALUE.get(field.shape))


def current_columns(document: Mapping[str, Any]) -> dict[str, Any]:
    """The viewer-page columns of ``current`` for a valid stored ``document``: one per field
    kept at the collector (``earshot_sync.fields``)."""
    return _TO_COLUMNS.apply(field_values(document, _KEPT))


def tag_keys(document: Mapping[str, Any]) -> list[str]:
    """The rows of ``entry_tags`` for ``document``: its tags lower-cased, each once; none for a
    deleted entry (readers never show it)."""
    if document["deleted"]:
        return []
    keys = {str(tag).lower()[:MAX_TAG] for tag in document["tags"]}
    keys.discard("")
    return sorted(keys)
