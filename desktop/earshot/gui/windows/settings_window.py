"""The settings window: where to send, the device token, this PC's defaults, hotkey, login.

The token field is write-only: it starts empty whatever the keyring holds, what is typed goes
to the keyring (never to ``settings.json``) and the field is emptied again. Settings that IT
locked in the system-wide file are shown read-only with a note. Nothing is saved until every
field is fine; a problem is shown beside the buttons and everything typed stays as it was.
"""

from __future__ import annotations

import dataclasses
import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from earshot.core.autostart import Autostart, AutostartError
from earshot.core.hotkey_combo import ComboInvalid, parse
from earshot.core.settings import Preferences, SettingsProblem, SettingsStore
from earshot.core.settings import parse as parse_settings
from earshot.gui.hotkey import HotkeyBackend, HotkeyError
from earshot.gui.i18n import fill
from earshot_sync.credentials import CredentialsProblem, NoKeyring, Token, TokenStore

log = logging.getLogger(__name__)


def _lines(widget: QPlainTextEdit) -> list[str]:
    return [line.strip() for line in widget.toPlainText().splitlines() if line.strip()]


class SettingsWindow(QDialog):
    """Edits the user's preferences; :attr:`saved` carries them once they are on disk."""

    saved = Signal(object)  # Preferences
    token_saved = Signal()

    def __init__(
        self,
        settings: SettingsStore,
        tokens: TokenStore,
        hotkey: HotkeyBackend,
        autostart: Autostart,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self._tokens = tokens
        self._hotkey = hotkey
        self._autostart = autostart
        self.setObjectName("settingsWindow")
        self.setWindowTitle(self.tr("Earshot settings"))
        self.setAccessibleName(self.tr("Earshot settings"))
        self.preferences = settings.load()

        self.endpoint = QLineEdit(self)
        self.endpoint.setPlaceholderText("https://feedback.example.com")
        self.token = QLineEdit(self)
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setPlaceholderText(self.tr("Type a new device token to replace the saved one"))
        # A password field must not offer its text to input methods or the clipboard.
        self.token.setInputMethodHints(
            Qt.InputMethodHint.ImhHiddenText | Qt.InputMethodHint.ImhSensitiveData
        )
        self.site = QLineEdit(self)
        self.default_station = QComboBox(self)
        self.default_station.setEditable(True)
        self.stations = QPlainTextEdit(self)
        self.staff = QPlainTextEdit(self)
        for box in (self.stations, self.staff):
            box.setTabChangesFocus(True)  # Tab moves on, as everywhere else in the form
            box.setMaximumHeight(90)
        self.hotkey = QLineEdit(self)
        self.hotkey.setPlaceholderText("Ctrl+Alt+F")
        self.start_at_login = QCheckBox(self.tr("Start Earshot when I &log in"), self)
        self.problem = QLabel(self)
        self.problem.setObjectName("settingsProblem")
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName(self.tr("Problem"))
        self.problem.setStyleSheet("color: #b00020;")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self._lay_out()
        self._fill(self.preferences)

    def _lay_out(self) -> None:
        form = QFormLayout()
        self._rows: dict[str, QWidget] = {}
        self._notes: dict[str, QLabel] = {}
        for name, label, widget, accessible in (
            (
                "endpoint",
                self.tr("Collector &address:"),
                self.endpoint,
                self.tr("Collector address"),
            ),
            ("token", self.tr("Device &token:"), self.token, self.tr("Device token")),
            ("site", self.tr("S&ite:"), self.site, self.tr("Site")),
            (
                "default_station",
                self.tr("&Default station:"),
                self.default_station,
                self.tr("Default station"),
            ),
            ("stations", self.tr("St&ations (one a line):"), self.stations, self.tr("Stations")),
            ("staff", self.tr("Sta&ff (one a line):"), self.staff, self.tr("Staff")),
            ("hotkey", self.tr("&Hotkey:"), self.hotkey, self.tr("Hotkey")),
            ("start_at_login", "", self.start_at_login, self.tr("Start at login")),
        ):
            widget.setAccessibleName(accessible)
            if label:
                buddy = QLabel(label, self)
                buddy.setBuddy(widget)
                form.addRow(buddy, widget)
            else:
                form.addRow(widget)
            note = QLabel(self.tr("Set by IT for this PC."), self)
            note.setAccessibleName(fill(self.tr("%1 is set by IT"), accessible))
            note.setVisible(False)
            form.addRow("", note)
            self._rows[name] = widget
            self._notes[name] = note
        self.token_note = QLabel(self)
        self.token_note.setWordWrap(True)
        self.token_note.setAccessibleName(self.tr("About the device token"))
        self.token_note.setText(
            self.tr(
                "The token is kept in the system keyring, never shown again. "
                "Leave the field empty to keep the saved one."
            )
        )
        form.insertRow(2, "", self.token_note)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)

    def _fill(self, preferences: Preferences) -> None:
        self.endpoint.setText(preferences.endpoint)
        self.site.setText(preferences.site)
        self.default_station.clear()
        self.default_station.addItems(list(preferences.stations))
        self.default_station.setCurrentText(preferences.default_station)
        self.stations.setPlainText("\n".join(preferences.stations))
        self.staff.setPlainText("\n".join(preferences.staff))
        self.hotkey.setText(preferences.hotkey)
        # The box shows what the desktop will do at the next login, not the saved preference:
        # the .deb installs a system-wide autostart entry, so with the preference off (its
        # default) the app still starts at login, and the box must say so to be switchable.
        # Where IT fixed the setting the box shows IT's value (the app applies it at start).
        if "start_at_login" in self._settings.locked:
            self.start_at_login.setChecked(preferences.start_at_login)
        else:
            self.start_at_login.setChecked(self._starts_at_login(preferences.start_at_login))
        for name, widget in self._rows.items():
            locked = name in self._settings.locked
            self._notes[name].setVisible(locked)
            if isinstance(widget, QLineEdit | QPlainTextEdit):
                widget.setReadOnly(locked)
            else:
                widget.setEnabled(not locked)
        # The token belongs to the endpoint: with the endpoint fixed by IT, it may still be set.

    def value(self) -> Preferences:
        """The preferences as typed, cleaned the way ``settings.json`` is read."""
        document = {
            "endpoint": self.endpoint.text(),
            "site": self.site.text(),
            "default_station": self.default_station.currentText(),
            "stations": _lines(self.stations),
            "staff": _lines(self.staff),
            "hotkey": self.hotkey.text(),
            "start_at_login": self.start_at_login.isChecked(),
        }
        preferences, _problems = parse_settings(document, self.preferences)
        return preferences

    def show_problem(self, text: str) -> None:
        self.problem.setText(text)

    def problems(self, preferences: Preferences) -> list[str]:
        found: list[str] = []
        if not preferences.site:
            found.append(self.tr("The site cannot be empty."))
        if not preferences.stations:
            found.append(self.tr("List at least one station."))
        elif preferences.default_station not in preferences.stations:
            found.append(
                fill(
                    self.tr('The default station "%1" is not in the list of stations.'),
                    preferences.default_station,
                )
            )
        endpoint = preferences.endpoint
        if endpoint and not endpoint.startswith(("https://", "http://")):
            found.append(
                self.tr(
                    "The collector address starts with https://, like https://feedback.example.com"
                )
            )
        if self.token.text().strip() and not endpoint:
            found.append(self.tr("Give the collector address the token belongs to."))
        return found

    def _check_hotkey(self, text: str) -> str | None:
        """The canonical hotkey, or None after showing why it cannot be used."""
        try:
            combo = parse(text)
        except ComboInvalid as invalid:
            self.show_problem(str(invalid))
            self.hotkey.setFocus()
            return None
        if str(combo) != self.preferences.hotkey:
            try:
                self._hotkey.check(combo)
            except HotkeyError as error:
                self.show_problem(str(error))
                self.hotkey.setFocus()
                return None
        return str(combo)

    def save(self) -> bool:
        """Save everything or nothing that can be checked first; True when saved."""
        self.show_problem("")
        preferences = self.value()
        found = self.problems(preferences)
        if found:
            self.show_problem("\n".join(found))
            return False
        hotkey = self._check_hotkey(preferences.hotkey)
        if hotkey is None:
            return False
        preferences = dataclasses.replace(preferences, hotkey=hotkey)
        if not self._save_token(preferences.endpoint):
            return False
        try:
            self._settings.save(preferences)
        except SettingsProblem as problem:
            self.show_problem(str(problem))
            return False
        except OSError as error:
            self.show_problem(
                fill(
                    self.tr("The settings could not be saved in %1: %2"),
                    str(self._settings.user_path),
                    error.strerror or str(error),
                )
            )
            return False
        # Applied whenever the box differs from what the desktop does now (a system entry may
        # start the app whatever the saved preference said).
        login_changed = preferences.start_at_login != self._starts_at_login(
            self.preferences.start_at_login
        )
        self.preferences = preferences
        self.saved.emit(preferences)
        if login_changed and not self._apply_autostart(preferences.start_at_login):
            return False
        self.accept()
        return True

    def _save_token(self, endpoint: str) -> bool:
        typed = self.token.text()
        if not typed.strip():
            return True
        try:
            token = Token(typed)
        except ValueError as invalid:
            self.show_problem(fill(self.tr("The device token cannot be used: %1."), str(invalid)))
            return False
        try:
            self._tokens.set(endpoint, token)
        except (NoKeyring, CredentialsProblem) as problem:
            self.show_problem(str(problem))
            return False
        self.token.clear()
        self.token_saved.emit()
        return True

    def _starts_at_login(self, fallback: bool) -> bool:
        """Whether the app starts at the next login; ``fallback`` if that cannot be read."""
        try:
            return self._autostart.is_enabled()
        except (AutostartError, OSError) as error:
            log.warning("start at login: %s", error)
            return fallback

    def _apply_autostart(self, enabled: bool) -> bool:
        try:
            if enabled:
                self._autostart.enable()
            else:
                self._autostart.disable()
        except AutostartError as error:
            self.show_problem(str(error))
            return False
        return True
