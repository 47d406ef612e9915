"""The windows of one profile: :class:`EarshotApp`, and the openers of the windows made on
first use (the log, the settings).

Each gets what it needs (journal, settings, profile) handed in, so tests build it on a temporary
profile inside pytest-qt's one QApplication; :mod:`earshot.gui.main` builds and wires them for a
real start-up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from earshot.core.autostart import Autostart
from earshot.core.journal import Journal
from earshot.core.profile import Profile
from earshot.core.settings import Preferences, SettingsStore
from earshot.gui.hotkey import HotkeyBackend
from earshot.gui.resources import Resources
from earshot.gui.services.journal import JournalChange
from earshot.gui.services.window_state import WindowState
from earshot.gui.windows.quick_entry import QuickEntryWindow

if TYPE_CHECKING:
    # Imported when the window first opens (``make bench``: startup): the log window and its
    # model are a tenth of the app's imports, the settings window brings the keyring.
    from earshot.gui.windows.log_window import LogOpener
    from earshot.gui.windows.settings_window import SettingsWindow
    from earshot_sync.credentials import TokenStore


def _no_log_window() -> None:
    """Placeholder until the log window is wired in (see ``EarshotApp.set_log_opener``)."""


class LogOnFirstUse:
    """The log window's opener, its module imported when the log is first opened.

    The log window and its model are a tenth of the app's imports; a start-up that only shows
    the tray and the quick entry should not wait for them (``make bench``: startup).
    """

    def __init__(
        self,
        journal: Journal,
        preferences: Callable[[], Preferences],
        edited: Callable[[], None] | None = None,
    ) -> None:
        self._journal = journal
        self._preferences = preferences
        self._edited = edited  # told of an edit or a deletion made in the log
        self.opener: LogOpener | None = None

    def __call__(self) -> None:
        if self.opener is None:
            from earshot.gui.windows.log_window import LogOpener

            self.opener = LogOpener(self._journal, self._preferences, self._edited)
        self.opener()

    def journal_changed(self, _change: JournalChange) -> None:
        """The journal changed: an open log shows it (no log yet: nothing to do)."""
        if self.opener is not None:
            self.opener.journal_changed()


class SettingsOnFirstUse(QObject):
    """The tray's "Settings": one settings window, made when first asked for.

    Its signals pass on the window's: ``saved`` (the new :class:`Preferences`) and
    ``token_saved``, for whoever must follow them (connected in :mod:`earshot.gui.main`).
    """

    saved = Signal(object)
    token_saved = Signal()

    def __init__(
        self,
        settings: SettingsStore,
        hotkey: HotkeyBackend,
        autostart: Autostart,
        tokens: TokenStore | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self._hotkey = hotkey
        self._autostart = autostart
        self._tokens = tokens
        self.window: SettingsWindow | None = None  # kept alive while open

    def __call__(self) -> None:
        if self.window is not None and self.window.isVisible():
            self.window.raise_()
            self.window.activateWindow()
            return
        from earshot.gui.windows.settings_window import SettingsWindow
        from earshot_sync.credentials import TokenStore

        tokens = self._tokens or TokenStore()
        window = SettingsWindow(self._settings, tokens, self._hotkey, self._autostart)
        window.saved.connect(self.saved)
        window.token_saved.connect(self.token_saved)
        self.window = window
        window.show()
        window.raise_()
        window.activateWindow()


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
