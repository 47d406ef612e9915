"""The composition root's sending wiring, offscreen: :func:`earshot.gui.main.compose` with a
``make_sync``, driven as a person drives the app (keys in the real quick entry, the tray's
"Send now", a token saved in the settings), and the order of the shutdown at quit.

The sync service is a small fake with the slots :class:`SyncLater` calls and the signals it
passes on; everything else is the real app on a temporary profile.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import cast

import pytest
from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from earshot.core.journal import Journal
from earshot.core.profile import Profile
from earshot.core.settings import Preferences
from earshot.gui.main import Desktop, compose
from earshot.gui.resources import Resources
from earshot.gui.services.sender import SyncService
from earshot.gui.services.single_instance import claim_instance

CTRL = Qt.KeyboardModifier.ControlModifier


class FakeService(QObject):
    """Stands in for SyncService: says which of its slots were called, in order."""

    state_changed = Signal(str)
    message_changed = Signal(str)

    def __init__(self, calls: list[str]) -> None:
        super().__init__()
        self.calls = calls

    @Slot()
    def send_now(self) -> None:
        self.calls.append("send_now")

    @Slot()
    def retry_and_send(self) -> None:
        self.calls.append("retry_and_send")

    @Slot()
    def entry_saved(self) -> None:
        self.calls.append("entry_saved")

    @Slot()
    def token_changed(self) -> None:
        self.calls.append("token_changed")

    def shutdown(self) -> bool:
        self.calls.append("sync shutdown")
        return True


class Made:
    """The services ``make_sync`` made, the preferences each was made for, and every call."""

    def __init__(self) -> None:
        self.services: list[FakeService] = []
        self.preferences: list[Preferences] = []
        self.calls: list[str] = []

    def __call__(self, preferences: Preferences) -> SyncService:
        service = FakeService(self.calls)
        self.services.append(service)
        self.preferences.append(preferences)
        return cast(SyncService, service)  # the slots and signals SyncLater uses

    def service(self) -> FakeService:
        [service] = self.services
        return service


@pytest.fixture
def made() -> Made:
    return Made()


@pytest.fixture
def desktop(
    qapp: QApplication,
    qtbot: QtBot,
    profile: Profile,
    journal: Journal,
    resources: Resources,
    env: dict[str, str],
    made: Made,
) -> Iterator[Desktop]:
    """The app as ``run_app`` composes it, sending through the fake service."""
    instance = claim_instance(profile.data_dir.root)
    assert instance is not None
    desktop = compose(qapp, profile, journal, resources, instance, env, made)
    qtbot.addWidget(desktop.windows.quick_entry)
    qtbot.addWidget(desktop.windows.quick_entry.toast)
    yield desktop
    desktop.shutdown()  # as at quit: nothing of it keeps watching or running after the test


def test_an_entry_saved_in_the_quick_entry_is_sent(
    qtbot: QtBot, desktop: Desktop, made: Made, journal: Journal
) -> None:
    assert made.services == []  # nothing made before it is needed (SyncLater's start not run)
    window = desktop.windows.quick_entry
    desktop.shell.show_quick_entry()  # as the hotkey does
    qtbot.waitActive(window)
    qtbot.waitUntil(window.form.text.hasFocus)
    qtbot.keyClicks(window.form.text, "The lift was out of order")
    with qtbot.waitSignal(window.saved):
        qtbot.keyClick(window.form.text, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: made.calls == ["entry_saved"])  # after the journal's one "changed"
    assert journal.waiting() == 1
    assert made.preferences == [desktop.windows.preferences]


def test_send_now_in_the_tray_retries_and_sends(desktop: Desktop, made: Made) -> None:
    desktop.shell.tray.send_now.emit()  # as the tray menu's "Send now" does
    assert made.calls == ["retry_and_send"]


def test_a_token_saved_in_the_settings_reaches_the_service(desktop: Desktop, made: Made) -> None:
    desktop.settings.token_saved.emit()  # as the settings window's, passed on
    assert made.calls == ["token_changed"]


def test_the_service_belongs_to_the_windows_and_the_tray_follows_it(
    desktop: Desktop, made: Made
) -> None:
    desktop.shell.tray.send_now.emit()
    service = made.service()
    assert service.parent() is desktop.windows
    service.state_changed.emit("needs_attention")
    service.message_changed.emit("The collector refused the device token.")
    assert desktop.shell.tray.tooltip().startswith(
        "Earshot: Needs attention: The collector refused the device token."
    )


def test_at_quit_sending_stops_then_the_journal_closes_and_the_shell_goes_last(
    qapp: QApplication,
    desktop: Desktop,
    made: Made,
    journal: Journal,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    desktop.shell.tray.send_now.emit()  # a service to shut down
    close_journal, stop_tray = journal.close, desktop.shell.tray.stop

    def closing() -> None:
        made.calls.append("journal closed")
        close_journal()

    def stopping() -> None:  # the shell's stop, wherever it is called from
        made.calls.append("tray stopped")
        stop_tray()

    monkeypatch.setattr(journal, "close", closing)
    monkeypatch.setattr(desktop.shell.tray, "stop", stopping)
    desktop.on_shutdown.append(lambda: made.calls.append("handed in"))
    qapp.aboutToQuit.connect(desktop.shutdown)  # as run_app connects it
    try:
        qapp.aboutToQuit.emit()
    finally:
        qapp.aboutToQuit.disconnect(desktop.shutdown)
    assert made.calls == [
        "retry_and_send",
        "sync shutdown",
        "journal closed",
        "handed in",
        "tray stopped",
    ]
