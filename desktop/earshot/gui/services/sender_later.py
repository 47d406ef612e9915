"""The sync service, made a moment after the tray and the quick entry are on screen.

Sending needs the HTTP and keyring libraries: about a tenth of a second of imports at start-up
(``make bench``: startup) that showing the tray and the quick entry does not need.
:class:`SyncLater` stands in for :class:`~earshot.gui.services.sender.SyncService` from the start:
it makes the real one ``delay_ms`` after :meth:`start`, or at once when it is asked for
something sooner (a save, "Send now", a new token), and passes its signals on.

If making the service fails (a module missing from a bundle, a keyring library that will not
import), saving must still work: the error is logged, the tray is told once that sending needs
attention, and "Send now" (retry) tries again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from earshot.gui.services.journal import JournalChange

if TYPE_CHECKING:
    from earshot.gui.services.sender import SyncService

log = logging.getLogger(__name__)

NEEDS_ATTENTION = "needs_attention"  # SenderState.NEEDS_ATTENTION, without importing the sender
START_DELAY_MS = 500  # the first paint of the tray and the quick entry comes first


class SyncLater(QObject):
    state_changed = Signal(str)  # as SyncService's
    message_changed = Signal(str)

    def __init__(
        self,
        make: Callable[[], SyncService],
        delay_ms: int = START_DELAY_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._make = make
        self.service: SyncService | None = None
        self._closed = False
        self._failed = False  # making the service failed; said once, tried again on retry
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.send_now)

    def start(self) -> None:
        """Send what waited while the app was closed, ``delay_ms`` from now."""
        self._timer.start()

    def _service(self) -> SyncService | None:
        if self._closed:
            return None
        if self.service is None:
            self._timer.stop()
            if self._failed:
                return None
            try:
                service = self._make()
            except Exception:  # anything: this runs inside a Qt slot, on each save
                log.exception("the sync service could not be made")
                self._failed = True
                self.message_changed.emit(
                    self.tr(
                        "Earshot cannot send entries from this PC: part of it is missing or "
                        "damaged. Your entries are kept here. Ask IT to reinstall Earshot."
                    )
                )
                self.state_changed.emit(NEEDS_ATTENTION)
                return None
            self.service = service
            self.service.state_changed.connect(self.state_changed)
            self.service.message_changed.connect(self.message_changed)
        return self.service

    @Slot()
    def send_now(self) -> None:
        service = self._service()
        if service is not None:
            service.send_now()

    @Slot()
    def retry_and_send(self) -> None:
        self._failed = False  # asked for by hand: try making the service again
        service = self._service()
        if service is not None:
            service.retry_and_send()

    @Slot()
    def entry_saved(self) -> None:
        service = self._service()
        if service is not None:
            service.entry_saved()

    @Slot(object)
    def journal_changed(self, change: JournalChange) -> None:
        """Entries were added (saved here or by another process): send them."""
        if change.added:
            self.entry_saved()

    @Slot()
    def token_changed(self) -> None:
        service = self._service()
        if service is not None:
            service.token_changed()

    def shutdown(self) -> None:
        """Stop sending (see ``SyncService.shutdown``); a service never made is never made."""
        self._closed = True
        self._timer.stop()
        if self.service is not None:
            self.service.shutdown()
