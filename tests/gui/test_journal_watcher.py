"""The journal's one "changed" signal, offscreen: once per burst of writes, from this process or
another, and no timer waking the idle app where the journal's folder can be watched.

``make bench`` (idle) counts the app's wake-ups; the slow recount is only a safety net for where
file watching does not work. The tray, the log and the sync service subscribe to the signal
(``earshot.gui.main.compose``; ``tests/gui/test_shell.py`` follows it to the tray).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from earshot.core.entry import EntryInput
from earshot.core.journal import Journal
from earshot.core.profile import Profile
from earshot.gui.hotkey import create_backend
from earshot.gui.resources import Resources
from earshot.gui.services.journal import SAFETY_NET_MS, JournalChange, JournalWatcher
from earshot.gui.services.single_instance import claim_instance
from earshot.gui.shell import DesktopShell, ShellParts
from earshot.gui.tray import Tray

MakeWatcher = Callable[[Path, list[int]], JournalWatcher]


@pytest.fixture
def make_watcher(qapp: QApplication) -> Iterator[MakeWatcher]:
    made: list[JournalWatcher] = []

    def make(journal_path: Path, count: list[int]) -> JournalWatcher:
        def count_waiting() -> int:
            count.append(len(count))
            return 0

        watcher = JournalWatcher(journal_path, count_waiting)
        watcher.start()
        made.append(watcher)
        return watcher

    yield make
    for watcher in made:
        watcher.stop()


def running_timers(owner: QObject) -> list[int]:
    return [timer.interval() for timer in owner.findChildren(QTimer) if timer.isActive()]


def test_a_watched_journal_needs_no_timer(make_watcher: MakeWatcher, journal: Journal) -> None:
    counted: list[int] = []
    watcher = make_watcher(journal.path, counted)
    assert counted == [0]  # counted once at the start
    assert running_timers(watcher) == []


def test_where_the_folder_cannot_be_watched_the_safety_net_counts(
    make_watcher: MakeWatcher, tmp_path: Path
) -> None:
    counted: list[int] = []
    # A folder that is not there cannot be watched (as where inotify is not available).
    watcher = make_watcher(tmp_path / "not-there" / "journal.sqlite3", counted)
    assert counted == [0]
    assert running_timers(watcher) == [SAFETY_NET_MS]


def test_the_shell_runs_no_timer_of_its_own(
    qapp: QApplication, qtbot: QtBot, profile: Profile, resources: Resources
) -> None:
    instance = claim_instance(profile.data_dir.root)
    assert instance is not None
    window = QWidget()
    qtbot.addWidget(window)
    parts = ShellParts(
        quick_entry=window,
        open_log=lambda: None,
        send_now=lambda: None,
        open_settings=lambda: None,
    )
    shell = DesktopShell(qapp, parts, Tray(resources), create_backend("offscreen"), instance)
    shell.start(profile.preferences())
    try:
        assert running_timers(shell) == []
    finally:
        shell.stop()


@pytest.fixture
def watcher(qapp: QApplication, journal: Journal) -> Iterator[JournalWatcher]:
    watching = JournalWatcher(journal.path, journal.waiting)
    watching.start()
    yield watching
    watching.stop()


def test_a_burst_of_writes_by_another_process_is_one_change_that_adds(
    qtbot: QtBot, watcher: JournalWatcher, profile: Profile
) -> None:
    changes: list[JournalChange] = []
    watcher.changed.connect(changes.append)
    other = profile.open_journal()  # another connection, as `earshot add` has
    try:
        with qtbot.waitSignal(watcher.changed, timeout=15_000):
            for number in range(3):
                other.record(EntryInput(text=f"heard {number}"), site="Main site")
    finally:
        other.close()
    assert changes[0] == JournalChange(waiting=3, added=True)


def test_a_save_here_is_a_change_that_adds_even_if_the_count_did_not_grow(
    qtbot: QtBot, watcher: JournalWatcher
) -> None:
    assert watcher.waiting == 0
    with qtbot.waitSignal(watcher.changed) as seen:
        watcher.entry_saved()
    assert seen.args == [JournalChange(waiting=0, added=True)]
    with qtbot.waitSignal(watcher.changed) as seen:
        watcher.note_change()  # an edit: nothing more waits
    assert seen.args == [JournalChange(waiting=0, added=False)]


def test_after_stop_nothing_is_said(qtbot: QtBot, watcher: JournalWatcher) -> None:
    watcher.stop()
    with qtbot.assertNotEmitted(watcher.changed, wait=500):
        watcher.entry_saved()
