"""The one way to run background work in the app (after Anki's ``aqt/taskman.py``).

A :class:`TaskRunner` owns one worker ``QThread`` and runs jobs on it one after another. The
contract: a job is a plain callable that never touches a widget; its result (or exception)
comes back to the UI thread through a queued signal to a ``@Slot`` of the runner, which then
calls the ``done`` callback there. So widgets are only ever touched in the UI thread, and
work handed to one runner never overlaps (the sync service relies on that).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, QThread, Signal, Slot

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


class _Worker(QObject):
    """Lives in the worker thread; runs each ticket it is sent."""

    finished = Signal(int, object)  # ticket number, TaskResult

    @Slot(object)
    def execute(self, ticket: _Ticket) -> None:
        try:
            result: TaskResult[Any] = TaskResult(value=ticket.job())
        except Exception as error:  # handed to the UI thread, which decides what to say
            log.exception("background job failed")
            result = TaskResult(error=error)
        self.finished.emit(ticket.number, result)


class TaskRunner(QObject):
    """Runs jobs on its own thread, in order; ``done`` callbacks run in the UI thread."""

    _submit = Signal(object)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._numbers = itertools.count()
        self._pending: dict[int, Callable[[TaskResult[Any]], None]] = {}
        self._thread = QThread()
        self._thread.setObjectName(name)
        self._worker = _Worker()
        self._worker.moveToThread(self._thread)
        # Both connections cross threads, so Qt queues them: the job runs in the worker
        # thread, and `_finished` runs in the thread this runner lives in (the UI thread).
        self._submit.connect(self._worker.execute)
        self._worker.finished.connect(self._finished)
        self._thread.finished.connect(self._worker.deleteLater)
        self._thread.start()

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def run(self, job: Callable[[], T], done: Callable[[TaskResult[T]], None]) -> None:
        """Queue ``job`` for the worker thread; call ``done`` with its result in this thread."""
        number = next(self._numbers)
        self._pending[number] = done
        self._submit.emit(_Ticket(number, job))

    @Slot(int, object)
    def _finished(self, number: int, result: TaskResult[Any]) -> None:
        done = self._pending.pop(number, None)
        if done is not None:
            done(result)

    def shutdown(self, wait_ms: int) -> bool:
        """Let the running job finish (up to ``wait_ms``) and end the thread; True if it ended.

        Jobs still queued are dropped and their ``done`` is not called.
        """
        self._pending.clear()
        self._thread.quit()
        return self._thread.wait(wait_ms)
