"""The desktop shell offscreen: commands from a second start, the waiting count following the
journal file, a hotkey that cannot be had, and the clean-up at quit. The real X parts (grab,
tray host, focus) are in tests/desktop."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from earshot.core.entry import EntryInput
from earshot.core.journal import Journal
from earshot.core.profile import Profile
from earshot.gui.app import EarshotApp
from earshot.gui.main import Desktop, compose
from earshot.gui.resources import Resources
from earshot.gui.services.single_instance import (
    SingleInstance,
    claim_instance,
    forward_to_running,
    server_name,
)
from earshot.gui.shell import DesktopShell


@pytest.fixture
def desktop(
    qapp: QApplication,
    qtbot: QtBot,
    profile: Profile,
    journal: Journal,
    resources: Resources,
    env: dict[str, str],
) -> Iterator[Desktop]:
    """The app as the composition root builds it, without a sync service."""
    instance = claim_instance(profile.data_dir.root)
    assert instance is not None
    desktop = compose(qapp, profile, journal, resources, instance, env)
    qtbot.addWidget(desktop.windows.quick_entry)
    qtbot.addWidget(desktop.windows.quick_entry.toast)
    yield desktop
    desktop.shell.stop()
    assert qapp.quitOnLastWindowClosed() is True  # left as it was


@pytest.fixture
def controller(desktop: Desktop) -> EarshotApp:
    return desktop.windows


@pytest.fixture
def shell(desktop: Desktop) -> DesktopShell:
    return desktop.shell


def test_offscreen_there_is_no_hotkey_and_the_tooltip_says_so(shell: DesktopShell) -> None:
    assert shell.hotkey.current() is None
    assert "not available" in shell.hotkey_problem
    assert shell.hotkey_problem in shell.tray.tooltip()
    assert QApplication.quitOnLastWindowClosed() is False


def test_a_second_start_opens_the_quick_entry_and_gets_no_app_of_its_own(
    qtbot: QtBot, shell: DesktopShell, controller: EarshotApp, profile: Profile
) -> None:
    assert not controller.quick_entry.isVisible()
    # The second start's side: its own server cannot listen, so it knocks with a command.
    second = SingleInstance(server_name(profile.data_dir.root))
    assert second.listen() is False  # the name is taken by a live app
    with qtbot.waitSignal(shell.instance.command_received) as received:
        qtbot.waitUntil(lambda: _knock(profile))
    assert received.args == ["capture"]
    assert controller.quick_entry.isVisible()


def _knock(profile: Profile) -> bool:
    from PySide6.QtNetwork import QLocalSocket

    socket = QLocalSocket()
    socket.connectToServer(server_name(profile.data_dir.root))
    if not socket.waitForConnected(1000):
        return False
    socket.write(b"capture\n")
    socket.flush()
    return True


def test_the_waiting_count_follows_writes_from_another_process(
    qtbot: QtBot, shell: DesktopShell, profile: Profile
) -> None:
    other = profile.open_journal()  # another connection, as `earshot add` has
    try:
        with qtbot.waitSignal(shell.tray.tooltip_changed, timeout=15_000):
            other.record(EntryInput(text="Parking was hard"), site="Main site")
        qtbot.waitUntil(lambda: "1 waiting to be sent" in shell.tray.tooltip(), timeout=15_000)
        other.record(EntryInput(text="Lovely staff"), site="Main site")
        qtbot.waitUntil(lambda: "2 waiting to be sent" in shell.tray.tooltip(), timeout=15_000)
    finally:
        other.close()


def test_sync_state_shows_in_the_tooltip(shell: DesktopShell) -> None:
    shell._on_sync_state("needs_attention")
    shell._on_sync_message("The collector refused the device token.")
    assert shell.tray.tooltip().startswith(
        "Earshot: Needs attention: The collector refused the device token."
    )


def test_at_quit_the_socket_is_let_go(shell: DesktopShell, profile: Profile) -> None:
    shell.stop()
    assert forward_to_running(profile.data_dir.root, "show") is False
    again = SingleInstance(server_name(profile.data_dir.root))
    assert again.listen() is True
    again.close()
