"""What the viewer pages read: the feed, one entry, filter choices, trends, the follow-up queue.

Everything reads the columns of ``current`` (written at ingest), never the JSON documents, and
pages by keyset on (created_at, entry_id), never OFFSET, so a page costs the same at entry
1,000,000 as at entry 50. Deleted entries (tombstones) are never shown.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from earshot_sync.collector.store import Store

FOLLOW_UP_STATES = ("open", "contacted", "resolved")


class UnknownEntry(LookupError):
    """No (live) entry has this id."""


class BadFollowUp(ValueError):
    """A follow-up change that cannot be made; the message says why, in plain words."""


@dataclass(frozen=True)
class FeedFilter:
    sites: tuple[str, ...] = ()
    stations: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    sentiments: tuple[str, ...] = ()
    tag: str | None = None
    since: datetime | None = None  # aware; inclusive
    until: datetime | None = None  # aware; exclusive
    search: str = ""  # what a person typed; made safe by the reader
    needs_follow_up: bool = False


@dataclass(frozen=True)
class FeedItem:
    entry_id: str
    revision: int
    created_at: datetime  # aware, UTC
    utc_offset_minutes: int
    site: str
    station: str
    staff: str | None
    anonymous: bool
    kind: str
    sentiment: str | None
    text: str
    idea: str | None
    tags: tuple[str, ...]
    contact: str | None
    follow_up: bool
    follow_up_state: str | None  # None when follow_up is false; else open/contacted/resolved
    device_name: str
    received_at: datetime


@dataclass(frozen=True)
class Cursor:
    """A keyset position: the (created_at, entry_id) of the last item shown."""

    created_at: datetime
    entry_id: str

    def __str__(self) -> str:
        raise NotImplementedError

    @classmethod
    def parse(cls, text: str) -> Cursor | None:
        """The cursor written by ``str()``; None for anything else (it comes from a URL)."""
        raise NotImplementedError


@dataclass(frozen=True)
class Page:
    items: tuple[FeedItem, ...]
    next_cursor: Cursor | None  # None on the last page


@dataclass(frozen=True)
class FollowUpEvent:
    state: str
    note: str
    viewer_name: str
    at: datetime


@dataclass(frozen=True)
class EntryDetail:
    item: FeedItem
    events: tuple[FollowUpEvent, ...]  # oldest first
    revision_count: int  # revisions the collector holds of this entry


@dataclass(frozen=True)
class Choices:
    sites: tuple[str, ...]
    stations: tuple[str, ...]
    tags: tuple[str, ...]  # the most used in recent weeks, most used first


@dataclass(frozen=True)
class Trends:
    days: tuple[date, ...]  # every day from start to end (exclusive), in the viewer's zone
    # kind -> one count per day of ``days``; every kind in protocol.KINDS is present.
    kinds_per_day: Mapping[str, tuple[int, ...]]
    # sentiment ("negative", "neutral", "positive", and "none" for no sentiment) -> per day.
    sentiments_per_day: Mapping[str, tuple[int, ...]]
    top_tags: tuple[tuple[str, int], ...]  # most used first
    per_site: tuple[tuple[str, int], ...]  # most entries first
    total: int


class Reader:
    def __init__(self, store: Store) -> None:
        self._store = store

    def feed(self, f: FeedFilter, *, after: Cursor | None = None, limit: int = 50) -> Page:
        """Newest first; ``after`` is the previous page's ``next_cursor``."""
        raise NotImplementedError

    def newer(self, f: FeedFilter, *, than: Cursor, limit: int = 200) -> tuple[FeedItem, ...]:
        """Entries newer than ``than`` (the newest one shown), newest first: the live update."""
        raise NotImplementedError

    def entry(self, entry_id: str) -> EntryDetail | None:
        raise NotImplementedError

    def choices(self) -> Choices:
        raise NotImplementedError

    def trends(self, f: FeedFilter, *, start: date, end: date, tz: ZoneInfo) -> Trends:
        """Counts for the local days start <= day < end in ``tz`` (``f.since``/``until`` are
        ignored: the days are the range)."""
        raise NotImplementedError

    def follow_up_queue(
        self, f: FeedFilter, *, after: Cursor | None = None, limit: int = 50
    ) -> Page:
        """Entries that asked for a call-back and are not resolved, OLDEST first."""
        raise NotImplementedError

    def mark_follow_up(
        self, entry_id: str, state: str, note: str, viewer: str, now: datetime
    ) -> None:
        """Set an entry's follow-up state; UnknownEntry, BadFollowUp."""
        raise NotImplementedError

    def export(self, f: FeedFilter) -> Iterator[FeedItem]:
        """Every entry the filter matches, newest first, read in keyset batches."""
        raise NotImplementedError
