"""The Earshot sync protocol, version 1: the one module both the sender and the collector import.

It is written down for people in ``docs/protocol.md``; this module is its executable form and
uses only the standard library, so that the desktop bundle needs nothing more to speak it.

``POST /api/v1/entries`` takes a :class:`Batch` (JSON, optionally gzip-encoded) and answers
``200`` with one :class:`Result` per entry, in the order sent. ``GET /api/v1/info`` answers an
:class:`Info`. Both need ``Authorization: Bearer <device token>``.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from earshot_sync import fields

PROTOCOL_VERSION = 1
ENTRIES_PATH = "/api/v1/entries"
INFO_PATH = "/api/v1/info"
OPENAPI_PATH = "/api/v1/openapi.json"

# What a collector allows unless its /info says otherwise.
DEFAULT_MAX_ENTRIES = 500
DEFAULT_MAX_BYTES = 2 * 1024 * 1024
# The most a sender takes from a collector's /info: a mistyped limit (or a hostile answer) must
# not make it claim the whole outbox or build one huge body in memory.
MAX_INFO_ENTRIES = 1000
MAX_INFO_BYTES = 8 * 1024 * 1024

KINDS = fields.KINDS
SENTIMENTS = fields.SENTIMENTS
MAX_TEXT = fields.MAX_TEXT
MAX_IDEA = fields.MAX_IDEA

# The fields of an entry on the wire (declared in ``fields``), and whether each may be null.
ENTRY_FIELDS: Mapping[str, tuple[type, bool]] = {
    field.name: (field.wire_type, field.nullable) for field in fields.required_fields()
}

# Fields added to version 1 after it shipped: a sender may leave them out (an older desktop does),
# and then each has its default. Type, may be null, default.
OPTIONAL_FIELDS: Mapping[str, tuple[type, bool, Any]] = {
    field.name: (field.wire_type, field.nullable, field.default)
    for field in fields.optional_fields()
}

# Every field of an entry on the wire, required ones first: what a collector keeps and exports.
WIRE_FIELDS: tuple[str, ...] = (*ENTRY_FIELDS, *OPTIONAL_FIELDS)

# The order values are checked in (and their problems listed): ids, counts, times and choices
# first, then the words and tags in the declared order.
_CHECK_ORDER = {
    fields.Shape.ID: 0,
    fields.Shape.COUNT: 1,
    fields.Shape.TIME: 2,
    fields.Shape.CHOICE: 3,
}
_CHECKED: tuple[fields.EntryField, ...] = tuple(
    sorted(fields.FIELDS, key=lambda field: _CHECK_ORDER.get(field.shape, 4))
)


class ResultStatus(StrEnum):
    STORED = "stored"  # new at the collector
    DUPLICATE = "duplicate"  # the collector already had this revision: success, not a new row
    CONFLICT = "conflict"  # same id and revision, different content
    REJECTED = "rejected"  # the entry is not valid; ``reason`` says why

    @property
    def acknowledged(self) -> bool:
        """The collector holds this revision; the sender may mark it sent."""
        return self in (ResultStatus.STORED, ResultStatus.DUPLICATE)


@dataclass(frozen=True)
class Result:
    id: str
    revision: int
    status: ResultStatus
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "revision": self.revision,
            "status": self.status.value,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Info:
    protocol: int
    max_entries: int
    max_bytes: int
    server_time: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "protocol": self.protocol,
            "max_entries": self.max_entries,
            "max_bytes": self.max_bytes,
            "server_time": self.server_time.isoformat(),
        }


class NotOurAnswer(ValueError):
    """A 2xx answer whose body is not the protocol's JSON (a captive portal, a proxy's page)."""


class ProtocolMismatch(ValueError):
    """The collector speaks another version of the protocol: a person must update one side."""


def parse_time(value: Any) -> datetime:
    """An ISO-8601 time with a UTC offset, in UTC; ValueError (only) for anything else."""
    if not isinstance(value, str):
        raise ValueError("not a time")
    try:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError("a time without a UTC offset")
        return moment.astimezone(UTC)
    except (OverflowError, OSError) as error:
        # A time near year 1 or 9999 can leave datetime's range once moved to UTC
        # ("0001-01-01T00:00:00+05:00"): a bad time, never a crash that fails the whole batch.
        raise ValueError(f"a time out of range: {error}") from error


def _has_nul(value: Any) -> bool:
    # A loop, not recursion: a list nested a few hundred deep (which json.loads reads) would
    # raise RecursionError, a 500 for the whole batch.
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str) and "\x00" in item:
            return True
        if isinstance(item, list):
            pending.extend(item)
    return False


def _id_problems(entry_id: str) -> list[str]:
    # uuid.UUID also reads upper case, braces, 32 bare digits and "urn:uuid:"; the store keys on
    # the text, so each spelling of one UUID would become a row of its own. Only one is allowed.
    try:
        canonical = str(uuid.UUID(entry_id))
    except ValueError:
        return ["'id' is not a UUID"]
    if entry_id != canonical:
        return [f"'id' must be written as a lower-case UUID with hyphens, like '{canonical}'"]
    return []


def _value_problems(field: fields.EntryField, entry: Mapping[str, Any]) -> list[str]:
    """Why the (well-typed) value of ``field`` in ``entry`` is not valid."""
    name, value = field.name, entry.get(field.name, field.default)
    if value is None:
        return []
    shape = field.shape
    if shape is fields.Shape.ID:
        return _id_problems(value)
    if shape is fields.Shape.COUNT and value < 1:
        return [f"'{name}' must be 1 or more"]
    if shape is fields.Shape.TIME:
        try:
            parse_time(value)
        except ValueError:
            return [f"'{name}' is not an ISO-8601 time with a UTC offset"]
    if shape is fields.Shape.CHOICE and value not in field.choices:
        null = " or null" if field.nullable else ""
        return [f"'{name}' must be one of {', '.join(field.choices)}{null}"]
    if shape is fields.Shape.TAGS and not all(isinstance(tag, str) for tag in value):
        return [f"'{name}' must be a list of strings"]
    problems = []
    if not field.blank_ok and not entry["deleted"] and not value.strip():
        problems.append(f"'{name}' is empty")
    # The words' limit holds at both ends; a label is cut to fit at the collector instead.
    limit = field.max_length if shape is fields.Shape.TEXT else None
    if limit is not None and len(value) > limit:
        problems.append(f"'{name}' is longer than {field.max_length} characters")
    return problems


def entry_problems(entry: Any) -> list[str]:
    """Why ``entry`` is not a valid wire entry (empty when it is)."""
    if not isinstance(entry, Mapping):
        return ["an entry must be a JSON object"]
    problems: list[str] = []
    for name, (kind, nullable) in ENTRY_FIELDS.items():
        if name not in entry:
            problems.append(f"'{name}' is missing")
            continue
        value = entry[name]
        if value is None and nullable:
            continue
        # bool is an int in Python; a revision of `true` is still wrong.
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            problems.append(f"'{name}' has the wrong type")
    for name, (kind, nullable, _default) in OPTIONAL_FIELDS.items():
        value = entry.get(name)
        if name in entry and not (value is None and nullable) and not isinstance(value, kind):
            problems.append(f"'{name}' has the wrong type")
    if problems:
        return problems
    for field in _CHECKED:
        problems.extend(_value_problems(field, entry))
    # The value is never quoted back: the reason is logged and shown on the sending PC.
    if entry.get("anonymous") is True and entry["staff"] is not None:
        problems.append(
            "'staff' must be null when 'anonymous' is true: an anonymous entry carries no name"
        )
    # json.dumps writes NUL as the escape "\\u0000", so look at the values themselves.
    if any(_has_nul(entry.get(name)) for name in WIRE_FIELDS):
        problems.append("the entry contains a NUL character")
    return problems


def wire_entry(entry: Mapping[str, Any], *, defaults: bool = False) -> dict[str, Any]:
    """The protocol's fields of a valid ``entry``; unknown extras are left behind.

    An optional field the sender left out stays out (the entry as sent), or with ``defaults``
    is written with its default (for a reader: an old entry is then not anonymous, no idea).
    """
    document = {name: entry[name] for name in ENTRY_FIELDS}
    for name, (_kind, _nullable, default) in OPTIONAL_FIELDS.items():
        if name in entry or defaults:
            document[name] = entry.get(name, default)
    return document


def content_digest(entry: Mapping[str, Any]) -> str:
    """A digest of an entry's content, the same on both ends: equal digests, equal revisions.

    An optional field at its default is left out, so an entry from a sender that never heard of
    it (an older desktop) and the same entry with the default written out have one digest, and
    the digests stored before the field existed still match: a re-send stays a ``duplicate``.
    """
    fields = {name: entry.get(name) for name in ENTRY_FIELDS}
    for name, (_kind, _nullable, default) in OPTIONAL_FIELDS.items():
        value = entry.get(name, default)
        # "is", not "==": the defaults are None and False, and 0 == False.
        if value is not default:
            fields[name] = value
    canonical = json.dumps(
        fields,
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def encode_batch(entries: Sequence[Mapping[str, Any]], sent_at: datetime) -> bytes:
    document = {"sent_at": sent_at.astimezone(UTC).isoformat(), "entries": list(entries)}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def decode_results(body: bytes, sent: Sequence[Mapping[str, Any]]) -> list[Result]:
    """The per-entry results of a 2xx answer to ``sent``; :class:`NotOurAnswer` if it is not ours.

    Every entry sent must have exactly one result; an answer that does not say something of each
    is not trusted for any of them.
    """
    try:
        document = json.loads(body)
        raw_results = document["results"]
        results = [
            Result(
                id=str(item["id"]),
                revision=int(item["revision"]),
                status=ResultStatus(item["status"]),
                reason=item.get("reason"),
            )
            for item in raw_results
        ]
    except (ValueError, KeyError, TypeError) as error:
        raise NotOurAnswer(f"the answer is not an Earshot result list ({error})") from error
    expected = {(str(entry["id"]), int(entry["revision"])) for entry in sent}
    answered = {(result.id, result.revision) for result in results}
    if answered != expected or len(results) != len(sent):
        raise NotOurAnswer("the answer's results do not match the entries sent")
    return results


def decode_info(body: bytes) -> Info:
    """A collector's information, its limits kept within reason; :class:`NotOurAnswer` if it is
    not ours, :class:`ProtocolMismatch` if it speaks another version."""
    try:
        document = json.loads(body)
        info = Info(
            protocol=int(document["protocol"]),
            max_entries=min(MAX_INFO_ENTRIES, max(1, int(document["max_entries"]))),
            max_bytes=min(MAX_INFO_BYTES, max(1024, int(document["max_bytes"]))),
            server_time=parse_time(document["server_time"]),
        )
    # OverflowError: int() of an infinity (JSON's "Infinity" or 1e999).
    except (ValueError, KeyError, TypeError, OverflowError) as error:
        raise NotOurAnswer(f"the answer is not Earshot collector information ({error})") from error
    if info.protocol != PROTOCOL_VERSION:
        raise ProtocolMismatch(
            f"Needs attention: the collector speaks version {info.protocol} of the sync protocol "
            f"and this app speaks version {PROTOCOL_VERSION}, so nothing can be sent. Ask IT to "
            "update Earshot or the collector; every entry stays queued until then"
        )
    return info
