"""What the viewer pages read: the feed, one entry, filter choices, trends, the follow-up queue.

Everything reads the columns of ``current`` (written at ingest), never the JSON documents, and
pages by keyset on (created_at, entry_id), never OFFSET, so a page costs the same at entry
1,000,000 as at entry 50. Deleted entries (tombstones) are never shown.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Row,
    Select,
    and_,
    column,
    false,
    func,
    literal_column,
    or_,
    select,
    text,
    values,
)

from earshot_sync.collector import schema
from earshot_sync.collector.columns import MAX_LABEL, MAX_TAG, SHOWN
from earshot_sync.collector.storable import storable
from earshot_sync.collector.store import Store
from earshot_sync.fields import BY_NAME, Conversion, Shape
from earshot_sync.protocol import KINDS, SENTIMENTS

# What a search box's words are made of: letters and digits; everything else separates them.
# Operators, quotes, %, _ and backslashes are thereby never more than separators.
_WORD = re.compile(r"[^\W_]+")
_MAX_TERMS = 16
_MAX_TERM = 64
_MAX_SEARCH = 1000
# A word this long or longer also finds the words it begins; a shorter one only itself: "a*"
# would match nearly every entry, and a search that matches everything costs the most.
PREFIX_FROM = 3
_CURSOR_ID = re.compile(r"[0-9a-f-]{1,36}")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_TOP = 20
_RECENT_FOR_TAGS = 5000
_EXPORT_BATCH = 1000
_SENTIMENT_NONE = "none"


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
        # Microseconds since the epoch and the id: URL-safe as it is, and exact (no float).
        moment = self.created_at.astimezone(UTC)
        micros = (moment - _EPOCH) // timedelta(microseconds=1)
        return f"{micros}_{self.entry_id}"

    @classmethod
    def parse(cls, text: str) -> Cursor | None:
        """The cursor written by ``str()``; None for anything else (it comes from a URL)."""
        micros, _, entry_id = text.partition("_")
        if not _CURSOR_ID.fullmatch(entry_id) or not re.fullmatch(r"-?[0-9]{1,20}", micros):
            return None
        try:
            created_at = _EPOCH + timedelta(microseconds=int(micros))
        except OverflowError:
            return None
        return cls(created_at, entry_id)


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


def search_terms(search: str) -> list[str]:
    """The words of what a person typed into the search box (at most 16, each at most 64
    characters); the reader looks for entries that have all of them, as word beginnings
    (words shorter than ``PREFIX_FROM`` as whole words)."""
    words = _WORD.findall(unicodedata.normalize("NFC", search[:_MAX_SEARCH]))
    # Not lower-cased here: each index folds case its own way (FTS5's unicode61; PostgreSQL's
    # 'simple' by the database's locale), and does the same to the query.
    return [word[:_MAX_TERM] for word in words[:_MAX_TERMS]]


_current = schema.current
_follow_ups = schema.follow_ups
_entry_tags = schema.entry_tags
_ITEM_COLUMNS = (
    _current.c.entry_id,
    _current.c.revision,
    *(_current.c[name] for name in SHOWN),
    _follow_ups.c.state,
    _current.c.device_name,
    _current.c.received_at,
)
# How a column of ``current`` is read back into a FeedItem, by the field's shape.
_READ: dict[Shape, Callable[[Any], Any]] = {
    Shape.OFFSET: int,
    Shape.FLAG: bool,
    Shape.TAGS: lambda tags: tuple(json.loads(tags)),
}
_FROM_COLUMNS = Conversion.of(
    (BY_NAME[name] for name in SHOWN), lambda field: _READ.get(field.shape)
)


def _item(row: Row[Any]) -> FeedItem:
    m = row._mapping
    return FeedItem(
        entry_id=m["entry_id"],
        revision=int(m["revision"]),
        follow_up_state=(m["state"] or "open") if m["follow_up"] else None,
        device_name=m["device_name"],
        received_at=m["received_at"],
        **_FROM_COLUMNS.apply({name: m[name] for name in SHOWN}),
    )


def _labels(values: Sequence[str], length: int = MAX_LABEL) -> list[str]:
    return [str(value)[:length] for value in values if storable(str(value))]


class Reader:
    """Reads only: marking a call-back is :class:`~.follow_ups.FollowUps`."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._dialect = store.dialect

    # Filters

    def _search(self, search: str, ranged: bool) -> ColumnElement[bool] | None:
        if not search.strip():
            return None
        terms = search_terms(search)
        if not terms:
            # Typed something with no letters or digits (only emoji, say): nothing has it.
            return false()
        if self._dialect == "sqlite":
            # Each word quoted (a word has no quote in it) and a prefix: FTS5's query syntax
            # never sees what was typed. The text is a bound parameter, never SQL.
            query = " ".join(f'"{term}"' + _star(term, "*") for term in terms)
            matches = text("SELECT rowid FROM current_search WHERE current_search MATCH :q")
            # The matches are worked out once per statement either way. In a bounded range
            # (trends), "id + 0" keeps SQLite from walking every match for each local day: it
            # reads the range from the time index and looks each row up in the matches.
            key = _current.c.id + 0 if ranged else _current.c.id
            return key.in_(matches.bindparams(q=query).columns(literal_column("rowid", Integer)))
        # PostgreSQL's 'simple' lower-cases by the database's locale: under the C locale only
        # A-Z, so "über" would not find "Über". Each word also as lower, Capitalised and UPPER
        # case (the index folds them as it folded the text) finds it whatever the locale.
        query = " & ".join(
            "("
            + " | ".join(
                f"'{variant}'" + _star(term, ":*")
                for variant in dict.fromkeys((term, term.lower(), term.capitalize(), term.upper()))
            )
            + ")"
            for term in terms
        )
        return text(f"{schema.PG_SEARCH_VECTOR} @@ to_tsquery('simple'::regconfig, :q)").bindparams(
            q=query
        )  # type: ignore[return-value]

    def _conditions(self, f: FeedFilter, ranged: bool = False) -> list[ColumnElement[bool]]:
        """The filter as conditions on ``current``; ``ranged`` when the time range, not the
        search, should lead (counting a range rather than paging)."""
        c = _current.c
        conditions: list[ColumnElement[bool]] = [c.deleted.is_(False)]
        # An empty IN () is false: a filter whose values were all unstorable matches nothing.
        if f.sites:
            conditions.append(c.site.in_(_labels(f.sites)))
        if f.stations:
            conditions.append(c.station.in_(_labels(f.stations)))
        if f.kinds:
            conditions.append(c.kind.in_(_labels(f.kinds)))
        if f.sentiments:
            named = [v for v in _labels(f.sentiments) if v != _SENTIMENT_NONE]
            either = [c.sentiment.in_(named)] if named else []
            if _SENTIMENT_NONE in f.sentiments:
                either.append(c.sentiment.is_(None))
            conditions.append(or_(false(), *either))
        moment = _keys(f)[0]
        tags = _tag(f)
        if tags == []:
            conditions.append(false())
        elif tags is not None:
            # Joined, and the time bounds and paging on the tag's rows: one index range of
            # entry_tags(tag, created_at, entry_id) in time order, whether the tag is rare or
            # common (probing each entry's tags walked the whole time index for a rare one).
            conditions.extend([_TAGGED.c.entry_id == c.entry_id, _TAGGED.c.tag == tags[0]])
        if f.since is not None:
            conditions.append(moment >= f.since)
        if f.until is not None:
            conditions.append(moment < f.until)
        searched = self._search(f.search, ranged)
        if searched is not None:
            conditions.append(searched)
        if f.needs_follow_up:
            conditions.append(c.open_follow_up.is_(True))
        return conditions

    def _items(self, conditions: list[ColumnElement[bool]]) -> Select[Any]:
        joined = _current.outerjoin(_follow_ups, _follow_ups.c.entry_id == _current.c.entry_id)
        return select(*_ITEM_COLUMNS).select_from(joined).where(*conditions)

    def _page(
        self, f: FeedFilter, conditions: list[ColumnElement[bool]], newest_first: bool, limit: int
    ) -> Page:
        moment, entry_id = _keys(f)
        limit = max(1, min(limit, 1000))
        if self._dialect == "postgresql" and f.search.strip():
            # Sorted by an expression, so never by walking the time index: PostgreSQL has no
            # statistics of the words and, walking it, built the tsvector of every row until
            # enough matched, which for a rare word is every row. Now the GIN index finds the
            # matches and only they are sorted.
            moment = moment.op("+")(literal_column("interval '0 second'"))
        order = (moment.desc(), entry_id.desc()) if newest_first else (moment, entry_id)
        query = self._items(conditions).order_by(*order).limit(limit + 1)
        with self._store.read() as connection:
            items = tuple(_item(row) for row in connection.execute(query))
        if len(items) <= limit:
            return Page(items, None)
        items = items[:limit]
        return Page(items, Cursor(items[-1].created_at, items[-1].entry_id))

    # The feed

    def feed(self, f: FeedFilter, *, after: Cursor | None = None, limit: int = 50) -> Page:
        """Newest first; ``after`` is the previous page's ``next_cursor``."""
        conditions = self._conditions(f)
        if after is not None:
            conditions.append(_before(f, after))
        return self._page(f, conditions, newest_first=True, limit=limit)

    def newer(self, f: FeedFilter, *, than: Cursor, limit: int = 200) -> tuple[FeedItem, ...]:
        """Entries newer than ``than`` (the newest one shown), newest first: the live update.

        When more than ``limit`` are newer, these are the oldest ``limit`` of them, so that
        asking again with the newest of these as ``than`` leaves no gap."""
        conditions = [*self._conditions(f), _after(f, than)]
        page = self._page(f, conditions, newest_first=False, limit=limit)
        return tuple(reversed(page.items))

    def export(self, f: FeedFilter) -> Iterator[FeedItem]:
        """Every entry the filter matches, newest first, read in keyset batches."""
        after: Cursor | None = None
        while True:
            page = self.feed(f, after=after, limit=_EXPORT_BATCH)
            yield from page.items
            if page.next_cursor is None:
                return
            after = page.next_cursor

    def entry(self, entry_id: str) -> EntryDetail | None:
        if not _CURSOR_ID.fullmatch(entry_id):
            return None
        c = _current.c
        events = schema.follow_up_events
        revisions = schema.revisions
        with self._store.read() as connection:
            row = connection.execute(
                self._items([c.entry_id == entry_id, c.deleted.is_(False)])
            ).first()
            if row is None:
                return None
            history = connection.execute(
                select(events.c.state, events.c.note, events.c.viewer_name, events.c.at)
                .where(events.c.entry_id == entry_id)
                .order_by(events.c.id)
            ).all()
            count = connection.execute(
                select(func.count()).where(revisions.c.entry_id == entry_id)
            ).scalar_one()
        return EntryDetail(
            item=_item(row),
            events=tuple(FollowUpEvent(*event) for event in history),
            revision_count=int(count),
        )

    def choices(self) -> Choices:
        with self._store.read() as connection:
            sites = _distinct(connection, "site")
            stations = _distinct(connection, "station")
            newest = (
                select(_current.c.entry_id)
                .where(_current.c.deleted.is_(False))
                .order_by(_current.c.created_at.desc())
                .limit(_RECENT_FOR_TAGS)
            )
            tags = connection.execute(
                select(_entry_tags.c.tag)
                .where(_entry_tags.c.entry_id.in_(newest))
                .group_by(_entry_tags.c.tag)
                .order_by(func.count().desc(), _entry_tags.c.tag)
                .limit(_TOP)
            ).scalars()
            return Choices(sites, stations, tuple(tags))

    # Trends

    def trends(self, f: FeedFilter, *, start: date, end: date, tz: ZoneInfo) -> Trends:
        """Counts for the local days start <= day < end in ``tz`` (``f.since``/``until`` are
        ignored: the days are the range)."""
        days = tuple(start + timedelta(days=n) for n in range(max(0, (end - start).days)))
        kinds = {kind: [0] * len(days) for kind in KINDS}
        sentiments = {name: [0] * len(days) for name in (*SENTIMENTS, _SENTIMENT_NONE)}
        sites: dict[str, int] = {}
        total = 0
        with self._store.read() as connection:
            if days:
                # One statement for the whole range: each local day's UTC bounds (a time zone's
                # offset may change within the range) joined to its index range, so the filter,
                # a search above all, is worked out once, not once per day.
                for position, kind, feeling, site, n in connection.execute(
                    self._counts_per_day(f, days, tz)
                ):
                    kinds.setdefault(kind, [0] * len(days))[position] += n
                    sentiments.setdefault(feeling, [0] * len(days))[position] += n
                    sites[site] = sites.get(site, 0) + n
                    total += n
            top_tags = self._top_tags(connection, f, start, end, tz) if days else ()
        per_site = sorted(sites.items(), key=lambda item: (-item[1], item[0]))[:_TOP]
        return Trends(
            days=days,
            kinds_per_day={kind: tuple(counts) for kind, counts in kinds.items()},
            sentiments_per_day={name: tuple(counts) for name, counts in sentiments.items()},
            top_tags=top_tags,
            per_site=tuple(per_site),
            total=total,
        )

    def _counts_per_day(self, f: FeedFilter, days: Sequence[date], tz: ZoneInfo) -> Select[Any]:
        c = _current.c
        bounds = [
            (
                position,
                datetime.combine(day, time(), tz).astimezone(UTC),
                datetime.combine(day + timedelta(days=1), time(), tz).astimezone(UTC),
            )
            for position, day in enumerate(days)
        ]
        # A CTE, not a FROM (VALUES ...) AS t(columns): SQLite has no column list there.
        local_days = (
            values(
                column("position", Integer),
                column("low", c.created_at.type),
                column("high", c.created_at.type),
                name="local_days",
            )
            .data(bounds)
            .cte("local_days")
        )
        within = and_(c.created_at >= local_days.c.low, c.created_at < local_days.c.high)
        sentiment = func.coalesce(c.sentiment, _SENTIMENT_NONE)
        return (
            select(local_days.c.position, c.kind, sentiment, c.site, func.count())
            .select_from(local_days.join(_current, within))
            .where(
                *self._conditions(replace(f, since=bounds[0][1], until=bounds[-1][2]), ranged=True)
            )
            .group_by(local_days.c.position, c.kind, sentiment, c.site)
        )

    def _top_tags(
        self, connection: Connection, f: FeedFilter, start: date, end: date, tz: ZoneInfo
    ) -> tuple[tuple[str, int], ...]:
        begin = datetime.combine(start, time(), tz).astimezone(UTC)
        finish = datetime.combine(end, time(), tz).astimezone(UTC)
        tags = _entry_tags.c
        if replace(f, since=None, until=None) == FeedFilter():
            # No filter but the dates: entry_tags holds the time, so this is one index range
            # (a deleted entry has no tags).
            where: ColumnElement[bool] = and_(tags.created_at >= begin, tags.created_at < finish)
        else:
            # "IN (entries)", not a join: the entries lead, each probing its own tags (a join
            # left to SQLite's planner without statistics walked every tag in the store).
            matching = select(_current.c.entry_id).where(
                *self._conditions(replace(f, since=begin, until=finish), ranged=True)
            )
            where = tags.entry_id.in_(matching)
        counted = (
            select(tags.tag, func.count())
            .where(where)
            .group_by(tags.tag)
            .order_by(func.count().desc(), tags.tag)
            .limit(_TOP)
        )
        return tuple((tag, int(n)) for tag, n in connection.execute(counted))

    # Follow-ups

    def follow_up_queue(
        self, f: FeedFilter, *, after: Cursor | None = None, limit: int = 50
    ) -> Page:
        """Entries that asked for a call-back and are not resolved, OLDEST first."""
        f = replace(f, needs_follow_up=True)
        conditions = self._conditions(f)
        if after is not None:
            conditions.append(_after(f, after))
        return self._page(f, conditions, newest_first=False, limit=limit)


def _star(term: str, star: str) -> str:
    return star if len(term) >= PREFIX_FROM else ""


# entry_tags as the tag filter joins it (an alias: trends' tag count reads entry_tags itself).
_TAGGED = _entry_tags.alias("tagged")


def _tag(f: FeedFilter) -> list[str] | None:
    """The tag filter's key (one, or none when it cannot be stored); None for no tag filter."""
    if f.tag is None or not f.tag.strip():
        return None
    return _labels([f.tag.lower()], MAX_TAG)


def _keys(f: FeedFilter) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    """The (time, id) a filter's entries are bounded, ordered and paged by: the tag's rows'
    copy when it filters by tag (its index is then in time order), else current's."""
    if _tag(f):
        return _TAGGED.c.created_at, _TAGGED.c.entry_id
    return _current.c.created_at, _current.c.entry_id


def _before(f: FeedFilter, cursor: Cursor) -> ColumnElement[bool]:
    # The first term alone bounds the index range; the second drops the ties already shown.
    moment, entry_id = _keys(f)
    return and_(
        moment <= cursor.created_at,
        or_(moment < cursor.created_at, entry_id < cursor.entry_id),
    )


def _after(f: FeedFilter, cursor: Cursor) -> ColumnElement[bool]:
    moment, entry_id = _keys(f)
    return and_(
        moment >= cursor.created_at,
        or_(moment > cursor.created_at, entry_id > cursor.entry_id),
    )


# The distinct values of an indexed column of ``current``, one index probe each (a loose index
# scan: neither SQLite nor PostgreSQL skips through an index for DISTINCT by itself).
_DISTINCT = {
    "site": (
        "WITH RECURSIVE v(x) AS (SELECT min(site) FROM current UNION ALL "
        "SELECT (SELECT min(site) FROM current WHERE site > v.x) FROM v "
        "WHERE v.x IS NOT NULL) SELECT x FROM v WHERE x IS NOT NULL LIMIT 1000"
    ),
    "station": (
        "WITH RECURSIVE v(x) AS (SELECT min(station) FROM current UNION ALL "
        "SELECT (SELECT min(station) FROM current WHERE station > v.x) FROM v "
        "WHERE v.x IS NOT NULL) SELECT x FROM v WHERE x IS NOT NULL LIMIT 1000"
    ),
}


def _distinct(connection: Connection, column: str) -> tuple[str, ...]:
    return tuple(connection.execute(text(_DISTINCT[column])).scalars())
