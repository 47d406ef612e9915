"""The entry as wire data (``earshot_sync.fields``): the journal's revisions, the outbox, exports.

Both directions are derived from the declared fields and their shapes, so a new field needs no
line here.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from earshot.core.entry import Entry, choice_reader
from earshot_sync.fields import FIELDS, EntryField, Shape

_TO_WIRE: dict[Shape, Callable[[Any], Any]] = {
    Shape.ID: str,
    Shape.TIME: datetime.isoformat,
    Shape.CHOICE: lambda member: member.value,
    Shape.TAGS: list,
}


_FROM_WIRE: dict[Shape, Callable[[Any], Any]] = {
    Shape.ID: uuid.UUID,
    Shape.COUNT: int,
    Shape.OFFSET: int,
    Shape.TIME: datetime.fromisoformat,
    Shape.TAGS: tuple,
    Shape.FLAG: bool,
}


def _from_wire(field: EntryField) -> Callable[[Any], Any]:
    if field.shape is Shape.CHOICE:
        return choice_reader(field.name, nullable=field.nullable)
    return _FROM_WIRE.get(field.shape, _same)


def _same(value: Any) -> Any:
    return value


_ENCODERS: tuple[tuple[str, Callable[[Any], Any]], ...] = tuple(
    (field.name, _TO_WIRE.get(field.shape, _same)) for field in FIELDS
)
_DECODERS: tuple[tuple[EntryField, Callable[[Any], Any]], ...] = tuple(
    (field, _from_wire(field)) for field in FIELDS
)


def to_dict(entry: Entry) -> dict[str, Any]:
    """``entry`` as the wire and the revision history have it."""
    document: dict[str, Any] = {}
    for name, encode in _ENCODERS:
        value = getattr(entry, name)
        document[name] = None if value is None else encode(value)
    return document


def from_dict(data: dict[str, Any]) -> Entry:
    """The entry of a revision saved by :func:`to_dict` (by this or an older version)."""
    values: dict[str, Any] = {}
    for field, decode in _DECODERS:
        # Revisions saved before an optional field existed do not have it.
        value = data.get(field.name, field.default) if field.optional else data[field.name]
        # A flag is never null (bool(None) is False, as a row from before it existed reads).
        keep_none = value is None and field.shape is not Shape.FLAG
        values[field.name] = None if keep_none else decode(value)
    return Entry(**values)
