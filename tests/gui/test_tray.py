"""The tray's state, tooltip and fallback window, offscreen (tests/desktop embeds it for real)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from earshot.gui.resources import Resources
from earshot.gui.tray import FallbackWindow, Status, Tray, TrayState, tray_state


@pytest.mark.parametrize(
    ("sync_state", "waiting", "expected"),
    [
        ("idle", 0, TrayState.SENT),
        ("idle", 4, TrayState.WAITING),
        ("sending", 4, TrayState.WAITING),
        ("offline", 0, TrayState.OFFLINE),
        ("offline", 9, TrayState.OFFLINE),
        ("needs_attention", 9, TrayState.ATTENTION),
    ],
)
def test_the_one_state_worth_showing(sync_state: str, waiting: int, expected: TrayState) -> None:
    assert tray_state(sync_state, waiting) is expected


@pytest.fixture
def tray(qtbot: QtBot, resources: Resources) -> Tray:
    return Tray(resources)


def test_tooltips_say_the_state_in_words(tray: Tray) -> None:
    tray.set_status(Status("idle", 0))
    assert tray.icon.toolTip() == "Earshot: All entries sent"
    tray.set_status(Status("idle", 3))
    assert tray.icon.toolTip() == "Earshot: 3 waiting to be sent"
    tray.set_status(Status("offline", 2))
    assert tray.icon.toolTip() == "Earshot: Offline: 2 waiting to be sent"
    tray.set_status(Status("needs_attention", 2, "The collector refused the device token."))
    assert tray.icon.toolTip() == (
        "Earshot: Needs attention: The collector refused the device token."
    )
    tray.set_status(Status("idle", 0, note="Another program already uses Ctrl+Alt+F."))
    assert tray.icon.toolTip().splitlines() == [
        "Earshot: All entries sent",
        "Another program already uses Ctrl+Alt+F.",
    ]


def test_each_state_has_its_own_icon(resources: Resources) -> None:
    paths = {resources.icon_path(f"tray-{state.value}") for state in TrayState}
    assert len(paths) == len(TrayState)
    assert all(path.is_file() for path in paths)
    assert all(not resources.icon(f"tray-{state.value}").isNull() for state in TrayState)


def test_the_menu_shows_the_hotkey_and_every_action(qtbot: QtBot, tray: Tray) -> None:
    tray.set_hotkey("Ctrl+Alt+F")
    texts = [action.text() for action in tray.menu.actions() if not action.isSeparator()]
    assert texts == [
        "&New feedback\tCtrl+Alt+F",
        "Open &log",
        "&Send now",
        "Se&ttings…",
        "&About Earshot",
        "&Quit Earshot",
    ]
    with qtbot.waitSignal(tray.send_now):
        tray.menu.actions()[2].trigger()


def test_without_a_tray_the_window_offers_the_menu_and_closes_on_quit(
    qtbot: QtBot, tray: Tray
) -> None:
    # Offscreen Qt has no system tray: the fallback window is what the user gets.
    tray.start()
    window = tray.fallback
    assert isinstance(window, FallbackWindow)
    qtbot.addWidget(window)
    qtbot.waitExposed(window)
    assert window.status.text() == "Earshot: All entries sent"
    new = window.findChildren(QPushButton)[0]
    with qtbot.waitSignal(tray.new_feedback):
        qtbot.mouseClick(new, Qt.MouseButton.LeftButton)

    # The title bar's X minimises instead (tests/desktop closes it through the window manager).
    tray.stop()  # Quit: it really closes
    assert not window.isVisible()
