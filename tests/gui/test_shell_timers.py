"""The idle shell is not woken by a timer where the journal's folder can be watched; offscreen.

``make bench`` (idle) counts the app's wake-ups; the slow recount is only a safety net for where
file watching does not work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from earshot.core.journal import Journal
from earshot.core.profile import Profile
from earshot.gui.hotkey import create_backend
from earshot.gui.resources import Resources
from earshot.gui.services.single_instance import claim_instance
from earshot.gui.shell import RECOUNT_INTERVAL_MS, DesktopShell, ShellParts
from earshot.gui.tray import Tray

MakeShell = Callable[[Path, list[int]], DesktopShell]


@pytest.fixture
def make_shell(
    qapp: QApplication, qtbot: QtBot, profile: Profile, resources: Resources
) -> Iterator[MakeShell]:
    made: list[DesktopShell] = []

    def make(journal_path: Path, count: list[int]) -> DesktopShell:
        instance = claim_instance(profile.data_dir.root)
        assert instance is not None
        window = QWidget()
        qtbot.addWidget(window)

        def count_waiting() -> int:
            count.append(len(count))
            return 0

        parts = ShellParts(
            quick_entry=window,
            open_log=lambda: None,
            send_now=lambda: None,
            count_waiting=count_waiting,
            journal_path=journal_path,
            open_settings=lambda: None,
        )
        shell = DesktopShell(qapp, parts, Tray(resources), create_backend("offscreen"), instance)
        shell.start(profile.preferences())
        made.append(shell)
        return shell

    yield make
    for shell in made:
        shell.stop()


def running_timers(shell: DesktopShell) -> list[int]:
    return [timer.interval() for timer in shell.findChildren(QTimer) if timer.isActive()]


def test_a_watched_journal_needs_no_timer(make_shell: MakeShell, journal: Journal) -> None:
    counted: list[int] = []
    shell = make_shell(journal.path, counted)
    assert counted == [0]  # counted once at the start
    assert running_timers(shell) == []


def test_where_the_folder_cannot_be_watched_the_safety_net_counts(
    make_shell: MakeShell, tmp_path: Path
) -> None:
    counted: list[int] = []
    # A folder that is not there cannot be watched (as where inotify is not available).
    shell = make_shell(tmp_path / "not-there" / "journal.sqlite3", counted)
    assert counted == [0]
    assert running_timers(shell) == [RECOUNT_INTERVAL_MS]
