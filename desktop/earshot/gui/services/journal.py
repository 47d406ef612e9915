"""The journal, as the Qt layer sees it change: one ``changed`` signal, whoever changed it.

After Anki's ``operation_did_execute``: each view that shows the journal (the tray's count, the
log) and the sync service (new entries: send them) subscribes to :attr:`JournalWatcher.changed`
and decides what to do; none polls. A change made in this process (a save in the quick entry,
an edit in the log) is told with :meth:`JournalWatcher.entry_saved` or
:meth:`JournalWatcher.note_change`; another process (``earshot add``, ``earshot sync``) is seen
through the journal's files. Either way a burst of writes (a batch marked sent) is one
``changed``, :data:`CHANGE_DELAY_MS` after its first write, with the count of entries waiting.

Where the journal's folder cannot be watched, a slow timer is the safety net; where it can, no
timer wakes the idle app (``make bench``: idle).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal, Slot

log = logging.getLogger(__name__)

CHANGE_DELAY_MS = 250  # a burst of writes (a batch marked sent) is one change
SAFETY_NET_MS = 10_000  # where file watching is not available


@dataclass(frozen=True)
class JournalChange:
    """What a burst of changes did, for the subscribers to decide on."""

    waiting: int | None  # entries waiting to be sent now; None if they could not be counted
    added: bool  # an entry was saved here, or more wait than before: time to send


class JournalWatcher(QObject):
    """Says once per burst of changes that the journal changed (see the module's note)."""

    changed = Signal(object)  # a JournalChange

    def __init__(
        self,
        path: Path,
        count_waiting: Callable[[], int],
        parent: QObject | None = None,
        delay_ms: int = CHANGE_DELAY_MS,
        safety_net_ms: int = SAFETY_NET_MS,
    ) -> None:
        super().__init__(parent)
        self._path = path
        self._wal = path.with_name(path.name + "-wal")
        self._count_waiting = count_waiting
        self._waiting: int | None = None
        self._saved_here = False
        self._stopped = False
        self._burst = QTimer(self)
        self._burst.setSingleShot(True)
        self._burst.setInterval(delay_ms)
        self._burst.timeout.connect(self._settle)
        self._safety_net = QTimer(self)
        self._safety_net.setInterval(safety_net_ms)
        self._safety_net.timeout.connect(self._settle)
        self._files = QFileSystemWatcher(self)
        self._files.fileChanged.connect(self._file_changed)
        self._files.directoryChanged.connect(self._file_changed)

    @property
    def waiting(self) -> int | None:
        """The entries waiting at the last change (None before the first count)."""
        return self._waiting

    def start(self) -> None:
        """Watch the journal's files and say what is there now (a change with nothing added)."""
        if not self._watch():
            # No file watching here: look now and then instead.
            self._safety_net.start()
        self._settle()

    def stop(self) -> None:
        """No more changes (at quit, before the journal closes)."""
        self._stopped = True
        self._burst.stop()
        self._safety_net.stop()

    @Slot()
    def entry_saved(self) -> None:
        """An entry was saved in this process: a change that adds one, whatever the count."""
        self._saved_here = True
        self.note_change()

    @Slot()
    def note_change(self) -> None:
        """Something in this process changed the journal (an edit, a deletion)."""
        if not self._stopped and not self._burst.isActive():
            self._burst.start()

    def _watch(self) -> bool:
        """Watch the journal's files and folder; False if the folder cannot be watched."""
        # The WAL file takes the writes; the folder tells when it appears or is checkpointed.
        files = [str(p) for p in (self._path, self._wal) if p.exists()]
        if files:
            self._files.addPaths(files)
        return bool(self._files.addPath(str(self._path.parent)))

    @Slot(str)
    def _file_changed(self, _path: str) -> None:
        self.note_change()
        # inotify forgets a file that was replaced; watch it again.
        if self._wal.exists() and str(self._wal) not in self._files.files():
            self._files.addPath(str(self._wal))

    @Slot()
    def _settle(self) -> None:
        if self._stopped:
            return
        before = self._waiting
        try:
            waiting: int | None = self._count_waiting()
        except Exception as error:  # a locked or damaged journal must not take the app down
            log.warning("could not count the entries waiting: %s", error)
            waiting = None
        more = waiting is not None and before is not None and waiting > before
        added = self._saved_here or more
        self._saved_here = False
        if waiting is not None:
            self._waiting = waiting
        self.changed.emit(JournalChange(waiting, added))
