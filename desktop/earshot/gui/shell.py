"""The desktop life of the app: tray (or its fallback window), global hotkey, one instance.

:class:`DesktopShell` is handed everything it drives (the quick-entry window, how to open the
log and send now, the single-instance server, the hotkey backend)
and owns no globals; :mod:`earshot.gui.main` builds it and connects it to the rest.

- The app keeps running with its windows closed (``setQuitOnLastWindowClosed(False)``); Quit in
  the tray menu (or the fallback window) ends it.
- The hotkey comes from the preferences and is registered again when they change; a failure
  (taken by another program, no global shortcuts on this desktop) is kept in
  :attr:`DesktopShell.hotkey_problem` and shown in the tray menu's place of the hotkey.
- The tray's waiting count follows the journal's one "changed" signal
  (:class:`~earshot.gui.services.journal.JournalWatcher`, connected to :meth:`journal_changed`),
  whichever process changed it; the shell itself runs no timer.
- :meth:`DesktopShell.stop` ungrabs the keys, closes the socket and removes the tray icon. The
  shell does not connect it to ``aboutToQuit`` itself: whoever owns the app's shutdown calls it
  last (``earshot.gui.main.Desktop.shutdown``), after sending has stopped and the journal is
  closed, so the app stays reachable until its work is put away.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import QObject, Signal, SignalInstance, Slot
from PySide6.QtGui import QCursor, QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from earshot import APP_NAME, __version__
from earshot.core.autostart import Autostart, AutostartError
from earshot.core.hotkey_combo import ComboInvalid, parse
from earshot.core.settings import Preferences
from earshot.gui.hotkey import HotkeyBackend, HotkeyError
from earshot.gui.i18n import fill
from earshot.gui.services.journal import JournalChange
from earshot.gui.services.single_instance import SingleInstance
from earshot.gui.tray import Status, Tray

log = logging.getLogger(__name__)


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
    open_settings: Callable[[], None]


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

    # -- start and stop -------------------------------------------------------------------

    def start(self, preferences: Preferences) -> None:
        self._quit_on_last_window = self._app.quitOnLastWindowClosed()
        self._app.setQuitOnLastWindowClosed(False)
        self.tray.start()
        self.apply_preferences(preferences)

    def stop(self) -> None:
        """Let go of what the desktop lends us: the key grab, the socket, the tray slot.

        Only the first call does anything: ``run_app`` calls it again where ``exec()`` ends
        other than by a quit.
        """
        if self._stopped:
            return
        self._stopped = True
        self.hotkey.unregister()
        close = getattr(self.hotkey, "close", None)
        if callable(close):
            close()
        self.instance.close()
        self.tray.stop()
        # Leave the QApplication as it was (tests run several apps in one).
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

    @Slot(object)
    def journal_changed(self, change: JournalChange) -> None:
        """The journal changed (here or in another process): the tray shows the new count."""
        if change.waiting is not None:
            self._waiting = change.waiting
        self._show()

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
