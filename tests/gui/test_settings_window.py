"""The settings window, offscreen: real settings files, a real Secret Service keyring, real keys.

The hotkey conflict check runs the real Windows backend with only user32 replaced (an X grab
cannot run offscreen; tests/desktop checks the X11 one on a real server).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QPlainTextEdit
from pytestqt.qtbot import QtBot

from earshot.core.autostart import XdgAutostart
from earshot.core.hotkey_combo import parse
from earshot.core.settings import SettingsStore
from earshot.gui.hotkey.keys import MOD_ALT, MOD_CONTROL
from earshot.gui.hotkey.windows import WindowsBackend
from earshot.gui.windows.settings_window import SettingsWindow
from earshot_sync.credentials import TokenStore
from tests.gui.test_hotkey_platforms import FakeUser32
from tests.keyring_session import KeyringSession, secret_service  # noqa: F401 (a fixture)

TOKEN = "es_dev_7Jq9xW2pLm4R"  # a made-up token for this test


@pytest.fixture
def settings(tmp_path: Path) -> SettingsStore:
    store = SettingsStore(tmp_path / "home" / "settings.json", [tmp_path / "system.json"])
    store.load()
    return store


@pytest.fixture
def user32() -> FakeUser32:
    # Ctrl+Alt+T is held by another program (as a terminal launcher often is).
    return FakeUser32(taken_by_others={(MOD_CONTROL | MOD_ALT, ord("T"))})


@pytest.fixture
def autostart(tmp_path: Path) -> XdgAutostart:
    # XDG_CONFIG_DIRS set to an empty folder: the host's /etc/xdg/autostart is never read.
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_CONFIG_DIRS": str(tmp_path / "xdg")}
    return XdgAutostart(["earshot"], env)


def make_window(
    qtbot: QtBot,
    settings: SettingsStore,
    tokens: TokenStore,
    user32: FakeUser32,
    autostart: XdgAutostart,
) -> SettingsWindow:
    backend = WindowsBackend(user32)
    backend.register(parse("Ctrl+Alt+F"))
    window = SettingsWindow(settings, tokens, backend, autostart)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitActive(window)
    return window


@pytest.fixture
def window(
    qtbot: QtBot,
    settings: SettingsStore,
    user32: FakeUser32,
    autostart: XdgAutostart,
    secret_service: KeyringSession,  # noqa: F811
) -> SettingsWindow:
    return make_window(qtbot, settings, TokenStore(secret_service.backend()), user32, autostart)


def retype(qtbot: QtBot, field: QLineEdit, text: str) -> None:
    field.setFocus()
    field.selectAll()
    qtbot.keyClick(field, Qt.Key.Key_Delete)
    qtbot.keyClicks(field, text)


def test_typed_settings_are_saved_with_the_keyboard(
    qtbot: QtBot, window: SettingsWindow, settings: SettingsStore
) -> None:
    retype(qtbot, window.endpoint, "https://feedback.example.com")
    retype(qtbot, window.site, "Leeds Kirkgate")
    window.stations.setFocus()
    window.stations.selectAll()
    qtbot.keyClicks(window.stations, "counter")
    qtbot.keyClick(window.stations, Qt.Key.Key_Return)
    qtbot.keyClicks(window.stations, "phone")
    qtbot.keyClick(window.stations, Qt.Key.Key_Tab)  # Tab leaves the list, as in any field
    assert not window.stations.hasFocus()

    with qtbot.waitSignal(window.saved) as saved:
        qtbot.keyClick(window.site, Qt.Key.Key_Return)  # Enter presses Save

    preferences = settings.load()
    assert saved.args == [preferences]
    assert preferences.endpoint == "https://feedback.example.com"
    assert preferences.site == "Leeds Kirkgate"
    assert preferences.stations == ("counter", "phone")
    assert not window.isVisible()


def test_the_token_goes_to_the_keyring_only_and_is_never_shown_back(
    qtbot: QtBot,
    settings: SettingsStore,
    user32: FakeUser32,
    autostart: XdgAutostart,
    secret_service: KeyringSession,  # noqa: F811
) -> None:
    tokens = TokenStore(secret_service.backend())
    window = make_window(qtbot, settings, tokens, user32, autostart)
    assert window.token.echoMode() == QLineEdit.EchoMode.Password
    retype(qtbot, window.endpoint, "https://feedback.example.com")
    retype(qtbot, window.token, TOKEN)

    with qtbot.waitSignal(window.token_saved):
        assert window.save()

    stored = tokens.get("https://feedback.example.com")
    assert stored is not None
    assert stored.reveal() == TOKEN
    assert TOKEN not in settings.user_path.read_text(encoding="utf-8")
    # Opened again, the field is empty: the token is never read back into a widget.
    again = make_window(qtbot, settings, tokens, FakeUser32(), autostart)
    assert again.token.text() == ""
    assert all(TOKEN not in edit.text() for edit in again.findChildren(QLineEdit))


def test_a_token_without_an_address_is_refused_and_nothing_is_saved(
    qtbot: QtBot, window: SettingsWindow, settings: SettingsStore
) -> None:
    retype(qtbot, window.token, TOKEN)
    assert window.save() is False
    assert "collector address" in window.problem.text()
    assert not settings.user_path.exists()
    assert window.token.text() == TOKEN  # kept as typed, to fix the address and save


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("Ctrl+Alt+T", "Another program already uses Ctrl+Alt+T"),
        ("Shift+F", "needs Ctrl, Alt or Meta"),
        ("Ctrl+Alt+Tab", '"Tab" cannot be used as the key'),
    ],
)
def test_a_hotkey_that_cannot_be_used_says_why_and_nothing_is_saved(
    qtbot: QtBot, window: SettingsWindow, settings: SettingsStore, typed: str, problem: str
) -> None:
    retype(qtbot, window.hotkey, typed)
    assert window.save() is False
    assert problem in window.problem.text()
    assert window.hotkey.hasFocus()
    assert not settings.user_path.exists()


def test_a_free_hotkey_is_saved_in_its_canonical_spelling(
    qtbot: QtBot, window: SettingsWindow, settings: SettingsStore, user32: FakeUser32
) -> None:
    retype(qtbot, window.hotkey, "alt+ctrl+g")
    assert window.save()
    assert settings.load().hotkey == "Ctrl+Alt+G"
    # The check gave the combination back: the app registers it when it applies the settings.
    assert user32.registered == {0xE5A1: (0x4003, ord("F"))}


def test_start_at_login_writes_and_removes_the_autostart_entry(
    qtbot: QtBot, window: SettingsWindow, autostart: XdgAutostart, settings: SettingsStore
) -> None:
    window.start_at_login.setFocus()
    qtbot.keyClick(window.start_at_login, Qt.Key.Key_Space)
    assert window.save()
    assert autostart.path.is_file()
    assert settings.load().start_at_login is True

    window.show()
    window.start_at_login.setFocus()
    qtbot.keyClick(window.start_at_login, Qt.Key.Key_Space)
    assert window.save()
    assert not autostart.path.exists()


def test_start_at_login_from_the_system_entry_can_be_switched_off_and_on(
    qtbot: QtBot,
    tmp_path: Path,
    settings: SettingsStore,
    user32: FakeUser32,
    secret_service: KeyringSession,  # noqa: F811
) -> None:
    # What the .deb installs: a system-wide entry, while the saved preference is off (default).
    system = tmp_path / "etc-xdg"
    (system / "autostart").mkdir(parents=True)
    (system / "autostart" / "earshot.desktop").write_text(
        "[Desktop Entry]\nType=Application\nName=Earshot\nExec=/opt/earshot/earshot\n"
    )
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_CONFIG_DIRS": str(system)}
    autostart = XdgAutostart(["earshot"], env)
    assert settings.load().start_at_login is False
    tokens = TokenStore(secret_service.backend())
    window = make_window(qtbot, settings, tokens, user32, autostart)
    assert window.start_at_login.isChecked()  # the app does start at login: the box says so

    window.start_at_login.setFocus()
    qtbot.keyClick(window.start_at_login, Qt.Key.Key_Space)
    assert window.save()
    assert not autostart.is_enabled()
    assert "Hidden=true" in autostart.path.read_text()
    assert settings.load().start_at_login is False

    again = make_window(qtbot, settings, tokens, FakeUser32(), autostart)
    assert not again.start_at_login.isChecked()
    again.start_at_login.setFocus()
    qtbot.keyClick(again.start_at_login, Qt.Key.Key_Space)
    assert again.save()
    assert autostart.is_enabled()
    assert settings.load().start_at_login is True


def test_settings_it_locked_are_read_only_with_a_note(
    qtbot: QtBot,
    tmp_path: Path,
    user32: FakeUser32,
    autostart: XdgAutostart,
    secret_service: KeyringSession,  # noqa: F811
) -> None:
    system = tmp_path / "system.json"
    system.write_text(
        json.dumps(
            {
                "endpoint": "https://feedback.corp.example",
                "site": "Head office",
                "start_at_login": True,
                "locked": ["endpoint", "site", "start_at_login"],
            }
        )
    )
    settings = SettingsStore(tmp_path / "home" / "settings.json", [system])
    settings.load()
    window = make_window(qtbot, settings, TokenStore(secret_service.backend()), user32, autostart)

    assert window.endpoint.isReadOnly()
    assert window.site.isReadOnly()
    assert not window.start_at_login.isEnabled()
    assert window.endpoint.text() == "https://feedback.corp.example"
    assert window._notes["endpoint"].isVisibleTo(window)
    assert not window._notes["staff"].isVisibleTo(window)
    assert not window.staff.isReadOnly()

    window.staff.setPlainText("Asha\nBen")
    assert window.save()
    preferences = settings.load()
    assert preferences.staff == ("Asha", "Ben")
    assert preferences.endpoint == "https://feedback.corp.example"


def test_every_control_has_an_accessible_name_and_a_label_shortcut(window: SettingsWindow) -> None:
    controls = [
        *window.findChildren(QLineEdit),
        *window.findChildren(QPlainTextEdit),
        *window.findChildren(QCheckBox),
        *window.findChildren(QComboBox),
    ]
    assert len(controls) >= 8
    for control in controls:
        if control.parent() is window.default_station:  # the combo box's own line edit
            continue
        assert control.accessibleName(), control
    # Each field is reached with Alt and its label's underlined letter.
    buddies = {label.buddy() for label in window.findChildren(QLabel) if "&" in label.text()}
    fields = [window.endpoint, window.token, window.site, window.default_station]
    fields += [window.stations, window.staff, window.hotkey]
    assert all(field in buddies for field in fields)
    assert "&" in window.start_at_login.text()
