"""The composition root: the one place that builds the app and connects its parts.

:func:`run_app` does what only a real start-up does (the QApplication, translators, SIGTERM, the
single instance, opening the journal, the event loop, the collector on loopback);
:func:`compose` builds the windows, the desktop shell, the sync service and the journal's
watcher on a journal handed in and connects their signals. The parts know nothing of each other:
each is handed what it drives, and only this module imports them all, so tests compose the same
app on a temporary profile.

The journal changing is one signal, :attr:`JournalWatcher.changed` (a save here, an edit in the
log, ``earshot add`` or ``earshot sync`` in another process), once per burst of writes; the
tray's count, the log and the sync service ("entries were added: send") subscribe to it.
"""

from __future__ import annotations

import logging
import signal
import socket
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QSocketNotifier, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from earshot import APP_ID, APP_NAME, __version__
from earshot.core.autostart import for_platform, launch_command
from earshot.core.journal import Journal, JournalError
from earshot.core.paths import resolve_data_dir
from earshot.core.profile import Profile
from earshot.core.settings import Preferences
from earshot.gui.app import EarshotApp, LogOnFirstUse, SettingsOnFirstUse
from earshot.gui.hotkey import create_backend
from earshot.gui.i18n import install_translators, remove_translators
from earshot.gui.resources import Resources
from earshot.gui.services.journal import JournalWatcher
from earshot.gui.services.sender_later import SyncLater
from earshot.gui.services.single_instance import SingleInstance, claim_instance
from earshot.gui.shell import DesktopShell, ShellParts
from earshot.gui.tray import Tray

if TYPE_CHECKING:
    # Made half a second after start-up (SyncLater): HTTP, the keyring, the loopback collector.
    from earshot.gui.services.sender import SyncService
    from earshot_sync.credentials import TokenStore
    from earshot_sync.local_collector import LocalCollector

log = logging.getLogger(__name__)

# Makes the sync service for the app's preferences of the moment (see SyncLater).
MakeSync = Callable[[Preferences], "SyncService"]


@dataclass
class Desktop:
    """The parts of one running app, as :func:`compose` connected them."""

    windows: EarshotApp
    shell: DesktopShell
    journal: JournalWatcher
    log: LogOnFirstUse
    settings: SettingsOnFirstUse
    sync: SyncLater | None
    on_shutdown: list[Callable[[], None]] = field(default_factory=list)

    def start(self, *, show_quick_entry: bool = True) -> None:
        if show_quick_entry:
            self.windows.start()
        if self.sync is not None:
            self.sync.start()  # whatever waited while the app was closed, once the windows are up

    def shutdown(self) -> None:
        """The app's one shutdown sequence (connected to ``aboutToQuit`` by whoever runs it).

        No more "changed"; sending stops; the draft is kept and the journal closes; whatever
        was handed in to stop (the collector on loopback); the shell last, so the tray, the
        hotkey and the single-instance socket stay until the app's work is put away.
        """
        self.journal.stop()
        if self.sync is not None:
            self.sync.shutdown()
        self.windows.shutdown()
        for stop in self.on_shutdown:
            stop()
        self.shell.stop()


def compose(
    app: QApplication,
    profile: Profile,
    journal: Journal,
    resources: Resources,
    instance: SingleInstance,
    env: Mapping[str, str],
    make_sync: MakeSync | None = None,
    tokens: TokenStore | None = None,
) -> Desktop:
    """Build the app's parts on ``journal`` and connect them; the shell is started.

    ``make_sync`` makes the sync service (see :class:`SyncLater`); without it nothing is sent.
    """
    windows = EarshotApp(profile, journal, profile.settings, resources)
    windows.quit_requested.connect(app.quit)
    watcher = JournalWatcher(journal.path, journal.waiting, parent=windows)
    windows.quick_entry.saved.connect(watcher.entry_saved)
    log_opener = LogOnFirstUse(journal, lambda: windows.preferences, edited=watcher.note_change)
    windows.set_log_opener(log_opener)
    watcher.changed.connect(log_opener.journal_changed)

    sync: SyncLater | None = None
    if make_sync is not None:
        make = make_sync

        def make_service() -> SyncService:
            service = make(windows.preferences)
            service.setParent(windows)
            return service

        sync = SyncLater(make_service, parent=windows)
    if sync is not None:
        watcher.changed.connect(sync.journal_changed)

    data_dir = profile.data_dir.root
    default_dir = resolve_data_dir(None, {}).root
    autostart = for_platform(
        launch_command(data_dir=None if data_dir == default_dir else data_dir), env
    )
    hotkey = create_backend(app.platformName())
    settings = SettingsOnFirstUse(profile.settings, hotkey, autostart, tokens, parent=windows)

    parts = ShellParts(
        quick_entry=windows.quick_entry,
        open_log=windows.open_log,
        send_now=sync.retry_and_send if sync is not None else _nothing,
        open_settings=settings,
    )
    shell = DesktopShell(app, parts, Tray(resources), hotkey, instance, autostart)
    watcher.changed.connect(shell.journal_changed)
    windows.quit_when_hidden = False  # the tray (or its window) keeps the app reachable
    settings.saved.connect(shell.apply_preferences)
    settings.saved.connect(windows.apply_preferences)
    if sync is not None:
        settings.token_saved.connect(sync.token_changed)
        shell.follow_sync(sync)
    shell.start(windows.preferences)
    watcher.start()  # the tray's first count
    return Desktop(windows, shell, watcher, log_opener, settings, sync)


def _nothing() -> None:
    """Where there is no sync service: "Send now" does nothing."""


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
    """One instance of the app on ``profile``; returns the exit code."""
    instance = claim_instance(profile.data_dir.root)
    if instance is None:
        return 0  # the Earshot already running on this profile shows its window instead
    try:
        journal = profile.open_journal()
    except JournalError as error:
        log.error("journal unusable at start-up: %s", error.detail or error)
        show_startup_error(error)
        return 1
    local: list[LocalCollector] = []

    def make_sync(preferences: Preferences) -> SyncService:
        from earshot.gui.services.sender import SyncService, app_connector

        collector = start_local_collector(profile, preferences)
        local.extend([collector] if collector is not None else [])
        connector = app_connector(profile.settings, env, collector)
        return SyncService(journal, journal.path, connector)

    def stop_local() -> None:
        for collector in local:
            collector.stop()

    desktop = compose(app, profile, journal, resources, instance, env, make_sync)
    desktop.on_shutdown.append(stop_local)  # the collector on loopback, before the shell
    app.aboutToQuit.connect(desktop.shutdown)
    desktop.start()
    try:
        return app.exec()
    finally:
        app.aboutToQuit.disconnect(desktop.shutdown)
        desktop.shell.stop()  # already done at quit; here too if exec() ends another way
