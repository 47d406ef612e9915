"""Offscreen Qt fixtures: the real windows on a fresh data directory per test.

One QApplication per session (pytest-qt's ``qapp``). The English catalogue is compiled from
``resources/translations`` with the real ``pyside6-lrelease`` once per session and installed,
as the app does at start-up, so plural forms are tested as users see them.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from earshot.core.journal import Journal
from earshot.core.profile import Profile
from earshot.core.settings import Preferences
from earshot.gui.i18n import install_translators, remove_translators
from earshot.gui.resources import Resources
from earshot.gui.services.tasks import TaskRunner
from earshot.gui.services.window_state import WindowState
from earshot.gui.windows.quick_entry import QuickEntryWindow
from tests import mounts

SOURCE_RESOURCES = Path(__file__).resolve().parents[2] / "resources"


@pytest.fixture(scope="session")
def resources(tmp_path_factory: pytest.TempPathFactory) -> Resources:
    """The repository's icons, and its translations compiled into a throwaway folder."""
    root = tmp_path_factory.mktemp("resources")
    shutil.copytree(SOURCE_RESOURCES / "icons", root / "icons")
    (root / "translations").mkdir()
    lrelease = Path(sys.executable).with_name("pyside6-lrelease")
    for source in sorted((SOURCE_RESOURCES / "translations").glob("*.ts")):
        target = root / "translations" / source.with_suffix(".qm").name
        subprocess.run([str(lrelease), str(source), "-qm", str(target)], check=True)
    return Resources(root)


@pytest.fixture(scope="session", autouse=True)
def translators(qapp: QApplication, resources: Resources) -> Iterator[None]:
    """The windows as a user on an English (US) PC sees them, whatever the machine's locale."""
    english = QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
    QLocale.setDefault(english)
    installed = install_translators(qapp, resources.translations, english)
    yield
    remove_translators(qapp, installed)


@pytest.fixture
def preferences(profile: Profile) -> Preferences:
    return profile.preferences()


@pytest.fixture
def state(profile: Profile) -> WindowState:
    return WindowState(profile.data_dir.state)


MakeWindow = Callable[[Journal], QuickEntryWindow]


@pytest.fixture
def make_window(
    qtbot: QtBot, preferences: Preferences, state: WindowState, resources: Resources
) -> MakeWindow:
    """Quick-entry windows on a given journal, shown and active, the cursor in the text box."""

    def make(journal: Journal) -> QuickEntryWindow:
        window = QuickEntryWindow(journal, preferences, state, resources)
        qtbot.addWidget(window)
        qtbot.addWidget(window.toast)
        window.open()
        qtbot.waitActive(window)
        qtbot.waitUntil(window.form.text.hasFocus)
        return window

    return make


def reopen(qtbot: QtBot, window: QuickEntryWindow) -> None:
    """Open a hidden window again and wait until typing goes to its text box.

    Qt's offscreen platform never clears the focus window when a window hides
    (qtbase src/plugins/platforms/offscreen/qoffscreenwindow.cpp, setVisible), so showing the
    same window again is no focus change and it is not activated. Another window taking the
    focus in between is what a desktop does anyway.
    """
    other = QWidget()
    qtbot.addWidget(other)
    other.show()
    qtbot.waitActive(other)
    other.hide()
    window.open()
    qtbot.waitActive(window)
    qtbot.waitUntil(window.form.text.hasFocus)


@pytest.fixture
def window(make_window: MakeWindow, journal: Journal) -> QuickEntryWindow:
    return make_window(journal)


@pytest.fixture
def runner(qapp: QApplication) -> Iterator[TaskRunner]:
    """A worker thread for background reads, ended after the test."""
    task_runner = TaskRunner("test-runner")
    yield task_runner
    assert task_runner.shutdown(10_000)


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A real tmpfs mount (see tests/mounts.py) that a test can turn read-only."""
    with mounts.tmpfs(tmp_path / "mnt", "64m") as mountpoint:
        yield mountpoint
