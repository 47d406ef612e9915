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
from earshot_sync.fields import FIELD_NAMES, FIELDS, Conversion, EntryField, Shape, field_values

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


# Every value is read at once (to_dict runs on every save, from_dict on every revision read
# back), and only the shapes that need it are converted.
_read_fields = operator.attrgetter(*FIELD_NAMES)
_ENCODE = Conversion.of(FIELDS, lambda field: _TO_WIRE.get(field.shape))
_DECODE = Conversion.of(FIELDS, _from_wire)


def to_dict(entry: Entry) -> dict[str, Any]:
    """``entry`` as the wire and the revision history have it."""
    return _ENCODE.apply(dict(zip(FIELD_NAMES, _read_fields(entry), strict=True)))


def from_dict(data: dict[str, Any]) -> Entry:
    """The entry of a revision saved by :func:`to_dict` (by this or an older version)."""
    return Entry(**_DECODE.apply(field_values(data, FIELDS)))
