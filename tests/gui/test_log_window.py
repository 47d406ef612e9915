"""The log window, driven with real key presses: search, filters, edit, delete, export."""

from __future__ import annotations

import csv
import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QLineEdit,
    QMessageBox,
    QTableView,
    QWidget,
)
from pytestqt.qtbot import QtBot

from earshot.core.entry import Entry, EntryInput, SyncState
from earshot.core.journal import Journal
from earshot.core.settings import Preferences
from earshot.gui.models.log_model import Column
from earshot.gui.windows.log_window import LogOpener, LogWindow
from earshot_sync.outbox import Mark
from tests.gui import bulk
from tests.mounts import make_read_only

CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier
NONE = Qt.KeyboardModifier.NoModifier


def _words(window: LogWindow) -> list[str]:
    model = window.model
    return [
        str(model.data(model.index(row, Column.WORDS), Qt.ItemDataRole.DisplayRole))
        for row in range(model.rowCount())
    ]


def _focused() -> QWidget | None:
    return QApplication.focusWidget()


def _focused_or_fail() -> QWidget:
    focused = QApplication.focusWidget()
    assert focused is not None
    return focused


def _press(
    qtbot: QtBot, window: LogWindow, key: Qt.Key, modifier: Qt.KeyboardModifier = NONE
) -> None:
    """A key press where a person's would go: to the widget with the keyboard focus."""
    qtbot.keyClick(_focused() or window, key, modifier)


@pytest.fixture
def make_log(qtbot: QtBot, preferences: Preferences) -> Callable[[Journal], LogWindow]:
    def make(journal: Journal) -> LogWindow:
        window = LogWindow(journal, preferences)
        qtbot.addWidget(window)
        window.show()
        window.raise_()
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
        qtbot.waitUntil(window.table.hasFocus)
        return window

    return make


@pytest.fixture
def entries(journal: Journal) -> list[Entry]:
    """Ten entries a minute apart (the last the newest), kinds and stations taking turns."""
    made = bulk.make_entries(journal, 10)
    bulk.insert(journal, made)
    return made


def _select_first_row(qtbot: QtBot, window: LogWindow) -> None:
    window.table.setFocus()
    qtbot.waitUntil(window.table.hasFocus)
    qtbot.keyClick(window.table, Qt.Key.Key_Home, CTRL)
    qtbot.waitUntil(lambda: window.table.currentIndex().row() == 0)


def test_entries_show_newest_first_with_their_sync_state(
    qtbot: QtBot, journal: Journal, make_log: Callable[[Journal], LogWindow]
) -> None:
    first = journal.record(EntryInput(text="first heard"), site="Main site")
    journal.record(
        EntryInput(text="then this"), site="Main site", now=first.created_at + timedelta(minutes=1)
    )
    journal.mark([Mark(str(first.id), 1, acknowledged=True)])

    window = make_log(journal)

    assert _words(window) == ["then this", "first heard"]
    model = window.model
    assert model.data(model.index(0, Column.SYNC)) == "Waiting to be sent"
    assert model.data(model.index(1, Column.SYNC)) == "Sent"
    assert window.count_label.text() == "2 entries"
    assert window.table.accessibleName()


def test_search_narrows_to_matching_rows_and_odd_syntax_never_errors(
    qtbot: QtBot, journal: Journal, entries: list[Entry], make_log: Callable[[Journal], LogWindow]
) -> None:
    window = make_log(journal)
    assert window.model.rowCount() == 10

    _press(qtbot, window, Qt.Key.Key_F, CTRL)
    search = window.filters.search
    qtbot.waitUntil(search.hasFocus)
    qtbot.keyClicks(search, "number 7")
    qtbot.waitUntil(lambda: window.model.rowCount() == 1)
    assert _words(window) == ["entry number 7"]

    for typed in ['"number 3', "numb* AND (", 'entry" OR "', "NEAR(", "*", '"']:
        search.selectAll()
        with qtbot.waitSignal(window.filters.changed):
            qtbot.keyClicks(search, typed)
        qtbot.waitUntil(lambda: window.count_label.text() != "Searching…")
        assert window.statusBar().currentMessage() == ""
    search.selectAll()
    qtbot.keyClicks(search, '"number 3*')
    qtbot.keyClick(search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _words(window) == ["entry number 3"])
    assert window.count_label.text() == "1 entry"

    qtbot.keyClick(search, Qt.Key.Key_A, CTRL)
    qtbot.keyClick(search, Qt.Key.Key_Backspace)
    qtbot.waitUntil(lambda: window.model.rowCount() == 10)


def _pick(qtbot: QtBot, window: LogWindow, mnemonic: Qt.Key, typed: str) -> None:
    """Alt+letter jumps to a picker; typing a label's start picks it, as a person would.

    ``typed`` "Any" is the Home key: the first choice of every picker is "Any ...".
    """
    _press(qtbot, window, mnemonic, ALT)
    qtbot.waitUntil(lambda: _focused() is not None and _focused() is not window.table)
    focused = _focused()
    assert focused is not None
    with qtbot.waitSignal(window.filters.changed):
        if typed == "Any":
            qtbot.keyClick(focused, Qt.Key.Key_Home)
        else:
            qtbot.keyClicks(focused, typed)


def test_each_filter_narrows_the_log(
    qtbot: QtBot, journal: Journal, entries: list[Entry], make_log: Callable[[Journal], LogWindow]
) -> None:
    journal.mark([Mark(str(entries[1].id), 1, acknowledged=True)])
    journal.mark([Mark(str(entries[6].id), 1, acknowledged=False, note="no")])
    window = make_log(journal)

    _pick(qtbot, window, Qt.Key.Key_K, "Comp")  # kinds take turns: 1 and 6 are complaints
    assert window.filters.kind.currentText() == "Complaint"
    assert _words(window) == ["entry number 6", "entry number 1"]

    _pick(qtbot, window, Qt.Key.Key_N, "Needs")
    assert _words(window) == ["entry number 6"]
    _pick(qtbot, window, Qt.Key.Key_N, "Any")
    _pick(qtbot, window, Qt.Key.Key_K, "Any")
    assert window.model.rowCount() == 10

    _pick(qtbot, window, Qt.Key.Key_T, "ph")  # stations take turns: 2 and 7 are "phone"
    assert _words(window) == ["entry number 7", "entry number 2"]
    _pick(qtbot, window, Qt.Key.Key_L, "Ana")  # odd numbers are Ana's
    assert _words(window) == ["entry number 7"]
    _pick(qtbot, window, Qt.Key.Key_T, "Any")
    assert _words(window) == [f"entry number {n}" for n in (9, 7, 5, 3, 1)]
    _press(qtbot, window, Qt.Key.Key_L, ALT)  # back to the name typed, and clear it
    qtbot.waitUntil(lambda: _focused() is window.filters.staff)
    qtbot.keyClick(_focused_or_fail(), Qt.Key.Key_A, CTRL)
    with qtbot.waitSignal(window.filters.changed):
        qtbot.keyClick(_focused_or_fail(), Qt.Key.Key_Backspace)
    assert window.model.rowCount() == 10

    # The date range: entries are a minute apart from 2026-01-01 09:00 UTC, so move two of
    # them to other days first (the dates are the PC's local days).
    window.filters.since.setDate(QDate(2026, 1, 1))
    window.filters.until.setDate(QDate(2026, 1, 1))
    assert window.model.rowCount() == _local_day_count(entries, datetime(2026, 1, 1).date())
    window.filters.since.setDate(QDate(2025, 12, 30))
    window.filters.until.setDate(QDate(2025, 12, 30))
    assert window.model.rowCount() == 0


def _local_day_count(entries: list[Entry], day: object) -> int:
    return sum(1 for entry in entries if entry.created_at.astimezone().date() == day)


def test_a_date_range_keeps_only_entries_of_those_days(
    qtbot: QtBot, journal: Journal, make_log: Callable[[Journal], LogWindow]
) -> None:
    noon = datetime(2026, 3, 10, 12, 0).astimezone()
    for days, text in ((-2, "two days before"), (0, "on the day"), (1, "the day after")):
        journal.record(EntryInput(text=text), site="Main site", now=noon + timedelta(days=days))
    window = make_log(journal)
    assert window.model.rowCount() == 3

    window.filters.since.setDate(QDate(2026, 3, 10))
    assert _words(window) == ["the day after", "on the day"]
    window.filters.until.setDate(QDate(2026, 3, 10))
    assert _words(window) == ["on the day"]
    window.filters.since.setDate(window.filters.since.minimumDate())  # "Any day"
    assert _words(window) == ["on the day", "two days before"]


def test_open_edit_with_keys_and_save_makes_revision_two(
    qtbot: QtBot, journal: Journal, make_log: Callable[[Journal], LogWindow]
) -> None:
    entry = journal.record(EntryInput(text="The queue was long"), site="Main site")
    journal.mark([Mark(str(entry.id), 1, acknowledged=True)])
    window = make_log(journal)
    assert window.model.data(window.model.index(0, Column.SYNC)) == "Sent"

    _select_first_row(qtbot, window)
    qtbot.keyClick(window.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.entry_dialog is not None and window.entry_dialog.isVisible())
    dialog = window.entry_dialog
    assert dialog is not None
    words = dialog.form.text
    qtbot.waitUntil(words.hasFocus)
    assert words.toPlainText() == "The queue was long"

    # Empty words: the problem shows in the dialog, nothing is saved, the dialog stays.
    qtbot.keyClick(words, Qt.Key.Key_A, CTRL)
    qtbot.keyClick(words, Qt.Key.Key_Delete)
    qtbot.keyClick(words, Qt.Key.Key_S, CTRL)
    assert dialog.form.problems.isVisible()
    assert "empty" in dialog.form.problems.text()
    assert dialog.isVisible()
    assert len(journal.history(entry.id)) == 1

    qtbot.keyClicks(words, "The queue was long, twenty minutes")
    qtbot.keyClick(words, Qt.Key.Key_S, ALT)  # the kind: Suggestion (not the Save button)
    with qtbot.waitSignal(window.entries_changed):
        qtbot.keyClick(words, Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: not dialog.isVisible())

    history = journal.history(entry.id)
    assert [revision["revision"] for revision in history] == [1, 2]
    assert history[0]["text"] == "The queue was long"
    assert history[1]["text"] == "The queue was long, twenty minutes"
    assert history[1]["kind"] == "suggestion"
    assert _words(window) == ["The queue was long, twenty minutes"]
    assert window.model.data(window.model.index(0, Column.KIND)) == "Suggestion"
    assert window.model.data(window.model.index(0, Column.SYNC)) == "Waiting to be sent"
    qtbot.waitUntil(window.table.hasFocus)


def _answer(qtbot: QtBot, find: Callable[[], QMessageBox | None], key: Qt.Key) -> None:
    qtbot.waitUntil(lambda: (box := find()) is not None and box.isVisible())
    box = find()
    assert box is not None
    qtbot.waitUntil(box.isActiveWindow)
    qtbot.keyClick(_focused_or_fail(), key, ALT)
    qtbot.waitUntil(lambda: not box.isVisible())


def test_delete_asks_then_makes_a_tombstone_and_the_row_goes(
    qtbot: QtBot, journal: Journal, entries: list[Entry], make_log: Callable[[Journal], LogWindow]
) -> None:
    window = make_log(journal)
    newest = entries[-1]
    _select_first_row(qtbot, window)

    # "Keep it" keeps it.
    qtbot.keyClick(window.table, Qt.Key.Key_Delete)
    _answer(qtbot, lambda: window.message, Qt.Key.Key_K)
    assert window.message is not None
    assert "“entry number 9”" in window.message.text()
    assert window.model.rowCount() == 10
    assert len(journal.history(newest.id)) == 1

    qtbot.waitUntil(window.table.hasFocus)
    qtbot.keyClick(window.table, Qt.Key.Key_Delete)
    with qtbot.waitSignal(window.entries_changed):
        _answer(qtbot, lambda: window.message, Qt.Key.Key_D)

    assert window.model.rowCount() == 9
    assert "entry number 9" not in _words(window)
    stored = journal.get(newest.id)
    assert stored is not None
    assert stored.entry.deleted
    assert stored.sync_state is SyncState.QUEUED
    history = journal.history(newest.id)
    assert [revision["deleted"] for revision in history] == [False, True]
    assert history[-1]["text"] == "entry number 9"  # the words are kept


def test_delete_from_the_entry_dialog(
    qtbot: QtBot, journal: Journal, entries: list[Entry], make_log: Callable[[Journal], LogWindow]
) -> None:
    window = make_log(journal)
    _select_first_row(qtbot, window)
    qtbot.keyClick(window.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.entry_dialog is not None and window.entry_dialog.isVisible())
    dialog = window.entry_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.form.text.hasFocus)
    qtbot.keyClick(dialog.form.text, Qt.Key.Key_D, CTRL)
    with qtbot.waitSignal(window.entries_changed):
        _answer(qtbot, lambda: dialog.confirm, Qt.Key.Key_D)
    assert dialog.confirm is not None
    assert "“entry number 9”" in dialog.confirm.text()  # the same question as from the log
    assert window.model.rowCount() == 9
    assert journal.history(entries[-1].id)[-1]["deleted"] is True


def _export_with_keys(qtbot: QtBot, window: LogWindow, target: Path) -> None:
    _press(qtbot, window, Qt.Key.Key_E, CTRL)
    qtbot.waitUntil(lambda: window.export_dialog is not None and window.export_dialog.isVisible())
    dialog = window.export_dialog
    assert isinstance(dialog, QFileDialog)
    name = dialog.findChild(QLineEdit, "fileNameEdit")
    assert name is not None
    qtbot.waitUntil(name.hasFocus)
    name.clear()
    qtbot.keyClicks(name, str(target))
    qtbot.keyClick(name, Qt.Key.Key_Return)


def test_export_writes_exactly_the_filtered_rows_as_csv_and_jsonl(
    qtbot: QtBot,
    journal: Journal,
    entries: list[Entry],
    make_log: Callable[[Journal], LogWindow],
    tmp_path: Path,
) -> None:
    formula = journal.record(
        EntryInput(text='=HYPERLINK("http://x") said the customer', kind="complaint"),
        site="Main site",
    )
    window = make_log(journal)
    _pick(qtbot, window, Qt.Key.Key_K, "Comp")
    expected = {str(entries[1].id), str(entries[6].id), str(formula.id)}
    assert window.model.rowCount() == 3

    csv_path = tmp_path / "complaints.csv"
    with qtbot.waitSignal(window.exported, timeout=10_000) as done:
        _export_with_keys(qtbot, window, csv_path)
    assert done.args == [3, str(csv_path)]
    with csv_path.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    assert {row["id"] for row in rows} == expected
    assert {row["kind"] for row in rows} == {"complaint"}
    formula_row = next(row for row in rows if row["id"] == str(formula.id))
    assert formula_row["text"].startswith("'=HYPERLINK")
    assert not list(tmp_path.glob(".*.part"))

    jsonl_path = tmp_path / "complaints.jsonl"
    with qtbot.waitSignal(window.exported, timeout=10_000):
        _export_with_keys(qtbot, window, jsonl_path)
    lines = jsonl_path.read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert {record["id"] for record in records} == expected
    assert next(r for r in records if r["id"] == str(formula.id))["text"].startswith("=HYPER")
    assert [record["created_at"] for record in records] == sorted(
        (record["created_at"] for record in records), reverse=True
    )


def test_an_export_that_cannot_be_written_says_so(
    qtbot: QtBot,
    journal: Journal,
    entries: list[Entry],
    make_log: Callable[[Journal], LogWindow],
    tmpfs: Path,
) -> None:
    folder = tmpfs
    make_read_only(folder)
    window = make_log(journal)
    target = folder / "entries.csv"

    with qtbot.waitSignal(window.export_failed, timeout=10_000) as failed:
        _export_with_keys(qtbot, window, target)
    message = failed.args[0]
    assert str(target) in message
    assert "Pick another folder" in message
    qtbot.waitUntil(lambda: window.message is not None and window.message.isVisible())
    assert window.message is not None
    assert message in window.message.text()
    assert not target.exists()
    # The log still works after the failed export.
    assert window.model.rowCount() == 10


def test_every_control_has_an_accessible_name(
    journal: Journal, make_log: Callable[[Journal], LogWindow]
) -> None:
    window = make_log(journal)
    controls = [
        widget
        for kind in (QLineEdit, QComboBox, QDateEdit, QCheckBox, QTableView)
        for widget in window.findChildren(kind)
        if widget.isVisible()
        and widget.parent() is not None
        # Qt's own inner line edits of spin boxes and combo boxes speak for their parent.
        and not (isinstance(widget, QLineEdit) and not widget.objectName())
    ]
    assert len(controls) >= 9
    assert [w.objectName() for w in controls if not w.accessibleName()] == []


def test_refresh_shows_entries_saved_elsewhere(
    qtbot: QtBot, journal: Journal, make_log: Callable[[Journal], LogWindow]
) -> None:
    window = make_log(journal)
    assert window.model.rowCount() == 0
    journal.record(EntryInput(text="from the quick entry"), site="Main site", now=datetime.now(UTC))
    _press(qtbot, window, Qt.Key.Key_F5)
    assert _words(window) == ["from the quick entry"]
    assert window.count_label.text() == "1 entry"


def test_the_opener_makes_one_log_window_and_brings_it_back(
    qtbot: QtBot, journal: Journal, preferences: Preferences
) -> None:
    edits: list[str] = []
    opener = LogOpener(journal, lambda: preferences, edited=lambda: edits.append("edit"))
    first = opener()
    qtbot.addWidget(first)
    qtbot.waitUntil(first.isActiveWindow)
    journal.record(EntryInput(text="saved in the quick entry"), site="Main site")
    opener.journal_changed()  # as the journal's "changed" signal does: read on the worker
    qtbot.waitUntil(lambda: _words(first) == ["saved in the quick entry"])
    first.entries_changed.emit()  # an edit in the log is passed on
    assert edits == ["edit"]
    first.close()
    assert opener() is first
    qtbot.waitUntil(first.isVisible)


def test_a_burst_of_changes_is_one_re_read_and_the_last_change_is_shown(
    qtbot: QtBot,
    journal: Journal,
    make_log: Callable[[Journal], LogWindow],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = make_log(journal)
    rereads: list[None] = []
    read_on_worker = window.model.refresh_later

    def counted_read() -> None:
        rereads.append(None)
        read_on_worker()

    monkeypatch.setattr(window.model, "refresh_later", counted_read)
    gap = window.findChild(QTimer, "reread_gap")
    assert isinstance(gap, QTimer)
    assert not gap.isActive()  # an idle log runs no timer

    with qtbot.waitSignal(window.model.counted):
        window.journal_changed()  # the first change: re-read at once
    assert len(rereads) == 1
    for _change in range(9):  # the sender marking batches sent, every 250 ms
        window.journal_changed()
    journal.record(EntryInput(text="the last change"), site="Main site")
    window.journal_changed()
    assert gap.isActive()  # all ten inside the gap
    assert len(rereads) == 1
    assert _words(window) == []
    qtbot.waitUntil(lambda: _words(window) == ["the last change"])  # at the end of the gap
    assert len(rereads) == 2
    qtbot.waitUntil(lambda: not gap.isActive())  # nothing changed since: the log sleeps
    assert len(rereads) == 2

    journal.record(EntryInput(text="after the gap"), site="Main site")
    window.journal_changed()
    assert len(rereads) == 3  # at once
    qtbot.waitUntil(lambda: _words(window) == ["after the gap", "the last change"])


def test_a_double_click_opens_the_entry(
    qtbot: QtBot, journal: Journal, entries: list[Entry], make_log: Callable[[Journal], LogWindow]
) -> None:
    window = make_log(journal)
    table = window.table
    rect = table.visualRect(window.model.index(2, Column.WORDS))
    # A real double click is a click, then a second press that the system calls a double click.
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: window.entry_dialog is not None and window.entry_dialog.isVisible())
    assert window.entry_dialog is not None
    assert window.entry_dialog.stored.entry.id == entries[-3].id
    assert window.entry_dialog.form.text.toPlainText() == "entry number 7"
    qtbot.keyClick(window.entry_dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.entry_dialog is not None and not window.entry_dialog.isVisible())
    assert len(journal.history(entries[-3].id)) == 1


def test_a_journal_that_cannot_be_read_is_said_in_words(
    qtbot: QtBot, journal: Journal, entries: list[Entry], make_log: Callable[[Journal], LogWindow]
) -> None:
    window = make_log(journal)
    assert window.model.rowCount() == 10
    # The journal's files vanish under the open window (IT cleaned the wrong folder).
    journal.close()
    for path in journal.path.parent.glob(journal.path.name + "*"):
        path.unlink()

    _press(qtbot, window, Qt.Key.Key_F5)

    message = window.statusBar().currentMessage()
    assert str(journal.path) in message
    assert "Nothing you saved before has been changed." in message
    assert window.model.rowCount() == 0
    # A new log window on it says so from the start.
    assert make_log(journal).statusBar().currentMessage() == message


def test_the_log_windows_worker_threads_end_with_it(
    qtbot: QtBot, journal: Journal, preferences: Preferences
) -> None:
    before = set(threading.enumerate())
    window = LogWindow(journal, preferences)
    workers = set(threading.enumerate()) - before
    assert {worker.name for worker in workers} == {"earshot-log-reads", "earshot-export"}

    window.deleteLater()
    qtbot.waitUntil(lambda: not any(worker.is_alive() for worker in workers))
