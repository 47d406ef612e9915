"""What a digest says, as plain data: figures.py fills it from the store, render.py draws it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from earshot_sync.collector.digest.month import Month
from earshot_sync.collector.digest.quotes import Quote

KINDS = ("praise", "complaint", "suggestion", "question", "other")


@dataclass(frozen=True)
class KindCount:
    kind: str
    this_month: int
    last_month: int

    @property
    def change(self) -> int:
        return self.this_month - self.last_month


@dataclass(frozen=True)
class Feelings:
    """How customers felt: entries per mood (``unsaid``: no mood was noted)."""

    positive: int = 0
    neutral: int = 0
    negative: int = 0
    unsaid: int = 0

    @property
    def total(self) -> int:
        return self.positive + self.neutral + self.negative + self.unsaid


@dataclass(frozen=True)
class Week:
    first_day: date
    last_day: date
    feelings: Feelings


@dataclass(frozen=True)
class TagCount:
    tag: str
    this_month: int
    last_month: int


@dataclass(frozen=True)
class Theme:
    """A top tag, or a kind for the entries that have no tag; with the words that stand for it."""

    tag: str | None
    kind: str | None
    count: int
    quotes: tuple[Quote, ...]


@dataclass(frozen=True)
class CallBacks:
    """Call-backs asked for by this month's entries, and where they stand now.

    ``called_back`` counts both "contacted" and "done" (follow-up states contacted/resolved).
    """

    asked: int = 0
    contacted: int = 0
    done: int = 0

    @property
    def called_back(self) -> int:
        return self.contacted + self.done

    @property
    def waiting(self) -> int:
        return self.asked - self.called_back


@dataclass(frozen=True)
class SiteDigest:
    site: str
    kinds: tuple[KindCount, ...]  # every kind, in KINDS order
    weeks: tuple[Week, ...]
    feelings: Feelings  # this month
    feelings_last_month: Feelings
    top_tags: tuple[TagCount, ...]
    themes: tuple[Theme, ...]
    ideas: tuple[Quote, ...]
    ideas_total: int
    call_backs: CallBacks

    @property
    def total(self) -> int:
        return sum(count.this_month for count in self.kinds)

    @property
    def total_last_month(self) -> int:
        return sum(count.last_month for count in self.kinds)

    @property
    def empty(self) -> bool:
        return self.total == 0


@dataclass(frozen=True)
class Digest:
    month: Month
    time_zone: str  # its name, e.g. "Europe/Berlin"
    made_at: datetime  # when the figures were read (call-backs are counted as of then)
    site: str | None  # the one site asked for, or None for every site
    sites: tuple[SiteDigest, ...] = field(default=())

    @property
    def empty(self) -> bool:
        return all(site.empty for site in self.sites)
