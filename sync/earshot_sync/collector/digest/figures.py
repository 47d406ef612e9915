"""The digest's figures, read from the collector's store with aggregate queries.

Nothing here loads a month of entries: counts are grouped in the database (a handful of rows
per site), and the quotes are picked from a bounded sample per theme (ordered by entry id,
which is random, so the sample is spread over the month and the same each time).

Month and week edges are moments computed in Python in the caller's time zone and compared
with ``created_at`` (UTC) in SQL, so both SQLite and PostgreSQL count the same local days
without either's date functions, summer time included. Deleted entries are never counted.
"""

from __future__ import annotations

import functools
import operator
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    case,
    exists,
    false,
    func,
    literal,
    select,
    true,
)

from earshot_sync.collector import schema
from earshot_sync.collector.digest.model import (
    KINDS,
    CallBacks,
    Digest,
    Feelings,
    KindCount,
    SiteDigest,
    TagCount,
    Theme,
    Week,
)
from earshot_sync.collector.digest.month import Month, local_midnight
from earshot_sync.collector.digest.quotes import Quote, Said, choose
from earshot_sync.collector.store import Store

TOP_TAGS = 5
THEMES = 3
QUOTES_PER_THEME = 2
IDEAS = 4
# Entries read per theme to pick its quotes from: enough to see what is said often.
SAMPLE = 300
# Characters read of each text for quotes: a quote is its start, a few sentences at most.
LONGEST_READ = 1000
# How many known sites an "unknown site" message names.
SITES_NAMED = 12

_current = schema.current
_tags = schema.entry_tags
_follow_ups = schema.follow_ups


class UnknownSite(LookupError):
    """No entry was ever heard at this site; the message names the sites there are."""


def read_digest(
    connection: Connection,
    month: Month,
    tz: ZoneInfo,
    *,
    site: str | None = None,
    now: datetime,
) -> Digest:
    """The digest for ``month`` (days in ``tz``), for one ``site`` or for every site.

    Every site with entries this month or last month gets a page; :class:`UnknownSite` when
    ``site`` names no site at all (a near spelling, like other capitals, is accepted).
    """
    if site is not None:
        site = resolve_site(connection, site)
    reading = _Reading(connection, month, tz, site)
    counts = reading.counts()
    tags = reading.tags()
    names = sorted(counts, key=lambda name: (name.casefold(), name)) if site is None else [site]
    sites = tuple(
        reading.site_digest(name, counts.get(name, _SiteCounts()), tags.get(name, {}))
        for name in names
    )
    return Digest(month=month, time_zone=tz.key, made_at=now, site=site, sites=sites)


def resolve_site(connection: Connection, name: str) -> str:
    """The stored site ``name`` means: itself, or the one site equal to it but for case and
    spaces; :class:`UnknownSite` otherwise."""
    live = _current.c.deleted == false()
    found = connection.execute(
        select(_current.c.site).where(_current.c.site == name, live).limit(1)
    ).first()
    if found is not None:
        return name
    known: list[str] = [
        str(row[0])
        for row in connection.execute(
            select(_current.c.site).where(live).distinct().order_by(_current.c.site).limit(1000)
        )
    ]
    wanted = " ".join(name.split()).casefold()
    close = [
        known_site for known_site in known if " ".join(known_site.split()).casefold() == wanted
    ]
    if len(close) == 1:
        return close[0]
    if not known:
        raise UnknownSite(f"No site called '{name}': nothing has been heard at any site yet.")
    shown = ", ".join(f"'{known_site}'" for known_site in known[:SITES_NAMED])
    more = f" and {len(known) - SITES_NAMED} more" if len(known) > SITES_NAMED else ""
    raise UnknownSite(f"No site called '{name}'. The sites are: {shown}{more}.")


# (kind, sentiment, bucket) -> entries; bucket -1 is last month, 0.. the weeks of this month.
_Counts = dict[tuple[str, str | None, int], int]


@dataclass
class _SiteCounts:
    entries: _Counts = field(default_factory=dict)
    # This month's entries with no tag, per kind; call-backs; entries with an idea.
    untagged: dict[str, int] = field(default_factory=dict)
    call_backs: CallBacks = field(default_factory=CallBacks)
    ideas: int = 0


class _Reading:
    def __init__(self, connection: Connection, month: Month, tz: ZoneInfo, site: str | None):
        self.connection = connection
        self.month = month
        self.weeks = month.weeks()
        self.last_month_start = month.previous().start(tz)
        self.week_starts = [local_midnight(first, tz) for first, _ in self.weeks]
        self.start = self.week_starts[0]
        self.end = month.end(tz)
        self.site = site

    def _live(self, since: datetime, until: datetime) -> list[ColumnElement[bool]]:
        conditions = [
            _current.c.deleted == false(),
            _current.c.created_at >= since,
            _current.c.created_at < until,
        ]
        if self.site is not None:
            conditions.append(_current.c.site == self.site)
        return conditions

    def _bucket(self) -> ColumnElement[Any]:
        whens: list[tuple[ColumnElement[bool], int]] = [(_current.c.created_at < self.start, -1)]
        whens += [
            (_current.c.created_at < next_start, week)
            for week, next_start in enumerate(self.week_starts[1:])
        ]
        return case(*whens, else_=len(self.week_starts) - 1)

    def counts(self) -> dict[str, _SiteCounts]:
        """Every count but the tags'."""
        counts: dict[str, _SiteCounts] = defaultdict(_SiteCounts)
        self._kinds_and_moods(counts)
        self._call_backs_and_ideas(counts)
        return counts

    def _kinds_and_moods(self, counts: dict[str, _SiteCounts]) -> None:
        # Two months, read from the created_at index alone (it holds site, kind, mood and
        # deleted) and the tags' primary key: no entry's row is read.
        inner = (
            select(
                _current.c.site,
                _current.c.kind,
                _current.c.sentiment,
                self._bucket().label("bucket"),
                case((self._has_tags(), 0), else_=1).label("untagged"),
            )
            .where(*self._live(self.last_month_start, self.end))
            .subquery()
        )
        # Grouped in an outer query: PostgreSQL does not see a CASE with bound parameters in
        # the select list and in GROUP BY as the same expression.
        group = (inner.c.site, inner.c.kind, inner.c.sentiment, inner.c.bucket)
        rows = self.connection.execute(
            select(*group, func.count(), func.sum(inner.c.untagged)).group_by(*group)
        )
        for site, kind, sentiment, bucket, number, untagged in rows:
            found = counts[site]
            key = (kind, sentiment, int(bucket))
            found.entries[key] = found.entries.get(key, 0) + int(number)
            if int(bucket) >= 0:
                found.untagged[kind] = found.untagged.get(kind, 0) + int(untagged)

    def _call_backs_and_ideas(self, counts: dict[str, _SiteCounts]) -> None:
        # This month only: whether an entry has an idea is in its row.
        asked = _current.c.follow_up == true()
        state = _follow_ups.c.state

        def entries_where(condition: ColumnElement[bool]) -> ColumnElement[Any]:
            return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

        rows = self.connection.execute(
            select(
                _current.c.site,
                entries_where(asked),
                entries_where(and_(asked, state == "contacted")),
                entries_where(and_(asked, state == "resolved")),
                entries_where(func.length(func.trim(_current.c.idea)) > 0),
            )
            .select_from(
                _current.outerjoin(_follow_ups, _follow_ups.c.entry_id == _current.c.entry_id)
            )
            .where(*self._live(self.start, self.end))
            .group_by(_current.c.site)
        )
        for site, asked_, contacted, done, ideas in rows:
            counts[site].call_backs = CallBacks(int(asked_), int(contacted), int(done))
            counts[site].ideas = int(ideas)

    def _period(self) -> ColumnElement[Any]:
        return case((_current.c.created_at >= self.start, 1), else_=0)

    def tags(self) -> dict[str, dict[str, tuple[int, int]]]:
        """site -> tag -> (entries this month, entries last month)."""
        inner = (
            select(_current.c.site, _tags.c.tag, self._period().label("this"))
            .select_from(_current.join(_tags, _tags.c.entry_id == _current.c.entry_id))
            .where(*self._live(self.last_month_start, self.end))
            .subquery()
        )
        rows = self.connection.execute(
            select(inner.c.site, inner.c.tag, inner.c.this, func.count()).group_by(
                inner.c.site, inner.c.tag, inner.c.this
            )
        )
        found: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
        for site, tag, this, number in rows:
            now, was = found[site].get(tag, (0, 0))
            found[site][tag] = (now + int(number), was) if this else (now, was + int(number))
        return found

    def _has_tags(self) -> ColumnElement[bool]:
        return exists(select(literal(1)).where(_tags.c.entry_id == _current.c.entry_id))

    def _sample(self, column: Any, site: str, *conditions: ColumnElement[bool]) -> list[Said]:
        rows = self.connection.execute(
            select(
                _current.c.entry_id,
                func.substr(column, 1, LONGEST_READ),
                _current.c.kind,
                _current.c.station,
            )
            .where(*self._live(self.start, self.end), _current.c.site == site, *conditions)
            .order_by(_current.c.entry_id)
            .limit(SAMPLE)
        )
        return [Said(entry_id, text, kind, station) for entry_id, text, kind, station in rows]

    def site_digest(
        self, site: str, found: _SiteCounts, tags: dict[str, tuple[int, int]]
    ) -> SiteDigest:
        counts, untagged = found.entries, found.untagged
        call_backs, ideas_total = found.call_backs, found.ideas
        kinds = tuple(
            KindCount(
                kind,
                sum(n for (k, _, b), n in counts.items() if _kind(k) == kind and b >= 0),
                sum(n for (k, _, b), n in counts.items() if _kind(k) == kind and b < 0),
            )
            for kind in KINDS
        )
        weeks = tuple(
            Week(first, last, _feelings(counts, functools.partial(operator.eq, week)))
            for week, (first, last) in enumerate(self.weeks)
        )
        top_tags = tuple(
            TagCount(tag, now, was)
            for tag, (now, was) in sorted(tags.items(), key=lambda item: (-item[1][0], item[0]))
            if now > 0
        )[:TOP_TAGS]
        themes = self._themes(site, top_tags, untagged)
        ideas: tuple[Quote, ...] = ()
        if ideas_total:
            # An entry's idea may be shown beside its customer's words above: they are not
            # the same words.
            said = self._sample(_current.c.idea, site, func.length(func.trim(_current.c.idea)) > 0)
            ideas = choose(said, IDEAS)
        return SiteDigest(
            site=site,
            kinds=kinds,
            weeks=weeks,
            feelings=_feelings(counts, lambda bucket: bucket >= 0),
            feelings_last_month=_feelings(counts, lambda bucket: bucket < 0),
            top_tags=top_tags,
            themes=themes,
            ideas=ideas,
            ideas_total=ideas_total,
            call_backs=call_backs,
        )

    def _themes(
        self, site: str, top_tags: Sequence[TagCount], untagged: dict[str, int]
    ) -> tuple[Theme, ...]:
        # A theme is a top tag, or a kind for the entries with no tag; the most heard first.
        candidates: list[tuple[int, int, str, str | None, str | None]] = [
            (-tag.this_month, 0, tag.tag, tag.tag, None) for tag in top_tags
        ] + [(-number, 1, kind, None, kind) for kind, number in untagged.items() if number > 0]
        themes: list[Theme] = []
        taken: list[str] = []
        for negative_count, _, _, tag, kind in sorted(candidates)[:THEMES]:
            if tag is not None:
                said = self._sample(
                    _current.c.text,
                    site,
                    exists(
                        select(literal(1)).where(
                            _tags.c.entry_id == _current.c.entry_id, _tags.c.tag == tag
                        )
                    ),
                )
            else:
                said = self._sample(
                    _current.c.text, site, _current.c.kind == kind, ~self._has_tags()
                )
            quotes = choose(said, QUOTES_PER_THEME, taken=taken)
            taken += [quote.entry_id for quote in quotes]
            themes.append(Theme(tag, kind, -negative_count, quotes))
        return tuple(themes)


def _kind(kind: str) -> str:
    return kind if kind in KINDS else "other"


def _feelings(counts: _Counts, in_bucket: Callable[[int], bool]) -> Feelings:
    totals = {"positive": 0, "neutral": 0, "negative": 0, "unsaid": 0}
    for (_, sentiment, bucket), number in counts.items():
        if in_bucket(bucket):
            mood = sentiment if sentiment in totals and sentiment != "unsaid" else "unsaid"
            totals[mood] += number
    return Feelings(**totals)


def build_digest(
    store: Store,
    month: Month,
    *,
    tz: ZoneInfo | None = None,
    site: str | None = None,
    now: datetime,
) -> Digest:
    """:func:`read_digest` on one read connection of ``store`` (days in UTC unless ``tz``)."""
    with store.read() as connection:
        return read_digest(connection, month, tz or ZoneInfo("UTC"), site=site, now=now)
