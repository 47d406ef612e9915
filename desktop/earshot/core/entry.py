"""The entry: one thing a customer said, as the frontline heard it.

The record is immutable. A new entry is made with :func:`new_entry` from what the user typed
(an :class:`EntryInput`); an edit makes the next revision with :func:`revise`; a deletion is a
tombstone revision (:func:`tombstone`). Validation lives here and speaks to the person at the
counter, not to a programmer.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum
from typing import TypeVar

# The limits both ends share are declared with the fields; re-exported for the desktop.
from earshot_sync.fields import MAX_CONTACT as MAX_CONTACT
from earshot_sync.fields import MAX_IDEA as MAX_IDEA
from earshot_sync.fields import MAX_NAME as MAX_NAME
from earshot_sync.fields import MAX_TEXT as MAX_TEXT
from earshot_sync.fields import typed_fields

MAX_TAG = 40
MAX_TAGS = 20

DEFAULT_STATIONS: tuple[str, ...] = ("counter", "warehouse", "phone", "delivery", "other")


class Kind(StrEnum):
    PRAISE = "praise"
    COMPLAINT = "complaint"
    SUGGESTION = "suggestion"
    QUESTION = "question"
    OTHER = "other"


class Sentiment(StrEnum):
    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    POSITIVE = "positive"


# The Python type of each choice field of ``earshot_sync.fields`` (a test checks the values).
CHOICES: dict[str, type[StrEnum]] = {"kind": Kind, "sentiment": Sentiment}


def choice_reader(name: str, *, nullable: bool) -> Callable[[str], StrEnum | str | None]:
    """Reads a stored choice back as its enum; an empty one that may be null ("no mood") is
    none. A choice without its enum here (a new field) stays text, so the test that names the
    forgotten place can run."""
    choice: Callable[[str], StrEnum | str] = CHOICES.get(name, str)

    def read(value: str) -> StrEnum | str | None:
        return None if nullable and not value else choice(value)

    return read


class SyncState(StrEnum):
    """Where an entry's newest revision is on its way to the collector (the outbox)."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    NEEDS_ATTENTION = "needs_attention"


class EntryInvalid(ValueError):
    """The input cannot become an entry; ``problems`` are sentences to show as they are."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__(" ".join(self.problems))


# C0/C1 control characters other than tab and newline: NUL bytes from a clipboard, escape
# sequences from a terminal paste. They are invisible and break exports, so they go.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_TAG_SPLIT = re.compile(r"[,;]+")


def clean_text(raw: str) -> str:
    """Make pasted text safe to store without changing what a reader sees.

    Lone surrogates (half an emoji from a broken clipboard) become U+FFFD, control characters
    are dropped, line endings become ``\\n`` and the text is NFC-normalised so the same words
    always compare equal. Right-to-left text and emoji pass through untouched.
    """
    # Through UTF-16 a surrogate pair joins into its character and a lone half fails to decode.
    text = raw.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    return unicodedata.normalize("NFC", text)


def clean_line(raw: str | None) -> str:
    """One line of text (a name, a station, a contact): cleaned, no line breaks, trimmed."""
    if raw is None:
        return ""
    return " ".join(clean_text(raw).split())


def parse_tags(raw: str | Iterable[str]) -> tuple[str, ...]:
    """Tags as typed ("late delivery, price" or a list): lower-case, unique, in order."""
    parts = _TAG_SPLIT.split(raw) if isinstance(raw, str) else list(raw)
    seen: dict[str, None] = {}
    for part in parts:
        tag = clean_line(part).strip("#,; ").lower()
        if tag:
            seen.setdefault(tag, None)
    return tuple(seen)


@dataclass(frozen=True)
class EntryInput:
    """What a person typed or picked: loose, unvalidated, as a form or the command line has it."""

    text: str
    kind: Kind | str = Kind.OTHER
    station: str = "counter"
    staff: str | None = None
    sentiment: Sentiment | str | None = None
    tags: str | Sequence[str] = ()
    contact: str | None = None
    follow_up: bool = False
    idea: str | None = None  # what the person who heard it thinks the company could do
    anonymous: bool = False  # "don't record my name": the entry never keeps ``staff``


@dataclass(frozen=True)
class Entry:
    """One revision of one entry, valid by construction (see :func:`validate`)."""

    id: uuid.UUID
    revision: int
    created_at: datetime  # UTC, aware
    utc_offset_minutes: int  # the recording PC's offset from UTC at created_at
    device_id: str
    site: str
    station: str
    staff: str | None
    kind: Kind
    sentiment: Sentiment | None
    text: str
    tags: tuple[str, ...] = ()
    contact: str | None = None
    follow_up: bool = False
    idea: str | None = None
    anonymous: bool = False  # then ``staff`` is None: validate() sees to it
    deleted: bool = False
    revised_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __post_init__(self) -> None:
        # validate() drops the name of an anonymous entry; this makes sure no other way of
        # making an entry (a journal row, a saved revision, a test) can carry one either.
        if self.anonymous and self.staff is not None:
            raise ValueError("an anonymous entry carries no name (staff must be None)")

    def local_created_at(self) -> datetime:
        """The time as the clock on the wall of the recording PC showed it."""
        return self.created_at.astimezone(timezone(timedelta(minutes=self.utc_offset_minutes)))


@dataclass(frozen=True)
class _Checked:
    text: str
    kind: Kind
    station: str
    staff: str | None
    sentiment: Sentiment | None
    tags: tuple[str, ...]
    contact: str | None
    follow_up: bool
    idea: str | None
    anonymous: bool


_E = TypeVar("_E", bound=StrEnum)


def _choice(enum: type[_E], value: _E | str, what: str, problems: list[str]) -> _E | None:
    try:
        return enum(str(value).strip().lower())
    except ValueError:
        choices = ", ".join(member.value for member in enum)
        problems.append(f'"{value}" is not a {what}. Pick one of: {choices}.')
        return None


def validate(data: EntryInput, stations: Sequence[str] | None = None) -> _Checked:
    """Clean and check what was typed; raise :class:`EntryInvalid` with every problem at once."""
    problems: list[str] = []
    text = clean_text(data.text).strip()
    if not text:
        problems.append("Write down what the customer said: the text is empty.")
    elif len(text) > MAX_TEXT:
        problems.append(
            f"The text is too long: {len(text):,} characters, and an entry holds up to "
            f"{MAX_TEXT:,}. Shorten it, or split it into two entries."
        )
    kind = _choice(Kind, data.kind, "kind of feedback", problems)
    sentiment = (
        None
        if data.sentiment in (None, "")
        else _choice(Sentiment, data.sentiment or "", "mood", problems)
    )
    station = clean_line(data.station).lower()
    if not station:
        problems.append("Pick where you heard it (the station).")
    elif stations is not None and station not in stations:
        problems.append(f'"{station}" is not a station here. Pick one of: {", ".join(stations)}.')
    elif len(station) > MAX_NAME:
        problems.append(f"The station name is too long (up to {MAX_NAME} characters).")
    idea = clean_text(data.idea or "").strip() or None
    if idea is not None and len(idea) > MAX_IDEA:
        problems.append(
            f"Your idea is too long: {len(idea):,} characters, and it holds up to {MAX_IDEA:,}. "
            "Shorten it; the customer's own words can be longer."
        )
    anonymous = bool(data.anonymous)
    # "Don't record my name" wins over any name the form or the settings filled in: the name
    # is dropped here, before anything is stored, so no layer below ever sees it.
    staff = None if anonymous else clean_line(data.staff) or None
    if staff is not None and len(staff) > MAX_NAME:
        problems.append(f"The name is too long (up to {MAX_NAME} characters).")
    contact = clean_line(data.contact) or None
    if contact is not None and len(contact) > MAX_CONTACT:
        problems.append(f"The customer's contact is too long (up to {MAX_CONTACT} characters).")
    tags = parse_tags(data.tags)
    if len(tags) > MAX_TAGS:
        problems.append(f"Too many tags: {len(tags)}. Use up to {MAX_TAGS}.")
    long_tags = [tag for tag in tags if len(tag) > MAX_TAG]
    if long_tags:
        problems.append(f"A tag is too long (up to {MAX_TAG} characters): {long_tags[0][:20]}…")
    if problems or kind is None:
        raise EntryInvalid(problems)
    return _Checked(
        text,
        kind,
        station,
        staff,
        sentiment,
        tags,
        contact,
        bool(data.follow_up),
        idea,
        anonymous,
    )


def _now_and_offset(now: datetime | None) -> tuple[datetime, int]:
    """The moment in UTC and the UTC offset of the clock it was read from (this PC's by default)."""
    local = datetime.now(UTC).astimezone() if now is None else now
    offset = local.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    return local.astimezone(UTC), minutes


def new_entry(
    data: EntryInput,
    *,
    device_id: str,
    site: str,
    stations: Sequence[str] | None = None,
    now: datetime | None = None,
) -> Entry:
    """A first revision, with a fresh client-made UUID."""
    checked = validate(data, stations)
    created, offset = _now_and_offset(now)
    return Entry(
        id=uuid.uuid4(),
        revision=1,
        created_at=created,
        utc_offset_minutes=offset,
        device_id=device_id,
        site=clean_line(site),
        revised_at=created,
        **dataclasses.asdict(checked),
    )


def revise(
    entry: Entry,
    data: EntryInput,
    *,
    stations: Sequence[str] | None = None,
    now: datetime | None = None,
) -> Entry:
    """The next revision of ``entry`` with the fields from ``data``; identity and time stay."""
    checked = validate(data, stations)
    return dataclasses.replace(
        entry,
        revision=entry.revision + 1,
        revised_at=(now or datetime.now(UTC)).astimezone(UTC),
        deleted=False,
        **dataclasses.asdict(checked),
    )


def tombstone(entry: Entry, *, now: datetime | None = None) -> Entry:
    """A deletion, as the next revision: the collector learns of it, nothing vanishes silently."""
    return dataclasses.replace(
        entry,
        revision=entry.revision + 1,
        revised_at=(now or datetime.now(UTC)).astimezone(UTC),
        deleted=True,
    )


def as_input(entry: Entry) -> EntryInput:
    """The fields of ``entry`` as a form would hold them, for editing."""
    return EntryInput(**{field.name: getattr(entry, field.name) for field in typed_fields()})
