"""The log window and its entry dialog with 'your idea' and 'don't record my name' (real keys)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from earshot.core.entry import EntryInput
from earshot.core.journal import Journal
from earshot.core.settings import Preferences
from earshot.gui.models.log_model import Column
from earshot.gui.windows.entry_dialog import EntryDialog
from earshot.gui.windows.log_window import LogWindow
from tests.anonymity import NAME

ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier

MakeLog = Callable[[Journal], LogWindow]


@pytest.fixture
def make_log(qtbot: QtBot, preferences: Preferences) -> MakeLog:
    def make(journal: Journal) -> LogWindow:
        window = LogWindow(journal, preferences)
        qtbot.addWidget(window)
        window.show()
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
        return window

    return make


def _open_first(qtbot: QtBot, window: LogWindow) -> EntryDialog:
    window.table.setFocus()
    qtbot.waitUntil(window.table.hasFocus)
    qtbot.keyClick(window.table, Qt.Key.Key_Home, CTRL)
    qtbot.waitUntil(lambda: window.table.currentIndex().row() == 0)
    qtbot.keyClick(window.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.entry_dialog is not None and window.entry_dialog.isVisible())
    dialog = window.entry_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.form.text.hasFocus)
    return dialog


def _cell(
    window: LogWindow, column: Column, role: Qt.ItemDataRole = Qt.ItemDataRole.DisplayRole
) -> object:
    return window.model.data(window.model.index(0, column), role)


def test_the_log_shows_anonymous_and_the_idea(
    qtbot: QtBot, journal: Journal, make_log: MakeLog
) -> None:
    idea = "Put a bench by the door\nand a hook for bags"
    journal.record(
        EntryInput(text="My legs hurt waiting", staff=NAME, idea=idea, anonymous=True),
        site="Main site",
    )
    window = make_log(journal)
    assert window.model.headerData(Column.IDEA, Qt.Orientation.Horizontal) == "Your idea"
    assert _cell(window, Column.STAFF) == "Anonymous"
    assert _cell(window, Column.IDEA) == "Put a bench by the door …"
    assert _cell(window, Column.IDEA, Qt.ItemDataRole.ToolTipRole) == idea
    dialog = _open_first(qtbot, window)
    assert dialog.form.anonymous.isChecked()
    assert dialog.form.staff.currentText() == ""
    assert not dialog.form.staff.isEnabled()
    assert dialog.form.idea.toPlainText() == idea
    assert not dialog.name_note.isVisible()  # it never had a name


def test_a_named_entry_shows_its_name_and_no_idea(journal: Journal, make_log: MakeLog) -> None:
    journal.record(EntryInput(text="Lovely", staff=NAME), site="Main site")
    window = make_log(journal)
    assert _cell(window, Column.STAFF) == NAME
    assert _cell(window, Column.IDEA) == ""
    assert _cell(window, Column.IDEA, Qt.ItemDataRole.ToolTipRole) is None


def test_making_a_named_entry_anonymous_says_what_happens_to_the_old_version(
    qtbot: QtBot, journal: Journal, make_log: MakeLog
) -> None:
    entry = journal.record(EntryInput(text="The rota is unfair", staff=NAME), site="Main site")
    window = make_log(journal)
    dialog = _open_first(qtbot, window)
    assert dialog.form.staff.currentText() == NAME
    qtbot.keyClick(dialog.form.text, Qt.Key.Key_M, ALT)
    assert dialog.form.anonymous.isChecked()
    assert dialog.name_note.isVisible()
    assert "Earlier versions keep it" in dialog.name_note.text()
    dialog.form.idea.setFocus()
    qtbot.keyClicks(dialog.form.idea, "Rotate the weekend shifts")
    with qtbot.waitSignal(window.entries_changed):
        qtbot.keyClick(dialog.form.text, Qt.Key.Key_S, CTRL)
    history = journal.history(entry.id)
    assert [(r["staff"], r["anonymous"], r["idea"]) for r in history] == [
        (NAME, False, None),
        (None, True, "Rotate the weekend shifts"),
    ]
    assert _cell(window, Column.STAFF) == "Anonymous"
    # Unticking it again brings the name back into the box (kept in memory only).
    dialog = _open_first(qtbot, window)
    qtbot.keyClick(dialog.form.text, Qt.Key.Key_M, ALT)
    assert dialog.form.staff.isEnabled()
    assert dialog.form.staff.currentText() == ""  # the newest version had no name to bring
