"""The one way to run background work in the app (after Anki's ``aqt/taskman.py``).

A :class:`TaskRunner` owns one worker thread and runs jobs on it one after another. The
contract: a job is a plain callable that never touches a widget; its result (or exception)
comes back to the UI thread through a queued signal to a ``@Slot`` of the runner, which then
calls the ``done`` callback there. So widgets are only ever touched in the UI thread, and work
handed to one runner never overlaps (the sync service relies on that).

The worker is a daemon Python thread rather than a ``QThread``: a job blocked on the network
when the app quits must not hold the quit up (a running ``QThread`` that is destroyed aborts
the process). Whatever it was doing is safe to drop: the journal commits atomically, and an
entry left *sending* is sent again at the next start.
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, Signal, Slot

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class TaskResult(Generic[T]):
    """What a job gave back: its value, or the exception it raised."""

    value: T | None = None
    error: BaseException | None = None

    def get(self) -> T:
        """The value; re-raises the job's exception in the caller's (the UI) thread."""
        if self.error is not None:
            raise self.error
        return self.value  # type: ignore[return-value]


@dataclass(frozen=True)
class _Ticket:
    number: int
    job: Callable[[], Any]


class TaskRunner(QObject):
    """Runs jobs on its own thread, in order; ``done`` callbacks run in the UI thread."""

    # Emitted in the worker thread; this object lives in the UI thread, so Qt queues the call.
    _job_finished = Signal(int, object)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._numbers = itertools.count()
        self._pending: dict[int, Callable[[TaskResult[Any]], None]] = {}
        self._tickets: queue.SimpleQueue[_Ticket | None] = queue.SimpleQueue()
        self._job_finished.connect(self._finished)
        self._thread = threading.Thread(target=self._work, name=name, daemon=True)
        self._thread.start()

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def run(
        self,
        job: Callable[[], T],
        done: Callable[[TaskResult[T]], None],
        *,
        replace_pending: bool = False,
    ) -> None:
        """Queue ``job`` for the worker thread; call ``done`` with its result in this thread.

        With ``replace_pending``, jobs queued before it that have not started are dropped
        first (see :meth:`drop_pending`): only the newest of a stream of requests runs.
        """
        if replace_pending:
            self.drop_pending()
        number = next(self._numbers)
        self._pending[number] = done
        self._tickets.put(_Ticket(number, job))

    def drop_pending(self) -> int:
        """Drop the jobs that have not started; their ``done`` is never called.

        The job running now (if any) finishes and reports as usual. Returns how many were
        dropped.
        """
        dropped = 0
        while True:
            try:
                ticket = self._tickets.get_nowait()
            except queue.Empty:
                return dropped
            if ticket is None:  # shutdown's stop mark: it stays, and nothing is behind it
                self._tickets.put(None)
                return dropped
            self._pending.pop(ticket.number, None)
            dropped += 1

    def _work(self) -> None:
        while (ticket := self._tickets.get()) is not None:
            try:
                result: TaskResult[Any] = TaskResult(value=ticket.job())
            except Exception as error:  # handed to the UI thread, which decides what to say
                log.exception("background job failed")
                result = TaskResult(error=error)
            try:
                self._job_finished.emit(ticket.number, result)
            except RuntimeError:  # the runner was deleted (the app quit): nobody to tell
                return

    @Slot(int, object)
    def _finished(self, number: int, result: TaskResult[Any]) -> None:
        done = self._pending.pop(number, None)
        if done is not None:
            done(result)

    def shutdown(self, wait_ms: int) -> bool:
        """Let the running job finish (up to ``wait_ms``) and end the thread; True if it ended.

        Jobs still queued are dropped and their ``done`` is not called. If the job is still
        running after ``wait_ms``, it is left to end with the process (the thread is a daemon).
        """
        self._pending.clear()
        while True:  # drop what has not started
            try:
                self._tickets.get_nowait()
            except queue.Empty:
                break
        self._tickets.put(None)
        self._thread.join(wait_ms / 1000)
        return not self._thread.is_alive()
