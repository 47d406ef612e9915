"""An entry as a row of the journal's ``entries`` table and back, derived from its fields.

Like the wire (``earshot.core.codec``), but times are the journal's fixed-width text (so they
sort as they read) and tags a JSON list in one column.
"""

from __future__ import annotations

import json
import operator
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import RowMapping

from earshot.core.entry import Entry, choice_reader
from earshot.core.journal.schema import COLUMN_NAMES
from earshot.core.journal.timefmt import from_db, to_db
from earshot_sync.fields import FIELD_NAMES, FIELDS, Conversion, EntryField, Shape


def _tags_to_db(tags: tuple[str, ...]) -> str:
    return json.dumps(list(tags), ensure_ascii=False)


def _tags_from_db(text: str) -> tuple[str, ...]:
    return tuple(json.loads(text))


_TO_DB: dict[Shape, Callable[[Any], Any]] = {
    Shape.ID: str,
    Shape.TIME: to_db,
    Shape.CHOICE: lambda member: member.value,
    Shape.TAGS: _tags_to_db,
}
_FROM_DB: dict[Shape, Callable[[Any], Any]] = {
    Shape.ID: uuid.UUID,
    Shape.TIME: from_db,
    Shape.TAGS: _tags_from_db,
    Shape.FLAG: bool,
}


def _reader(field: EntryField) -> Callable[[Any], Any] | None:
    if field.shape is Shape.CHOICE:
        return choice_reader(field.name, nullable=field.nullable)
    return _FROM_DB.get(field.shape)


# All values at once, and only the shapes that need it converted (as in codec.py): save() and
# every page of the log run these.
_read_fields = operator.attrgetter(*FIELD_NAMES)
_COLUMNS = tuple(COLUMN_NAMES[name] for name in FIELD_NAMES)
_TO_ROW = Conversion.of(
    FIELDS, lambda field: _TO_DB.get(field.shape), key=lambda field: COLUMN_NAMES[field.name]
)
_FROM_ROW = Conversion.of(FIELDS, _reader)


def entry_columns(entry: Entry) -> dict[str, Any]:
    """The ``entries`` columns of ``entry`` (not the outbox's)."""
    return _TO_ROW.apply(dict(zip(_COLUMNS, _read_fields(entry), strict=True)))


def entry_from_row(data: RowMapping) -> Entry:
    """The entry of an ``entries`` row."""
    values = {name: data[column] for name, column in zip(FIELD_NAMES, _COLUMNS, strict=True)}
    _FROM_ROW.apply(values)
    # The app never stores a name on an anonymous row, but a hand-edited or damaged file may:
    # the name is dropped (Entry refuses the pair), so the entry is still shown and sent, and
    # anonymously, as the person asked.
    if values["anonymous"]:
        values["staff"] = None
    return Entry(**values)
