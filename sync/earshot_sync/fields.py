"""The fields of an entry, declared once: both ends of the wire derive their handling from here.

How to add a field to an entry (say "till number", a short line of text):

1. Declare it in :data:`FIELDS` below with its :class:`Shape` and limits. If desktops already
   in the shops do not send it, make it ``optional`` (the wire then accepts it missing and
   reads its default). From this line alone come: the wire checks (``protocol``), the
   collector's OpenAPI model, the journal's and the collector's columns, the desktop's codec,
   the revision history and all three exports.
2. Add the attribute to ``Entry`` and ``EntryInput`` in ``earshot/core/entry.py`` and clean or
   check it in ``validate`` (what it means to a person is not derivable).
3. Write a migration for the journal (``earshot/core/journal/migrations/versions``) and, if it
   is ``at_collector``, one for the collector (``earshot_sync/collector/migrations/versions``).
4. Show it: the quick entry's form, the log, ``earshot add``, the collector's feed and entry
   page. ``docs/architecture.md`` lists the files; ``tests/test_entry_fields.py`` names the
   place that was forgotten.

This module is the bottom of the house: it imports only the standard library, so the
collector, the sender and the desktop's core can all stand on it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

MAX_TEXT = 10_000
MAX_IDEA = 2_000
MAX_CONTACT = 200
MAX_NAME = 100  # a person's or a station's name, as typed at the desktop
MAX_SITE = 100
MAX_DEVICE_ID = 64

KINDS: tuple[str, ...] = ("praise", "complaint", "suggestion", "question", "other")
SENTIMENTS: tuple[str, ...] = ("negative", "neutral", "positive")


class Shape(StrEnum):
    """What kind of value a field holds, which says how every part stores and checks it."""

    ID = "id"  # the entry's UUID: lower-case text on the wire
    COUNT = "count"  # a whole number from 1 (the revision)
    TIME = "time"  # ISO-8601 with a UTC offset on the wire; an aware datetime in Python
    OFFSET = "offset"  # minutes from UTC of the recording PC's clock
    LABEL = "label"  # one line that pages filter on (site, station, name): the collector
    #                  cuts it to fit an index row, the document keeps what was sent
    LINE = "line"  # one line of text that nobody filters on (a contact, the device id)
    TEXT = "text"  # words, line breaks allowed; ``max_length`` is checked at both ends
    CHOICE = "choice"  # one of ``choices``
    TAGS = "tags"  # a list of short texts
    FLAG = "flag"  # yes or no


# The JSON type of each shape on the wire.
WIRE_TYPES: dict[Shape, type] = {
    Shape.ID: str,
    Shape.COUNT: int,
    Shape.TIME: str,
    Shape.OFFSET: int,
    Shape.LABEL: str,
    Shape.LINE: str,
    Shape.TEXT: str,
    Shape.CHOICE: str,
    Shape.TAGS: list,
    Shape.FLAG: bool,
}


@dataclass(frozen=True)
class EntryField:
    name: str
    shape: Shape
    nullable: bool = False
    # Added to version 1 of the protocol after it shipped: a sender may leave it out, and a
    # reader then takes ``default`` (None when nullable, else False for a flag).
    optional: bool = False
    max_length: int | None = None
    choices: tuple[str, ...] = ()
    # Only a tombstone (a deleted entry) may leave it blank.
    blank_ok: bool = True
    # A column of the collector's ``current`` table, shown on its pages and in its exports.
    at_collector: bool = True
    # Typed or picked by a person (the quick entry, the entry dialog, ``earshot add``), not
    # made by the app (ids, times, the device and site).
    typed: bool = False

    def __post_init__(self) -> None:
        # A sender may leave an optional field out, and readers take its default: None, or
        # False for a flag. Any other optional field would have no default to take.
        if self.optional and not (self.nullable or self.shape is Shape.FLAG):
            raise ValueError(f"{self.name}: an optional field is nullable or a flag")

    @property
    def wire_type(self) -> type:
        return WIRE_TYPES[self.shape]

    @property
    def default(self) -> bool | None:
        """What a reader takes for an optional field the sender left out."""
        return None if self.nullable else False


# In the order the revision history and the desktop's export have them; a new field goes last
# but two, before "deleted" and "revised_at".
FIELDS: tuple[EntryField, ...] = (
    EntryField("id", Shape.ID, at_collector=False),  # the collector keys it as entry_id
    EntryField("revision", Shape.COUNT, at_collector=False),
    EntryField("created_at", Shape.TIME),
    EntryField("utc_offset_minutes", Shape.OFFSET),
    EntryField("device_id", Shape.LINE, max_length=MAX_DEVICE_ID, at_collector=False),
    EntryField("site", Shape.LABEL, max_length=MAX_SITE),
    EntryField("station", Shape.LABEL, max_length=MAX_NAME, typed=True),
    EntryField("staff", Shape.LABEL, nullable=True, max_length=MAX_NAME, typed=True),
    EntryField("kind", Shape.CHOICE, choices=KINDS, typed=True),
    EntryField("sentiment", Shape.CHOICE, nullable=True, choices=SENTIMENTS, typed=True),
    EntryField("text", Shape.TEXT, max_length=MAX_TEXT, blank_ok=False, typed=True),
    EntryField("tags", Shape.TAGS, typed=True),
    EntryField("contact", Shape.LINE, nullable=True, max_length=MAX_CONTACT, typed=True),
    EntryField("follow_up", Shape.FLAG, typed=True),
    # What the person who heard the customer thinks the company could do.
    EntryField("idea", Shape.TEXT, nullable=True, optional=True, max_length=MAX_IDEA, typed=True),
    # "Don't record my name": then ``staff`` must be null.
    EntryField("anonymous", Shape.FLAG, optional=True, typed=True),
    EntryField("deleted", Shape.FLAG),
    EntryField("revised_at", Shape.TIME, at_collector=False),
)

FIELD_NAMES: tuple[str, ...] = tuple(field.name for field in FIELDS)
BY_NAME: dict[str, EntryField] = {field.name: field for field in FIELDS}


def required_fields() -> Iterator[EntryField]:
    return (field for field in FIELDS if not field.optional)


def optional_fields() -> Iterator[EntryField]:
    return (field for field in FIELDS if field.optional)


def typed_fields() -> Iterator[EntryField]:
    """The fields a person fills in (``EntryInput`` in the desktop's core)."""
    return (field for field in FIELDS if field.typed)


def collector_fields() -> Iterator[EntryField]:
    """The fields the collector keeps as columns of ``current`` (and shows and exports)."""
    return (field for field in FIELDS if field.at_collector)


Convert = Callable[[Any], Any]


@dataclass(frozen=True)
class Conversion:
    """Field values turned, shape by shape, into what one part stores (a column, the wire).

    Only the fields whose shape needs it are converted, a null stays null, and a flag is never
    null (``bool(None)`` is False, as a value from before the field existed reads). Built once
    per part; :meth:`apply` runs on every save, revision read and stored document, so it is a
    loop over the converted fields only.
    """

    converters: tuple[tuple[str, Convert, bool], ...]  # key, how, convert a null too

    @classmethod
    def of(
        cls,
        fields: Iterable[EntryField],
        convert: Callable[[EntryField], Convert | None],
        key: Callable[[EntryField], str] = lambda field: field.name,
    ) -> Conversion:
        """``convert`` gives each field's converter, None where its value stays as it is."""
        return cls(
            tuple(
                (key(field), how, field.shape is Shape.FLAG)
                for field in fields
                if (how := convert(field)) is not None
            )
        )

    def apply(self, values: dict[str, Any]) -> dict[str, Any]:
        """Convert ``values`` (keyed as built) in place, and return them."""
        for key, how, convert_null in self.converters:
            value = values[key]
            if value is not None or convert_null:
                values[key] = how(value)
        return values


def field_values(document: Mapping[str, Any], fields: Iterable[EntryField]) -> dict[str, Any]:
    """The values of ``fields`` in a wire ``document``; an optional field a sender left out (an
    older desktop) has its default."""
    return {
        field.name: document.get(field.name, field.default)
        if field.optional
        else document[field.name]
        for field in fields
    }
