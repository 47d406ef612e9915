"""The entry as wire data (``earshot_sync.fields``): the journal's revisions, the outbox, exports.

Both directions are derived from the declared fields and their shapes, so a new field needs no
line here.
"""

from __future__ import annotations

import operator
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from earshot.core.entry import Entry, choice_reader
from earshot_sync.fields import FIELD_NAMES, FIELDS, EntryField, Shape

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


def _from_wire(field: EntryField) -> Callable[[Any], Any] | None:
    if field.shape is Shape.CHOICE:
        return choice_reader(field.name, nullable=field.nullable)
    return _FROM_WIRE.get(field.shape)


# Every value is read at once, and only the shapes that need it are converted: to_dict runs on
# every save and from_dict on every revision read back, so a loop of calls per field would be
# most of their time.
_read_fields = operator.attrgetter(*FIELD_NAMES)
_ENCODERS = tuple(
    (field.name, _TO_WIRE[field.shape]) for field in FIELDS if field.shape in _TO_WIRE
)
_REQUIRED = tuple(field.name for field in FIELDS if not field.optional)
# Revisions saved before an optional field existed do not have it: it reads as its default.
_OPTIONAL = tuple((field.name, field.default) for field in FIELDS if field.optional)
_DECODERS = tuple(
    (field.name, decode, field.shape is Shape.FLAG)
    for field in FIELDS
    if (decode := _from_wire(field)) is not None
)


def to_dict(entry: Entry) -> dict[str, Any]:
    """``entry`` as the wire and the revision history have it."""
    document = dict(zip(FIELD_NAMES, _read_fields(entry), strict=True))
    for name, encode in _ENCODERS:
        value = document[name]
        if value is not None:
            document[name] = encode(value)
    return document


def from_dict(data: dict[str, Any]) -> Entry:
    """The entry of a revision saved by :func:`to_dict` (by this or an older version)."""
    values = {name: data[name] for name in _REQUIRED}
    for name, default in _OPTIONAL:
        values[name] = data.get(name, default)
    for name, decode, is_flag in _DECODERS:
        value = values[name]
        # A flag is never null: bool(None) is False, as a row from before it existed reads.
        if value is not None or is_flag:
            values[name] = decode(value)
    return Entry(**values)
