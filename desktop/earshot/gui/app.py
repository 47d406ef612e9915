"""The app: a QApplication around an :class:`EarshotApp` that owns the windows.

``run_app`` does what only a real start-up does (the QApplication, translators, opening the
journal, the event loop); :class:`EarshotApp` gets its journal, settings and profile handed in,
so tests build it on a temporary profile inside pytest-qt's one QApplication.
"""

from __future__ import annotations

import logging
import signal
import socket
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, QSocketNotifier, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from earshot import APP_ID, APP_NAME, __version__
from earshot.core.journal import Journal, JournalError
from earshot.core.profile import Profile
from earshot.core.settings import Preferences, SettingsStore
from earshot.gui.i18n import install_translators, remove_translators
from earshot.gui.resources import Resources
from earshot.gui.services.sender_later import SyncLater
from earshot.gui.services.window_state import WindowState
from earshot.gui.shell import claim_instance, start_shell
from earshot.gui.windows.quick_entry import QuickEntryWindow

if TYPE_CHECKING:
    from earshot.gui.services.sender import SyncService
    from earshot.gui.windows.log_window import LogOpener
    from earshot_sync.local_collector import LocalCollector

log = logging.getLogger(__name__)


def _no_log_window() -> None:
    """Placeholder until the log window is wired in (see ``EarshotApp.set_log_opener``)."""


class LogOnFirstUse:
    """The log window's opener, its module imported when the log is first opened.

    The log window and its model are a tenth of the app's imports; a start-up that only shows
    the tray and the quick entry should not wait for them (``make bench``: startup).
    """

    def __init__(self, journal: Journal, preferences: Callable[[], Preferences]) -> None:
        self._journal = journal
        self._preferences = preferences
        self.opener: LogOpener | None = None

    def __call__(self) -> None:
        if self.opener is None:
            from earshot.gui.windows.log_window import LogOpener

            self.opener = LogOpener(self._journal, self._preferences)
        self.opener()

    def refresh(self) -> None:
        """After a save: an open log shows it at once (no log yet: nothing to do)."""
        if self.opener is not None:
            self.opener.refresh()


class EarshotApp(QObject):
    """The windows of one profile and when the app should end."""

    quit_requested = Signal()

    def __init__(
        self,
        profile: Profile,
        journal: Journal,
        settings: SettingsStore,
        resources: Resources,
        open_log: Callable[[], object] = _no_log_window,
    ) -> None:
        super().__init__()
        self.profile = profile
        self.journal = journal
        self.settings = settings
        self.resources = resources
        self.preferences = settings.load()
        self.state = WindowState(profile.data_dir.state)
        self._open_log = open_log
        self.settings_box: QMessageBox | None = None
        self.quick_entry = QuickEntryWindow(
            journal, self.preferences, self.state, resources, open_log=self.open_log
        )
        self.quick_entry.hidden.connect(self._window_hidden)
        self._quit_after_toast = False
        self.quick_entry.toast.finished.connect(self._toast_finished)
        # Without a tray, hiding the last window is how a user ends Earshot. A tray (or any
        # other way back in) sets this to False and quits on its own terms.
        self.quit_when_hidden = True

    def apply_preferences(self, preferences: Preferences) -> None:
        """Settings saved while the app runs reach the windows without a restart."""
        self.preferences = preferences
        self.quick_entry.apply_preferences(preferences)

    def set_log_opener(self, open_log: Callable[[], object]) -> None:
        """The hook for the log window: called on "Open log" (Ctrl+L) in the quick entry."""
        self._open_log = open_log

    def open_log(self) -> None:
        self._open_log()

    def start(self) -> None:
        # The note first, so that the window opened after it is the one that gets the keyboard.
        self.show_settings_problems()
        self.quick_entry.open()

    def show_settings_problems(self) -> None:
        """Settings problems never block work: a note beside the window, not a modal box."""
        problems = list(self.settings.problems)
        if not problems:
            return
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            self.tr("Earshot: settings"),
            self.tr("Some settings could not be used. Earshot works with the defaults:"),
            QMessageBox.StandardButton.Ok,
        )
        box.setInformativeText("\n".join(problems))
        box.setAccessibleName(self.tr("Settings problems"))
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        box.show()
        self.settings_box = box

    def main_windows_visible(self) -> list[QWidget]:
        """Visible app windows (not tool tips such as the toast, not message boxes)."""
        return [
            widget
            for widget in QApplication.topLevelWidgets()
            if widget.isVisible()
            and widget.windowType() == Qt.WindowType.Window
            and not isinstance(widget, QMessageBox)
        ]

    def _window_hidden(self) -> None:
        if not self.quit_when_hidden or self.main_windows_visible():
            return
        if self.quick_entry.toast.isVisible():
            self._quit_after_toast = True
        else:
            self.quit_requested.emit()

    def _toast_finished(self) -> None:
        if self._quit_after_toast and self.quit_when_hidden and not self.main_windows_visible():
            self.quit_requested.emit()
        self._quit_after_toast = False

    def shutdown(self) -> None:
        """Keep the draft, let go of the journal."""
        if self.quick_entry.isVisible():
            self.quick_entry.save_draft()
        self.journal.close()


def show_startup_error(error: JournalError) -> None:
    box = QMessageBox(
        QMessageBox.Icon.Critical,
        QCoreApplication.translate("EarshotApp", "Earshot cannot start"),
        str(error),
        QMessageBox.StandardButton.Close,
    )
    box.setAccessibleName(QCoreApplication.translate("EarshotApp", "Earshot cannot start"))
    box.exec()


@contextmanager
def quit_on_sigterm(app: QApplication) -> Iterator[None]:
    """End cleanly on SIGTERM (a logout, ``systemctl stop``, ``kill``): the draft is kept and
    sending stops between batches; the previous handler is back afterwards.

    Python runs signal handlers only between bytecodes, never while Qt's event loop waits in
    C++. The signal also writes a byte to a socket (``signal.set_wakeup_fd``) that a
    QSocketNotifier watches: the event loop wakes, a Python slot runs, and so does the handler.
    No timer ticks for it, so an idle app stays asleep. The quit is queued, so a SIGTERM that
    comes before the event loop runs still ends it.
    """
    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read, app)
    notifier.activated.connect(lambda: _discard(reader))
    previous_fd = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    previous = signal.signal(signal.SIGTERM, lambda _signum, _frame: QTimer.singleShot(0, app.quit))
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
        signal.set_wakeup_fd(previous_fd)
        notifier.setEnabled(False)
        notifier.deleteLater()
        reader.close()
        writer.close()


def _discard(reader: socket.socket) -> None:
    """Empty the wake-up socket (the handler itself has run by now, in Python)."""
    with suppress(BlockingIOError, InterruptedError):
        while reader.recv(64):
            pass


def start_local_collector(profile: Profile, preferences: Preferences) -> LocalCollector | None:
    """A collector on loopback while no collector address is set, where one is installed
    (``make run`` installs it; the desktop bundle does not). It starts on first use, in the
    sync worker, so the window never waits for it."""
    from earshot_sync.local_collector import LocalCollector, available

    if preferences.endpoint.strip() or not available():
        return None
    return LocalCollector(profile.data_dir.root / "local-collector")


def run_app(profile: Profile, env: Mapping[str, str]) -> int:
    """Start the app on ``profile``; returns the exit code (1 if the journal cannot be used)."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)
    resources = Resources.locate(env)
    app.setWindowIcon(resources.icon("earshot"))
    translators = install_translators(app, resources.translations)
    try:
        with quit_on_sigterm(app):
            return _run(app, profile, env, resources)
    finally:
        remove_translators(app, translators)


def _run(app: QApplication, profile: Profile, env: Mapping[str, str], resources: Resources) -> int:
    """One instance of the app on ``profile``: windows, shell, sync; returns the exit code."""
    instance = claim_instance(profile.data_dir.root)
    if instance is None:
        return 0  # the Earshot already running on this profile shows its window instead
    try:
        journal = profile.open_journal()
    except JournalError as error:
        log.error("journal unusable at start-up: %s", error.detail or error)
        show_startup_error(error)
        return 1
    controller = EarshotApp(profile, journal, profile.settings, resources)
    log_opener = LogOnFirstUse(journal, lambda: controller.preferences)
    controller.set_log_opener(log_opener)
    controller.quick_entry.saved.connect(log_opener.refresh)
    controller.quit_requested.connect(app.quit)
    local: list[LocalCollector] = []

    def make_sync() -> SyncService:
        from earshot.gui.services.sender import SyncService, app_connector

        collector = start_local_collector(profile, controller.preferences)
        local.extend([collector] if collector is not None else [])
        connector = app_connector(profile.settings, env, collector)
        return SyncService(journal, journal.path, connector, parent=controller)

    sync = SyncLater(make_sync, parent=controller)
    controller.quick_entry.saved.connect(sync.entry_saved)

    def shutdown() -> None:
        # Sending stops before the journal closes; the collector on loopback goes last.
        sync.shutdown()
        controller.shutdown()
        for collector in local:
            collector.stop()

    app.aboutToQuit.connect(shutdown)
    shell = start_shell(app, controller, resources, instance, env, sync=sync)
    controller.start()
    sync.start()  # whatever waited while the app was closed, once the windows are up
    try:
        return app.exec()
    finally:
        app.aboutToQuit.disconnect(shutdown)
        shell.stop()  # already done at quit; here too if exec() ends another way
