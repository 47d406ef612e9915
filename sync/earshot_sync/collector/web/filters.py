"""The filter form: query parameters in, a :class:`FeedFilter` (or plain-words problems) out.

Every filtered view is a URL, so these names are the shareable interface: site, station, kind,
sentiment, tag, from, to (dates in the viewer's zone, both included), q (words to search for),
follow_up, and cursor (where the next page starts). Anything typed into a URL is checked here:
a mistake becomes a sentence on the page, never a 500.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from starlette.datastructures import QueryParams

from earshot_sync.collector.reading import Cursor, FeedFilter
from earshot_sync.protocol import KINDS, SENTIMENTS

MAX_SEARCH = 200
MAX_VALUE = 200  # a site, station or tag name
MAX_VALUES = 20  # repeats of one parameter (site=a&site=b...)
FIRST_YEAR, LAST_YEAR = 1900, 2999
FILTER_NAMES = ("site", "station", "kind", "sentiment", "tag", "from", "to", "q", "follow_up")
_TRUE = ("1", "on", "true", "yes")
# "none": entries logged without a mood (the reader's name for a null sentiment).
MOODS = (*SENTIMENTS, "none")


@dataclass(frozen=True)
class FilterForm:
    """What the viewer asked for, as typed (to fill the form again) and as a filter."""

    sites: tuple[str, ...] = ()
    stations: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    sentiments: tuple[str, ...] = ()
    tag: str = ""
    start: str = ""  # "from", as typed
    end: str = ""  # "to", as typed
    q: str = ""
    follow_up: bool = False
    problems: tuple[str, ...] = ()
    feed_filter: FeedFilter = field(default_factory=FeedFilter)
    start_date: date | None = None
    end_date: date | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def active(self) -> bool:
        return bool(self.query_pairs())

    def query_pairs(self) -> list[tuple[str, str]]:
        pairs: list[tuple[str, str]] = []
        pairs += [("site", value) for value in self.sites]
        pairs += [("station", value) for value in self.stations]
        pairs += [("kind", value) for value in self.kinds]
        pairs += [("sentiment", value) for value in self.sentiments]
        for name, value in (("tag", self.tag), ("from", self.start), ("to", self.end)):
            if value:
                pairs.append((name, value))
        if self.q:
            pairs.append(("q", self.q))
        if self.follow_up:
            pairs.append(("follow_up", "1"))
        return pairs

    def query(self, **extra: str) -> str:
        """The filters as a query string (without "?"), plus ``extra`` parameters."""
        return urlencode(self.query_pairs() + [(k, v) for k, v in extra.items() if v])

    def link(self, path: str, **extra: str) -> str:
        query = self.query(**extra)
        return path + ("?" + query if query else "")


def _values(params: QueryParams, name: str, problems: list[str], label: str) -> tuple[str, ...]:
    found: list[str] = []
    for raw in params.getlist(name):
        value = raw.strip()
        if not value:
            continue  # "any" in a menu is sent as an empty value
        if len(value) > MAX_VALUE:
            problems.append(f"The {label} is too long (at most {MAX_VALUE} characters).")
            continue
        if value not in found:
            found.append(value)
    if len(found) > MAX_VALUES:
        problems.append(f"Choose at most {MAX_VALUES} values for {label}.")
        return ()
    return tuple(found)


def _choice(
    params: QueryParams, name: str, allowed: tuple[str, ...], problems: list[str], label: str
) -> tuple[str, ...]:
    chosen = _values(params, name, problems, label)
    wrong = [value for value in chosen if value not in allowed]
    if wrong:
        shown = ", ".join(repr(value[:40]) for value in wrong)
        problems.append(f"There is no {label} {shown}. Choose one of: {', '.join(allowed)}.")
    return tuple(value for value in chosen if value in allowed)


def _date(raw: str, label: str, problems: list[str]) -> date | None:
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        problems.append(
            f"The {label} date {raw[:40]!r} is not a date. Use the form year-month-day, "
            "for example 2026-03-31."
        )
        return None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        # Far years only overflow somewhere (a day after 31 Dec 9999, epoch seconds in SQL).
        problems.append(
            f"The {label} date {raw[:40]!r} is outside the calendar this collector knows: "
            f"choose a date from {FIRST_YEAR} to {LAST_YEAR}."
        )
        return None
    return day


def _start_of(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def parse_filters(params: QueryParams, zone: ZoneInfo) -> FilterForm:
    problems: list[str] = []
    if any("\x00" in value for _, value in params.multi_items()):
        return FilterForm(problems=("The address holds a character that cannot be searched for.",))
    sites = _values(params, "site", problems, "site")
    stations = _values(params, "station", problems, "station")
    kinds = _choice(params, "kind", KINDS, problems, "kind")
    sentiments = _choice(params, "sentiment", MOODS, problems, "mood")
    tag = params.get("tag", "").strip()
    if len(tag) > MAX_VALUE:
        problems.append(f"The tag is too long (at most {MAX_VALUE} characters).")
        tag = ""
    q = params.get("q", "").strip()
    if len(q) > MAX_SEARCH:
        problems.append(
            f"The search is too long: {len(q):,} characters, at most {MAX_SEARCH}. "
            "Search for a few words."
        )
    start_text = params.get("from", "").strip()[:100]
    end_text = params.get("to", "").strip()[:100]
    start = _date(start_text, "“from”", problems)
    end = _date(end_text, "“to”", problems)
    since = until = None
    if start and end and start > end:
        problems.append("The “from” date is after the “to” date.")
    try:
        since = _start_of(start, zone) if start else None
        until = _start_of(end + timedelta(days=1), zone) if end else None
    except OverflowError:
        problems.append("The dates are outside the calendar this collector knows.")
    follow_up = params.get("follow_up", "").lower() in _TRUE
    feed_filter = FeedFilter()
    if not problems:
        feed_filter = FeedFilter(
            sites=sites,
            stations=stations,
            kinds=kinds,
            sentiments=sentiments,
            tag=tag.lower() or None,
            since=since,
            until=until,
            search=q,
            needs_follow_up=follow_up,
        )
    return FilterForm(
        sites=sites,
        stations=stations,
        kinds=kinds,
        sentiments=sentiments,
        tag=tag[:MAX_VALUE],
        start=start_text,
        end=end_text,
        q=q[:MAX_SEARCH],
        follow_up=follow_up,
        problems=tuple(problems),
        feed_filter=feed_filter,
        start_date=start,
        end_date=end,
    )


def parse_cursor(raw: str | None) -> tuple[Cursor | None, str | None]:
    """The page to start from; a damaged one gives a problem instead of an error."""
    if not raw:
        return None, None
    cursor = Cursor.parse(raw) if len(raw) <= 300 else None
    if cursor is not None:
        return cursor, None
    return None, (
        "The link to this page of entries is damaged or too old. Showing the newest "
        "entries instead."
    )
