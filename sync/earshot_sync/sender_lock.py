"""One sender per journal, across threads and processes: an OS file lock next to the journal.

The app's timer, its "Send now" button and an ``earshot sync`` in a terminal may all try at
once. Sending the same entries twice is harmless at the collector, but two drains would mark
each other's batches, so only the holder of this lock drains. It is an OS lock (``flock`` on
POSIX, ``LockFileEx`` on Windows, through ``filelock``): the OS drops it when the process dies,
so a SIGKILLed sender never leaves a stale lock behind. ``filelock``'s "soft" fallback (a lock
*file* whose mere existence locks) would survive a kill, so it is turned off.
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType

import filelock


class SenderBusy(RuntimeError):
    """Another sender (the app or another ``earshot sync``) is draining this journal."""

    def __init__(self) -> None:
        super().__init__(
            "Another Earshot sender is already sending from this journal (the app, or another "
            "'earshot sync'). It will send the waiting entries; nothing needs to be done."
        )


def lock_path(journal_path: Path) -> Path:
    return journal_path.with_name(journal_path.name + ".sender.lock")


class SenderLock:
    """Held while draining; :meth:`acquire` never waits, it raises :class:`SenderBusy`."""

    def __init__(self, journal_path: Path) -> None:
        self._lock = filelock.FileLock(
            lock_path(journal_path),
            thread_local=False,
            fallback_to_soft=False,
            preserve_lock_file=True,
        )

    def acquire(self) -> None:
        try:
            self._lock.acquire(blocking=False)
        except filelock.Timeout:
            raise SenderBusy() from None

    def release(self) -> None:
        self._lock.release()

    @property
    def held(self) -> bool:
        return self._lock.is_locked

    def __enter__(self) -> SenderLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()
