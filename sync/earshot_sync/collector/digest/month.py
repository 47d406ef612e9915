"""The month a digest covers, and its edges as moments in a time zone the caller chooses.

A month starts at local midnight on its first day in that zone (``ZoneInfo`` handles summer
time), so "November in Berlin" is not "November in UTC". Weeks of the month are days 1-7,
8-14, 15-21, 22-28 and 29 to the end: a fixed split people can read off a calendar.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_MONTH = re.compile(r"\s*([0-9]{4})-([0-9]{1,2})\s*")
# The months people can mean; their neighbours (the month before, the end of the month) must
# still be dates Python can hold.
FIRST_YEAR, LAST_YEAR = 1971, 9998
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


class BadMonth(ValueError):
    """Not a month we can make a digest for; the message says what to type instead."""


class BadTimeZone(ValueError):
    """Not a time zone name; the message says what to type instead."""


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """``2026-11`` as a month; :class:`BadMonth` with a plain message for anything else."""
        match = _MONTH.fullmatch(text)
        example = "Give the month as year-month, for example 2026-11."
        if match is None:
            raise BadMonth(f"'{text}' is not a month. {example}")
        year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            raise BadMonth(f"'{text}' is not a month: months go from 01 to 12. {example}")
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise BadMonth(
                f"'{text}' is too far away: give a year from {FIRST_YEAR} to {LAST_YEAR}."
            )
        return cls(year, month)

    @classmethod
    def containing(cls, moment: datetime, tz: ZoneInfo) -> Month:
        """The month ``moment`` falls in, in ``tz`` (``.previous()`` of now: the last whole one)."""
        local = moment.astimezone(tz)
        return cls(local.year, local.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        """For people: "November 2026"."""
        return f"{MONTH_NAMES[self.month - 1]} {self.year}"

    @property
    def short_name(self) -> str:
        return MONTH_NAMES[self.month - 1][:3]

    def previous(self) -> Month:
        return Month(self.year - 1, 12) if self.month == 1 else Month(self.year, self.month - 1)

    def next(self) -> Month:
        return Month(self.year + 1, 1) if self.month == 12 else Month(self.year, self.month + 1)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        following = self.next()
        return date(following.year, following.month, 1) - timedelta(days=1)

    def start(self, tz: ZoneInfo) -> datetime:
        """The first moment of the month in ``tz``, in UTC."""
        return local_midnight(self.first_day, tz)

    def end(self, tz: ZoneInfo) -> datetime:
        """The first moment after the month in ``tz``, in UTC (exclusive)."""
        return self.next().start(tz)

    def weeks(self) -> tuple[tuple[date, date], ...]:
        """(first day, last day) of each week of the month: 1-7, 8-14, 15-21, 22-28, 29-end."""
        last = self.last_day.day
        return tuple(
            (date(self.year, self.month, first), date(self.year, self.month, min(first + 6, last)))
            for first in range(1, last + 1, 7)
        )


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)


def parse_time_zone(name: str) -> ZoneInfo:
    """A time zone by its name (``Europe/Berlin``, ``UTC``); :class:`BadTimeZone` if unknown."""
    hint = "Give a name like Europe/Berlin, America/New_York or UTC."
    if not name.strip():
        raise BadTimeZone(f"No time zone given. {hint}")
    try:
        return ZoneInfo(name.strip())
    # ValueError: a key that is a path ("/etc/passwd", "../x"); OSError: a folder of that name.
    except (ZoneInfoNotFoundError, ValueError, OSError) as error:
        raise BadTimeZone(f"'{name}' is not a time zone we know. {hint}") from error
