"""The desktop life of the app: tray (or its fallback window), global hotkey, one instance.

:class:`DesktopShell` is handed everything it drives (the quick-entry window, how to open the
log and send now, the journal's waiting count, the single-instance server, the hotkey backend)
and owns no globals; :mod:`earshot.gui.main` builds it and connects it to the rest.

- The app keeps running with its windows closed (``setQuitOnLastWindowClosed(False)``); Quit in
  the tray menu (or the fallback window) ends it.
- The hotkey comes from the preferences and is registered again when they change; a failure
  (taken by another program, no global shortcuts on this desktop) is kept in
  :attr:`DesktopShell.hotkey_problem` and shown in the tray menu's place of the hotkey.
- The waiting count follows the journal file: another process (``earshot add``, the CLI
  sender) changes it too, so the shell watches the file and re-counts shortly after a change,
  with a slow timer as a safety net where file watching is not available.
- On ``aboutToQuit`` the keys are ungrabbed, the socket is closed and the tray icon removed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal, SignalInstance
from PySide6.QtGui import QCursor, QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from earshot import APP_NAME, __version__
from earshot.core.autostart import Autostart, AutostartError
from earshot.core.hotkey_combo import ComboInvalid, parse
from earshot.core.settings import Preferences
from earshot.gui.hotkey import HotkeyBackend, HotkeyError
from earshot.gui.i18n import fill
from earshot.gui.services.single_instance import SingleInstance
from earshot.gui.tray import Status, Tray

log = logging.getLogger(__name__)

RECOUNT_DELAY_MS = 250  # a burst of writes (a batch marked sent) is counted once
RECOUNT_INTERVAL_MS = 10_000  # the safety net


class SyncSignals(Protocol):
    """The sync service's signals the tray follows (``earshot.gui.services.sender.SyncService``)."""

    @property
    def state_changed(self) -> SignalInstance: ...
    @property
    def message_changed(self) -> SignalInstance: ...


@dataclass
class ShellParts:
    """What the shell drives, handed in by whoever starts the app."""

    quick_entry: QWidget  # opened with its ``open()`` when it has one
    open_log: Callable[[], None]
    send_now: Callable[[], None]
    count_waiting: Callable[[], int]
    journal_path: Path
    open_settings: Callable[[], None]
    # More entries wait than before (saved here or by another process): time to send.
    entries_added: Callable[[], None] = lambda: None


class DesktopShell(QObject):
    hotkey_changed = Signal(str)  # the registered combination, "" when none

    def __init__(
        self,
        app: QApplication,
        parts: ShellParts,
        tray: Tray,
        hotkey: HotkeyBackend,
        instance: SingleInstance,
        autostart: Autostart | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._app = app
        self._parts = parts
        self.tray = tray
        self.hotkey = hotkey
        self.instance = instance
        self._autostart = autostart
        self.hotkey_problem = ""
        self._sync_state = "idle"
        self._sync_message = ""
        self._waiting = 0
        self._quit_on_last_window = True
        self._stopped = False

        tray.new_feedback.connect(self.show_quick_entry)
        tray.open_log.connect(parts.open_log)
        tray.send_now.connect(parts.send_now)
        tray.settings.connect(parts.open_settings)
        tray.about.connect(self.show_about)
        tray.quit.connect(app.quit)
        hotkey.activated.connect(self._hotkey_pressed)
        hotkey.problem.connect(self._hotkey_failed)
        instance.command_received.connect(self.run_command)

        self._recount = QTimer(self)
        self._recount.setSingleShot(True)
        self._recount.setInterval(RECOUNT_DELAY_MS)
        self._recount.timeout.connect(self.refresh_waiting)
        self._safety_net = QTimer(self)
        self._safety_net.setInterval(RECOUNT_INTERVAL_MS)
        self._safety_net.timeout.connect(self.refresh_waiting)
        self._watcher = QFileSystemWatcher(self)
        self._watcher.fileChanged.connect(self._journal_changed)
        self._watcher.directoryChanged.connect(self._journal_changed)
        app.aboutToQuit.connect(self.stop)

    # -- start and stop -------------------------------------------------------------------

    def start(self, preferences: Preferences) -> None:
        self._quit_on_last_window = self._app.quitOnLastWindowClosed()
        self._app.setQuitOnLastWindowClosed(False)
        self.tray.start()
        self.apply_preferences(preferences)
        if not self._watch_journal():
            # No file watching here: count now and then instead. Where it works, the tray's
            # count needs no timer; the idle app still wakes for the sync service's own timer
            # (every 5 minutes it tries to send) and little else (``make bench``: idle).
            self._safety_net.start()
        self.refresh_waiting()

    def stop(self) -> None:
        """Let go of what the desktop lends us: the key grab, the socket, the tray slot."""
        if self._stopped:
            return
        self._stopped = True
        self._safety_net.stop()
        self._recount.stop()
        self.hotkey.unregister()
        close = getattr(self.hotkey, "close", None)
        if callable(close):
            close()
        self.instance.close()
        self.tray.stop()
        # Once only, and leave the QApplication as it was (tests run several apps in one).
        self._app.aboutToQuit.disconnect(self.stop)
        self._app.setQuitOnLastWindowClosed(self._quit_on_last_window)

    def follow_sync(self, sync: SyncSignals) -> None:
        sync.state_changed.connect(self._on_sync_state)
        sync.message_changed.connect(self._on_sync_message)

    # -- preferences ----------------------------------------------------------------------

    def apply_preferences(self, preferences: Preferences) -> None:
        """Register the hotkey of ``preferences`` (again); turn start at login on if IT says."""
        self.register_hotkey(preferences.hotkey)
        if preferences.start_at_login and self._autostart is not None:
            try:
                if not self._autostart.is_enabled():
                    self._autostart.enable()
            except AutostartError as error:
                log.warning("start at login: %s", error)

    def register_hotkey(self, text: str) -> bool:
        try:
            combo = parse(text)
        except ComboInvalid as invalid:
            return self._hotkey_failed(
                fill(self.tr("The hotkey in the settings: %1"), str(invalid))
            )
        if self.hotkey.current() == combo:
            return True
        try:
            self.hotkey.register(combo)
        except HotkeyError as error:
            return self._hotkey_failed(str(error))
        self.hotkey_problem = ""
        self.tray.set_hotkey(str(combo))
        self._show()
        self.hotkey_changed.emit(str(combo))
        return True

    def _hotkey_failed(self, problem: str) -> bool:
        log.warning("global hotkey not registered: %s", problem)
        self.hotkey_problem = problem
        self.tray.set_hotkey("")
        self._show()
        self.hotkey_changed.emit("")
        return False

    # -- commands ---------------------------------------------------------------------------

    def run_command(self, command: str) -> None:
        """A command from a second start: ``show`` and ``capture`` both open the quick entry."""
        if command in ("show", "capture"):
            self.show_quick_entry()
            self.hotkey.bring_to_front(self._parts.quick_entry)

    def show_quick_entry(self) -> None:
        window = self._parts.quick_entry
        _move_to_screen_under_mouse(window)
        opener = getattr(window, "open", None)
        if callable(opener):
            opener()
        else:
            window.show()
            window.raise_()
            window.activateWindow()

    def _hotkey_pressed(self) -> None:
        self.show_quick_entry()
        self.hotkey.bring_to_front(self._parts.quick_entry)

    def show_about(self) -> None:
        QMessageBox.about(
            None,
            fill(self.tr("About %1"), APP_NAME),
            fill(self.tr("%1 %2\nLog what customers say, offline first."), APP_NAME, __version__),
        )

    # -- the tray's state -------------------------------------------------------------------

    def _on_sync_state(self, state: str) -> None:
        self._sync_state = state
        self._show()

    def _on_sync_message(self, message: str) -> None:
        self._sync_message = message
        self._show()

    def _watch_journal(self) -> bool:
        """Watch the journal's files and folder; False if the folder cannot be watched."""
        path = self._parts.journal_path
        # The WAL file takes the writes; the folder tells when it appears or is checkpointed.
        files = [str(p) for p in (path, path.with_name(path.name + "-wal")) if p.exists()]
        if files:
            self._watcher.addPaths(files)
        return bool(self._watcher.addPath(str(path.parent)))

    def _journal_changed(self, _path: str) -> None:
        if not self._recount.isActive():
            self._recount.start()
        wal = self._parts.journal_path.with_name(self._parts.journal_path.name + "-wal")
        # inotify forgets a file that was replaced; watch it again.
        if wal.exists() and str(wal) not in self._watcher.files():
            self._watcher.addPath(str(wal))

    def refresh_waiting(self) -> None:
        before = self._waiting
        try:
            self._waiting = self._parts.count_waiting()
        except Exception as error:  # a locked or damaged journal must not take the tray down
            log.warning("could not count the entries waiting: %s", error)
            return
        self._show()
        if self._waiting > before:
            self._parts.entries_added()

    def _show(self) -> None:
        status = Status(self._sync_state, self._waiting, self._sync_message, self.hotkey_problem)
        self.tray.set_status(status)


def _move_to_screen_under_mouse(window: QWidget) -> None:
    """Open on the screen where the mouse is: that is where the user is looking."""
    screen = QGuiApplication.screenAt(QCursor.pos())
    if screen is None or window.screen() is screen:
        return
    area = screen.availableGeometry()
    size = window.frameGeometry().size()
    window.move(
        area.x() + max(0, (area.width() - size.width()) // 2),
        area.y() + max(0, (area.height() - size.height()) // 2),
    )
