"""How long to wait before trying again: exponential backoff with full jitter, and Retry-After.

A small function of our own rather than ``tenacity``/``backoff``/urllib3's ``Retry``: those wrap
one call and give up after a budget, while the sender's loop must never give up, must obey a
server's ``Retry-After`` over its own schedule, and must sleep on an event that "Send now" or
quitting can interrupt. Full jitter (a uniform draw between zero and the exponential ceiling)
spreads a shop full of PCs that lost the network together, per
https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

BASE_SECONDS = 1.0
CAP_SECONDS = 300.0
# A server may ask for a long pause (maintenance); more than an hour is more likely a mistake,
# and feedback should not sit for a day because of one header.
MAX_RETRY_AFTER_SECONDS = 3600.0
# ...and "Retry-After: 0" (or a date in the past) on every answer would make a busy loop of
# requests at a server that is already overloaded: wait at least this long.
MIN_RETRY_AFTER_SECONDS = 1.0


def full_jitter(
    attempt: int,
    *,
    base: float = BASE_SECONDS,
    cap: float = CAP_SECONDS,
    draw: Callable[[float, float], float] = random.uniform,
) -> float:
    """Seconds to wait before retry number ``attempt`` (0 for the first retry)."""
    if attempt < 0:
        raise ValueError("attempt must be 0 or more")
    # Stop doubling once past the cap, so a week offline never overflows a float.
    ceiling = cap if attempt >= 64 else min(cap, base * (2.0**attempt))
    return draw(0.0, ceiling)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds from now: delta-seconds or an HTTP date (RFC 9110 §10.2.3).

    ``None`` when the header is missing or unreadable (then the usual backoff applies).
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    # str.isdigit() is also true for "²" or "٣", which int() refuses or reads as another number.
    if text.isascii() and text.isdigit():
        seconds = float(int(text))
    else:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if moment.tzinfo is None:  # "-0000" means UTC for HTTP dates
            moment = moment.replace(tzinfo=UTC)
        seconds = (moment - (now or datetime.now(UTC))).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_SECONDS)


@dataclass
class Backoff:
    """The retry schedule of one sender: grows with each failure, resets on success."""

    base: float = BASE_SECONDS
    cap: float = CAP_SECONDS
    draw: Callable[[float, float], float] = field(default=random.uniform)
    failures: int = 0

    def next_delay(self, retry_after: float | None = None) -> float:
        """Count a failure and say how long to wait; the server's ``Retry-After`` wins (but is
        never less than ``MIN_RETRY_AFTER_SECONDS``)."""
        attempt = self.failures
        self.failures += 1
        if retry_after is not None:
            return max(retry_after, MIN_RETRY_AFTER_SECONDS)
        return full_jitter(attempt, base=self.base, cap=self.cap, draw=self.draw)

    def reset(self) -> None:
        self.failures = 0
