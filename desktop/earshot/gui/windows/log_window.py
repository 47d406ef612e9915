"""The log window: this PC's entries, newest first, to search, filter, open, edit and export.

Keys: Ctrl+F search, Enter opens the selected entry, Delete deletes it (after asking),
Ctrl+E exports what is shown, F5 re-reads the journal, Ctrl+W closes. Entries saved elsewhere
(the quick entry, ``earshot add``, the sender marking them sent) show up when the journal's one
"changed" signal says so (:meth:`LogOpener.journal_changed`); the log polls nothing. While the
sender marks batches sent, that signal comes every quarter second, and a re-read of a million
entries takes a good part of that: an open log re-reads at most once per
:data:`REREAD_GAP_MS`, and a change inside the gap is shown at its end.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import (
    QCoreApplication,
    QModelIndex,
    QStandardPaths,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMessageBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from earshot.core.export import ExportFormat
from earshot.core.journal import EntryQuery, Journal, JournalError, StoredEntry
from earshot.core.settings import Preferences
from earshot.gui.models.log_model import Column, LogModel
from earshot.gui.services.tasks import TaskResult, TaskRunner
from earshot.gui.widgets.log_filters import FilterBar
from earshot.gui.windows.entry_dialog import EntryDialog, confirm_delete
from earshot.gui.windows.export_dialog import ExportFileDialog, export_to, failure_message

# At quit or when the window goes, a running export gets this long to finish its file (the
# target is only replaced when the whole file is written, so cutting it short loses nothing).
SHUTDOWN_WAIT_MS = 2_000
# At most one re-read of the journal per this long when it keeps changing (a batch marked sent
# every 250 ms); the 5 s refresh timer the log had before never re-read more often than that.
REREAD_GAP_MS = 1_000

_WIDTHS = {
    Column.WHEN: 130,
    Column.KIND: 95,
    Column.SENTIMENT: 80,
    Column.STATION: 90,
    Column.STAFF: 90,
    Column.IDEA: 200,
    Column.TAGS: 120,
    Column.FOLLOW_UP: 80,
    Column.SYNC: 150,
}


class LogWindow(QMainWindow):
    """The log. ``entries_changed`` fires after an edit or a deletion made here."""

    entries_changed = Signal()
    exported = Signal(int, str)  # how many entries, where
    export_failed = Signal(str)

    def __init__(
        self,
        journal: Journal,
        preferences: Preferences,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._journal = journal
        self._preferences = preferences
        # Two runners, so a long export never holds up a search. Searches run one at a time:
        # a word found in most of a million entries takes about a second, and typing must not
        # wait for it.
        self._reads = TaskRunner("earshot-log-reads", self)
        self._exports = TaskRunner("earshot-export", self)
        self._exporting = False
        # Both threads end with the window, or at quit if the window lives that long. A plain
        # function over the runners: by the time ``destroyed`` fires, the window is half gone.
        self.destroyed.connect(partial(_shut_down, (self._reads, self._exports)))
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)
        self.entry_dialog: EntryDialog | None = None
        self.export_dialog: ExportFileDialog | None = None
        self.message: QMessageBox | None = None
        # Runs only for one gap after a re-read on a change: an idle log runs no timer.
        self._reread_gap = QTimer(self)
        self._reread_gap.setObjectName("reread_gap")
        self._reread_gap.setSingleShot(True)
        self._reread_gap.setInterval(REREAD_GAP_MS)
        self._reread_gap.timeout.connect(self._gap_over)
        self._changed_in_gap = False

        self.setObjectName("log_window")
        self.setWindowTitle(self.tr("Earshot — log"))
        self.setAccessibleName(self.tr("Earshot log"))
        self.resize(1000, 600)

        self.filters = FilterBar(preferences.stations, preferences.staff, self)
        self.model = LogModel(journal, self.filters.query(), runner=self._reads, parent=self)
        self.table = self._build_table()
        self.count_label = QLabel(self)
        self.count_label.setObjectName("count")
        self.count_label.setAccessibleName(self.tr("Number of entries shown"))
        self.statusBar().addPermanentWidget(self.count_label)

        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.addWidget(self.filters)
        layout.addWidget(self.table, 1)
        self.setCentralWidget(central)
        self._build_actions()

        self.filters.changed.connect(self._apply_query)
        self.model.counted.connect(self._show_count)
        self.model.problem.connect(self._show_problem)
        self.model.searching.connect(self._show_searching)
        self._show_count(self.model.rowCount())
        if self.model.last_problem:
            self._show_problem(self.model.last_problem)
        self.table.setFocus()

    # -- building ---------------------------------------------------------------------------

    def _build_table(self) -> QTableView:
        table = QTableView(self)
        table.setObjectName("entries")
        table.setAccessibleName(self.tr("Entries, newest first"))
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setTabKeyNavigation(False)  # Tab leaves the table, as everywhere else
        table.setWordWrap(False)
        table.setAlternatingRowColors(True)
        # Fixed row heights and column widths: sizing to contents would read every row.
        vertical = table.verticalHeader()
        vertical.setVisible(False)
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(max(28, table.fontMetrics().height() + 10))
        horizontal = table.horizontalHeader()
        horizontal.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in _WIDTHS.items():
            table.setColumnWidth(column, width)
        horizontal.setSectionResizeMode(Column.WORDS, QHeaderView.ResizeMode.Stretch)
        table.activated.connect(self._open_index)
        return table

    def _action(self, text: str, keys: QKeySequence | None, slot: Slot | object) -> QAction:
        action = QAction(text, self)
        if keys is not None:
            action.setShortcut(keys)
        action.triggered.connect(slot)
        return action

    def _build_actions(self) -> None:
        self.find_action = self._action(
            self.tr("&Search…"), QKeySequence(QKeySequence.StandardKey.Find), self.focus_search
        )
        self.open_action = self._action(
            self.tr("&Open the selected entry"), None, self.open_selected
        )
        self.open_action.setShortcutVisibleInContextMenu(True)
        self.delete_action = self._action(
            self.tr("&Delete the selected entry…"),
            QKeySequence(QKeySequence.StandardKey.Delete),
            self.delete_selected,
        )
        # Delete only while the table has the focus: in the search box it deletes letters.
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.table.addAction(self.delete_action)
        self.export_action = self._action(
            self.tr("&Export what is shown…"), QKeySequence(self.tr("Ctrl+E")), self.export
        )
        self.refresh_action = self._action(
            self.tr("&Refresh"), QKeySequence(QKeySequence.StandardKey.Refresh), self.refresh
        )
        self.close_action = self._action(
            self.tr("&Close"), QKeySequence(QKeySequence.StandardKey.Close), self.close
        )
        # Alt+E: the filter bar's labels use K, T, L, N, R, O, C and D.
        menu = self.menuBar().addMenu(self.tr("&Entries"))
        for action in (
            self.find_action,
            self.open_action,
            self.delete_action,
            self.export_action,
            self.refresh_action,
            self.close_action,
        ):
            menu.addAction(action)
            if action is not self.delete_action:
                self.addAction(action)

    # -- showing ----------------------------------------------------------------------------

    @Slot(object)
    def _apply_query(self, query: EntryQuery) -> None:
        self.model.set_query(query)
        if self.model.rowCount():
            self.table.scrollToTop()

    @Slot(int)
    def _show_count(self, count: int) -> None:
        self.count_label.setText(self.tr("%n entries", "", count))

    @Slot(bool)
    def _show_searching(self, searching: bool) -> None:
        if searching:
            self.count_label.setText(self.tr("Searching…"))

    @Slot(str)
    def _show_problem(self, message: str) -> None:
        self.statusBar().showMessage(message)

    @Slot()
    def refresh(self) -> None:
        """Re-read the journal (after a save elsewhere); the view keeps its place."""
        self.model.refresh()

    @Slot()
    def journal_changed(self) -> None:
        """The journal changed: an open log re-reads it on its worker, never waiting for it
        (a hidden one is re-read when it is opened again). At once if it has not re-read for
        :data:`REREAD_GAP_MS`; otherwise once at the end of the gap, however many changes
        came in it, so the last change is always shown."""
        if not self.isVisible():
            return
        if self._reread_gap.isActive():
            self._changed_in_gap = True
            return
        self._reread()

    def _reread(self) -> None:
        self._changed_in_gap = False
        self.model.refresh_later()
        self._reread_gap.start()

    @Slot()
    def _gap_over(self) -> None:
        if self._changed_in_gap and self.isVisible():
            self._reread()

    @Slot()
    def focus_search(self) -> None:
        self.filters.focus_search()

    def set_preferences(self, preferences: Preferences) -> None:
        self._preferences = preferences
        self.filters.set_choices(preferences.stations, preferences.staff)

    def selected(self) -> StoredEntry | None:
        index = self.table.currentIndex()
        return self.model.entry_at(index.row()) if index.isValid() else None

    @Slot()
    def _back_to_table(self) -> None:
        """After a dialog closes, the keys go to the list again (Enter, Delete, arrows)."""
        self.activateWindow()
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._reads.drop_pending()
        super().closeEvent(event)

    @Slot()
    def shutdown(self) -> None:
        """End the worker threads (at quit): a running export gets a moment to finish."""
        _shut_down((self._reads, self._exports))

    # -- one entry --------------------------------------------------------------------------

    @Slot(QModelIndex)
    def _open_index(self, index: QModelIndex) -> None:
        stored = self.model.entry_at(index.row())
        if stored is not None:
            self.open_entry(stored)

    @Slot()
    def open_selected(self) -> None:
        stored = self.selected()
        if stored is not None:
            self.open_entry(stored)

    def open_entry(self, stored: StoredEntry) -> EntryDialog:
        dialog = EntryDialog(self._journal, stored, self._preferences, self)
        dialog.changed.connect(self._entry_changed)
        dialog.finished.connect(self._back_to_table)
        self.entry_dialog = dialog
        dialog.open()
        return dialog

    @Slot()
    def _entry_changed(self) -> None:
        self.model.refresh()
        self.entries_changed.emit()

    @Slot()
    def delete_selected(self) -> None:
        stored = self.selected()
        if stored is None or stored.entry.deleted:
            return
        box = confirm_delete(self, stored.entry.text, partial(self._delete, stored.entry.id))
        box.finished.connect(self._back_to_table)
        self.message = box

    def _delete(self, entry_id: uuid.UUID) -> None:
        row = self.table.currentIndex().row()
        try:
            self._journal.delete(entry_id)
        except JournalError as error:
            self._tell(self.tr("The entry was not deleted"), str(error))
            return
        self._entry_changed()
        if self.model.rowCount():
            row = min(row, self.model.rowCount() - 1)
            self.table.setCurrentIndex(self.model.index(row, 0))

    # -- export -----------------------------------------------------------------------------

    @Slot()
    def export(self) -> None:
        if self._exporting:
            return
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        dialog = ExportFileDialog(self, folder)
        dialog.accepted.connect(self._export_chosen)
        dialog.finished.connect(self._back_to_table)
        self.export_dialog = dialog
        dialog.open()

    @Slot()
    def _export_chosen(self) -> None:
        if self.export_dialog is None:
            return
        chosen = self.export_dialog.chosen()
        if chosen is not None:
            self.export_to(*chosen)

    def export_to(self, target: Path, export_format: ExportFormat) -> None:
        """Export the entries the log shows now (its current query) on a worker thread."""
        self._exporting = True
        self.export_action.setEnabled(False)
        self.statusBar().showMessage(self.tr("Exporting to %1…").replace("%1", str(target)))
        self._exports.run(
            partial(export_to, self._journal, self.model.query(), target, export_format),
            partial(self._export_done, target),
        )

    def _export_done(self, target: Path, result: TaskResult[int]) -> None:
        self._exporting = False
        self.export_action.setEnabled(True)
        try:
            count = result.get()
        except Exception as error:
            message = failure_message(error)
            self.statusBar().clearMessage()
            self._tell(self.tr("The export was not written"), message)
            self.export_failed.emit(message)
            return
        self.statusBar().showMessage(
            self.tr("Exported %n entries to %1.", "", count).replace("%1", str(target))
        )
        self.exported.emit(count, str(target))

    def _tell(self, title: str, message: str) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, self
        )
        box.setObjectName("problem")
        box.setAccessibleName(title)
        box.finished.connect(self._back_to_table)
        self.message = box
        box.open()


def _shut_down(runners: tuple[TaskRunner, ...], *_: object) -> None:
    for runner in runners:
        runner.shutdown(SHUTDOWN_WAIT_MS)


class LogOpener:
    """The quick entry's "Open log" hook: one log window, made when first asked for.

    ``app.set_log_opener(LogOpener(journal, lambda: app.preferences))``; connect the journal's
    "changed" signal to :meth:`journal_changed` so an open log shows what changed.
    ``edited`` is told of an edit or a deletion made in the log.
    """

    def __init__(
        self,
        journal: Journal,
        preferences: Callable[[], Preferences],
        edited: Callable[[], None] | None = None,
    ) -> None:
        self._journal = journal
        self._preferences = preferences
        self._edited = edited
        self.window: LogWindow | None = None

    def __call__(self) -> LogWindow:
        if self.window is None:
            self.window = LogWindow(self._journal, self._preferences())
            if self._edited is not None:
                self.window.entries_changed.connect(self._edited)
        else:
            self.window.set_preferences(self._preferences())
            self.window.refresh()
        self.window.show()
        self.window.raise_()
        self.window.activateWindow()
        return self.window

    def journal_changed(self) -> None:
        if self.window is not None:
            self.window.journal_changed()
