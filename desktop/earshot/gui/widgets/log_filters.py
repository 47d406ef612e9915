"""The filter bar above the log: a search box and a few pickers that together make a query.

Typing in the search box waits for a short pause before searching, so a fast typist does not
start a search per key. Every other change applies at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from PySide6.QtCore import QDate, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from earshot.core.entry import Kind, SyncState
from earshot.core.journal import EntryQuery
from earshot.gui.models.log_model import kind_label, sync_label

SEARCH_DELAY_MS = 250
# The earliest date a date picker offers; showing it means "no limit" ("Any day").
_NO_DATE = QDate(2000, 1, 1)


def day_start(day: date) -> datetime:
    """Midnight at the start of ``day`` on this PC's clock, as an aware time."""
    return datetime.combine(day, time.min).astimezone()


class FilterBar(QWidget):
    """Search and filters; ``changed`` carries the new :class:`EntryQuery`."""

    changed = Signal(object)

    def __init__(
        self,
        stations: Sequence[str],
        staff: Sequence[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAccessibleName(self.tr("Search and filters"))
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._emit)

        self.search = QLineEdit(self)
        self.search.setObjectName("search")
        self.search.setPlaceholderText(self.tr("Search the words and tags (Ctrl+F)"))
        self.search.setAccessibleName(self.tr("Search"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._timer.start)
        # Enter searches at once, without waiting for the pause.
        self.search.returnPressed.connect(self._emit)

        self.kind = self._combo("kind", self.tr("Kind"), self.tr("Any kind"))
        for kind in Kind:
            self.kind.addItem(kind_label(kind), kind)
        self.station = self._combo("station", self.tr("Station"), self.tr("Any station"))
        # Names are typed freely in the quick entry, so the staff filter takes a typed name
        # too; the names from the preferences are offered in its list.
        self.staff = QComboBox(self)
        self.staff.setObjectName("staff")
        self.staff.setAccessibleName(self.tr("Logged by"))
        self.staff.setEditable(True)
        self.staff.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        staff_line = self.staff.lineEdit()
        assert staff_line is not None  # an editable combo box always has one
        staff_line.setObjectName("staff_name")
        staff_line.setAccessibleName(self.tr("Logged by"))
        staff_line.setPlaceholderText(self.tr("Anyone"))
        staff_line.setClearButtonEnabled(True)
        self.staff.editTextChanged.connect(self._timer.start)
        self.set_choices(stations, staff)
        self.sync = self._combo("sync", self.tr("Sent to the company?"), self.tr("Any state"))
        for state in SyncState:
            self.sync.addItem(sync_label(state), state)

        self.since = self._date("since", self.tr("From"))
        self.until = self._date("until", self.tr("To"))

        self.follow_up = QCheckBox(self.tr("Only &call-backs"), self)
        self.follow_up.setObjectName("follow_up")
        self.follow_up.setAccessibleName(self.tr("Only entries that need a call-back"))
        self.follow_up.toggled.connect(self._emit)
        self.deleted = QCheckBox(self.tr("Show &deleted"), self)
        self.deleted.setObjectName("deleted")
        self.deleted.setAccessibleName(self.tr("Show deleted entries too"))
        self.deleted.toggled.connect(self._emit)

        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search, 0, 0, 1, 8)
        pickers: list[tuple[str, QWidget]] = [
            (self.tr("&Kind:"), self.kind),
            (self.tr("S&tation:"), self.station),
            (self.tr("&Logged by:"), self.staff),
            (self.tr("Se&nt?"), self.sync),
        ]
        for column, (text, widget) in enumerate(pickers):
            self._label(text, widget, layout, 1, column * 2)
        self._label(self.tr("F&rom:"), self.since, layout, 2, 0)
        self._label(self.tr("T&o:"), self.until, layout, 2, 2)
        layout.addWidget(self.follow_up, 2, 4, 1, 2)
        layout.addWidget(self.deleted, 2, 6, 1, 2)

    def _label(self, text: str, buddy: QWidget, layout: QGridLayout, row: int, column: int) -> None:
        # A label with a mnemonic and a buddy: Alt+letter jumps to the picker.
        label = QLabel(text, self)
        label.setBuddy(buddy)
        layout.addWidget(label, row, column, Qt.AlignmentFlag.AlignRight)
        layout.addWidget(buddy, row, column + 1)

    def _combo(self, name: str, accessible: str, any_text: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        combo.setAccessibleName(accessible)
        combo.addItem(any_text, None)
        combo.currentIndexChanged.connect(self._emit)
        return combo

    def _date(self, name: str, accessible: str) -> QDateEdit:
        edit = QDateEdit(self)
        edit.setObjectName(name)
        edit.setAccessibleName(accessible)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setMinimumDate(_NO_DATE)
        edit.setSpecialValueText(self.tr("Any day"))
        edit.setDate(_NO_DATE)
        edit.dateChanged.connect(self._emit)
        inner = edit.findChild(QLineEdit)
        if inner is not None:  # what a screen reader lands on when typing the date
            inner.setAccessibleName(accessible)
        return edit

    def set_choices(self, stations: Sequence[str], staff: Sequence[str]) -> None:
        """Offer these stations and people (from the preferences), keeping what is picked."""
        picked = self.station.currentData()
        self.station.blockSignals(True)
        while self.station.count() > 1:
            self.station.removeItem(1)
        for station in stations:
            self.station.addItem(station, station)
        index = self.station.findData(picked) if picked is not None else 0
        self.station.setCurrentIndex(max(index, 0))
        self.station.blockSignals(False)
        typed = self.staff.currentText()
        self.staff.blockSignals(True)
        self.staff.clear()
        self.staff.addItems(["", *staff])
        self.staff.setEditText(typed)
        self.staff.blockSignals(False)

    def query(self) -> EntryQuery:
        """The query the bar shows now."""
        since = self.since.date()
        until = self.until.date()
        return EntryQuery(
            search=self.search.text().strip(),
            kinds=_picked(self.kind),
            stations=_picked(self.station),
            staff=(name,) if (name := self.staff.currentText().strip()) else (),
            sync_states=_picked(self.sync),
            since=None if since == _NO_DATE else day_start(_day(since)),
            # "To" includes the whole day: the query's end is the next midnight, exclusive.
            until=None if until == _NO_DATE else day_start(_day(until) + timedelta(days=1)),
            follow_up=True if self.follow_up.isChecked() else None,
            include_deleted=self.deleted.isChecked(),
        )

    @Slot()
    def _emit(self) -> None:
        self._timer.stop()
        self.changed.emit(self.query())

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()


def _day(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def _picked(combo: QComboBox) -> tuple[Any, ...]:
    value = combo.currentData()
    return () if value is None else (value,)
