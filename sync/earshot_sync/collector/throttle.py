"""Wrong passwords, counted per (name, client address), with a growing wait after a few.

Why not a lock on the account: anyone could lock a viewer out by typing their name with bad
passwords, and a lock kept only for real names would tell which names exist. Here every name,
known or not, is counted the same way, and only from the address the guesses come from.

A try is counted as a failure BEFORE its password is checked (and forgiven when it was right),
under one lock: guesses sent in parallel cannot all slip in before the first one is counted.

The counts live in this process's memory, not in the database: an unknown name costs no write
(so it costs the same as a real one), and a restart forgets them, which only gives a guesser
the few free tries again.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

FREE_FAILURES = 5  # wrong passwords in a row before the first wait
FIRST_WAIT = timedelta(minutes=1)  # then 2, 4, 8 ... minutes,
LONGEST_WAIT = timedelta(minutes=15)  # never more; and this long without a try forgets them
MAX_KEYS = 10_000  # memory bound: the least recently tried are forgotten first


@dataclass
class _Count:
    failures: int
    last: datetime  # the last counted try


class SignInThrottle:
    def __init__(
        self,
        *,
        free_failures: int = FREE_FAILURES,
        first_wait: timedelta = FIRST_WAIT,
        longest_wait: timedelta = LONGEST_WAIT,
        max_keys: int = MAX_KEYS,
    ) -> None:
        self._free = free_failures
        self._first = first_wait
        self._longest = longest_wait
        self._max_keys = max_keys
        self._counts: dict[tuple[str, str], _Count] = {}
        self._lock = threading.Lock()

    @staticmethod
    def key(name: str, source: str) -> tuple[str, str]:
        return name.strip().casefold(), source

    def _wait(self, failures: int) -> timedelta:
        if failures < self._free:
            return timedelta(0)
        wait: timedelta = self._first * 2 ** min(failures - self._free, 30)
        return min(self._longest, wait)

    def begin(self, name: str, source: str, now: datetime) -> datetime | None:
        """Count this try as a failure and None, or when tries are allowed again (not counted)."""
        key = self.key(name, source)
        with self._lock:
            count = self._counts.pop(key, None)
            if count is not None and now >= count.last + self._longest:
                count = None  # quiet long enough: the count starts again
            if count is not None:
                until = count.last + self._wait(count.failures)
                if now < until:
                    self._counts[key] = count
                    return until
            count = count or _Count(0, now)
            count.failures += 1
            count.last = now
            self._counts[key] = count  # (re)inserted last: the dict is least recent first
            while len(self._counts) > self._max_keys:
                del self._counts[next(iter(self._counts))]
            return None

    def succeeded(self, name: str, source: str) -> None:
        with self._lock:
            self._counts.pop(self.key(name, source), None)

    def forget_name(self, name: str) -> None:
        """A new password: its name starts with a clean count from every address."""
        folded = name.strip().casefold()
        with self._lock:
            for key in [key for key in self._counts if key[0] == folded]:
                del self._counts[key]
