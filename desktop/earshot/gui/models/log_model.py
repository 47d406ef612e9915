"""The log's table model: a window onto the journal that never holds all of it.

A million entries must open as fast as ten. The model knows only how many rows the current
query has (one ``COUNT``) and keeps a few pages of rows it was asked to show, least recently
used first out. A view asks for the rows it paints, so opening the log, jumping to the end or
filtering each cost a page read or two, never a read of every row.

A search is the exception: paging by offset would redo the full-text match for every page,
so the model reads the matching row keys once (8 bytes per match, never the rows) and then
each page by its keys.
"""

from __future__ import annotations

from array import array
from collections import OrderedDict
from enum import IntEnum
from functools import partial
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
    Slot,
)

from earshot.core.entry import Kind, Sentiment, SyncState
from earshot.core.journal import Journal, JournalError, StoredEntry
from earshot.core.journal.query import EntryQuery, fts_match
from earshot.gui.services.tasks import TaskResult, TaskRunner

_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()

# The words column shows the first line, cut to this many characters; the tooltip has it all.
WORDS_PREVIEW = 120


class Column(IntEnum):
    WHEN = 0
    KIND = 1
    SENTIMENT = 2
    STATION = 3
    STAFF = 4
    WORDS = 5
    IDEA = 6
    TAGS = 7
    FOLLOW_UP = 8
    SYNC = 9


# The strings below are translated with literal QCoreApplication.translate("LogModel", ...)
# calls, never through a helper: pyside6-lupdate finds only those, and a string it cannot see
# never reaches the catalogue.


def column_title(column: Column) -> str:
    titles = {
        Column.WHEN: QCoreApplication.translate("LogModel", "When"),
        Column.KIND: QCoreApplication.translate("LogModel", "Kind"),
        Column.SENTIMENT: QCoreApplication.translate("LogModel", "Mood"),
        Column.STATION: QCoreApplication.translate("LogModel", "Station"),
        Column.STAFF: QCoreApplication.translate("LogModel", "Logged by"),
        Column.WORDS: QCoreApplication.translate("LogModel", "What the customer said"),
        Column.IDEA: QCoreApplication.translate("LogModel", "Your idea"),
        Column.TAGS: QCoreApplication.translate("LogModel", "Tags"),
        Column.FOLLOW_UP: QCoreApplication.translate("LogModel", "Follow-up"),
        Column.SYNC: QCoreApplication.translate("LogModel", "Sent to the company?"),
    }
    return titles[column]


def kind_label(kind: Kind) -> str:
    labels = {
        Kind.PRAISE: QCoreApplication.translate("LogModel", "Praise"),
        Kind.COMPLAINT: QCoreApplication.translate("LogModel", "Complaint"),
        Kind.SUGGESTION: QCoreApplication.translate("LogModel", "Suggestion"),
        Kind.QUESTION: QCoreApplication.translate("LogModel", "Question"),
        Kind.OTHER: QCoreApplication.translate("LogModel", "Other"),
    }
    return labels[kind]


def sentiment_label(sentiment: Sentiment | None) -> str:
    labels = {
        Sentiment.NEGATIVE: QCoreApplication.translate("LogModel", "Negative"),
        Sentiment.NEUTRAL: QCoreApplication.translate("LogModel", "Neutral"),
        Sentiment.POSITIVE: QCoreApplication.translate("LogModel", "Positive"),
    }
    return "" if sentiment is None else labels[sentiment]


def sync_label(state: SyncState) -> str:
    """The sync state in words a new hire understands."""
    labels = {
        SyncState.QUEUED: QCoreApplication.translate("LogModel", "Waiting to be sent"),
        SyncState.SENDING: QCoreApplication.translate("LogModel", "Sending"),
        SyncState.SENT: QCoreApplication.translate("LogModel", "Sent"),
        SyncState.NEEDS_ATTENTION: QCoreApplication.translate("LogModel", "Needs attention"),
    }
    return labels[state]


def preview(text: str, limit: int = WORDS_PREVIEW) -> str:
    """The first line of ``text``, cut with an ellipsis when longer than ``limit``."""
    first, _, rest = text.partition("\n")
    if len(first) > limit:
        return first[: limit - 1].rstrip() + "…"
    return first + (" …" if rest.strip() else "")


def when_label(stored: StoredEntry) -> str:
    """The time as the recording PC's clock showed it (this PC's entries: its own clock)."""
    return stored.entry.local_created_at().strftime("%Y-%m-%d %H:%M")


def cell_text(stored: StoredEntry, column: Column) -> str:
    entry = stored.entry
    if column is Column.WHEN:
        return when_label(stored)
    if column is Column.KIND:
        return kind_label(entry.kind)
    if column is Column.SENTIMENT:
        return sentiment_label(entry.sentiment)
    if column is Column.STATION:
        return entry.station
    if column is Column.STAFF:
        return (
            QCoreApplication.translate("LogModel", "Anonymous")
            if entry.anonymous
            else entry.staff or ""
        )
    if column is Column.WORDS:
        return preview(entry.text)
    if column is Column.IDEA:
        return preview(entry.idea or "")
    if column is Column.TAGS:
        return ", ".join(entry.tags)
    if column is Column.FOLLOW_UP:
        return QCoreApplication.translate("LogModel", "Call back") if entry.follow_up else ""
    if entry.deleted:
        return (
            QCoreApplication.translate("LogModel", "Deleted")
            + " · "
            + sync_label(stored.sync_state)
        )
    return sync_label(stored.sync_state)


def read_rows(journal: Journal, query: EntryQuery) -> tuple[int, array[int] | None]:
    """How many rows ``query`` has, and for a search the keys of the rows."""
    if fts_match(query.search) is None:
        return journal.count(query), None
    keys = journal.keys(query)
    return len(keys), keys


class LogModel(QAbstractTableModel):
    """The entries of a query, newest first, read a page at a time.

    ``problem`` carries a message for the user when the journal cannot be read (locked,
    damaged); the model then shows what it has and stays usable.
    """

    problem = Signal(str)
    # A search is running on the runner (True) or done (False).
    searching = Signal(bool)
    # The row count of the current query changed (after set_query or refresh).
    counted = Signal(int)

    def __init__(
        self,
        journal: Journal,
        query: EntryQuery = EntryQuery(),
        *,
        page_size: int = 200,
        max_pages: int = 8,
        runner: TaskRunner | None = None,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self._journal = journal
        self._query = query
        self._page_size = page_size
        self._max_pages = max_pages
        self._runner = runner
        self._generation = 0  # which request the rows are for; a late answer is dropped
        # The generation of the read on the runner that has not answered yet, if any.
        self._outstanding: int | None = None
        # The journal changed while that read was on its way: read once more after its answer.
        self._again = False
        self._wanted = query  # the query asked for last (shown, or still being read)
        self._announced = False  # a search announced by ``searching`` is running
        self._pages: OrderedDict[int, list[StoredEntry]] = OrderedDict()
        # The last message sent by ``problem``: the first one comes before anyone listens.
        self.last_problem: str | None = None
        self._count, self._keys = self._read(query)  # the keys: a search's rows, newest first

    # -- what the rest of the window uses -------------------------------------------------

    def query(self) -> EntryQuery:
        return self._query

    def set_query(self, query: EntryQuery) -> None:
        """Show the entries of ``query`` instead: a reset, then pages are read as needed.

        With a runner, a search runs there and the rows change when it is done
        (``searching`` says so meanwhile); anything else is read at once.
        """
        self._generation += 1
        self._wanted = query
        self._again = False  # the read asked for now begins after any change told so far
        if self._runner is not None and fts_match(query.search) is not None:
            self._read_later(query, announce=True)
            return
        self._outstanding = None  # a read still on the runner is for an older query now
        self._show(query, *self._read(query))

    @Slot()
    def refresh(self) -> None:
        """Re-read the count and forget the cached pages (after a save, an edit, a sync)."""
        self.set_query(self._wanted)

    @Slot()
    def refresh_later(self) -> None:
        """:meth:`refresh` on the runner (the journal changed): the window never waits for it."""
        if self._runner is None:
            self.refresh()
            return
        if self._outstanding is not None:
            # A read of the wanted query is still on its way. Asking again now would drop its
            # answer (a search slower than the changes would never show), but it may have read
            # before this change: one more read follows its answer, however many changes came.
            self._again = True
            return
        self._generation += 1
        self._read_later(self._wanted, announce=False)

    def _show(self, query: EntryQuery, count: int, keys: array[int] | None) -> None:
        if query == self._query and count == self._count:
            # The same rows: keep the view where it is and let it re-read what it shows.
            self._keys = keys
            self._pages.clear()
            if count:
                self.dataChanged.emit(self.index(0, 0), self.index(count - 1, len(Column) - 1), [])
        else:
            self.beginResetModel()
            self._query = query
            self._keys = keys
            self._pages.clear()
            self._count = count
            self.endResetModel()
        self.counted.emit(self._count)

    def _read_later(self, query: EntryQuery, *, announce: bool) -> None:
        assert self._runner is not None
        # The job touches no model or widget: it reads the journal and returns.
        # What was asked for last is what counts: drop any read still waiting to start.
        self._runner.run(
            partial(read_rows, self._journal, query),
            partial(self._read_back, self._generation, query),
            replace_pending=True,
        )
        self._outstanding = self._generation
        if announce:
            self._announced = True
            self.searching.emit(True)

    def _read_back(
        self,
        generation: int,
        query: EntryQuery,
        result: TaskResult[tuple[int, array[int] | None]],
    ) -> None:
        """A read's answer, in the UI thread; a late one (a newer query was asked) is dropped."""
        if generation != self._generation:
            return
        self._outstanding = None
        self._settle()  # whatever happened, the search is over
        try:
            count, keys = result.get()
        except JournalError as error:
            self._report(str(error))
        except Exception as error:  # the runner logged it; the person needs to hear of it too
            self._report(
                QCoreApplication.translate(
                    "LogModel",
                    "The log could not be read because of an unexpected problem (%1). "
                    "Your entries are unchanged; press F5 to try again.",
                ).replace("%1", type(error).__name__)
            )
        else:
            self._show(query, count, keys)
        if self._again:  # the last change is never lost to a read that began before it
            self._again = False
            self.refresh_later()

    def _report(self, message: str) -> None:
        self.last_problem = message
        self.problem.emit(message)

    def _settle(self) -> None:
        if self._announced:
            self._announced = False
            self.searching.emit(False)

    def entry_at(self, row: int) -> StoredEntry | None:
        """The entry shown in ``row``, or None past the end (or when it cannot be read)."""
        if not 0 <= row < self._count:
            return None
        number, offset = divmod(row, self._page_size)
        page = self._page(number)
        return page[offset] if offset < len(page) else None

    def cached_rows(self) -> int:
        """How many entries the model holds in memory right now (bounded by the page cache)."""
        return sum(len(page) for page in self._pages.values())

    def max_cached_rows(self) -> int:
        return self._page_size * self._max_pages

    # -- QAbstractTableModel --------------------------------------------------------------

    def rowCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(Column)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
            Qt.ItemDataRole.AccessibleTextRole,
            Qt.ItemDataRole.UserRole,
        ):
            return None
        stored = self.entry_at(index.row())
        if stored is None:
            return None
        if role == Qt.ItemDataRole.UserRole:
            return stored
        column = Column(index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            if column is Column.WORDS:
                return stored.entry.text[:2000]
            if column is Column.IDEA and stored.entry.idea:
                return stored.entry.idea
            if column is Column.SYNC and stored.sync_note:
                return stored.sync_note
            return None
        return cell_text(stored, column)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.AccessibleTextRole,
        ):
            return column_title(Column(section))
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    # -- the page cache -------------------------------------------------------------------

    def _read(self, query: EntryQuery) -> tuple[int, array[int] | None]:
        self._settle()
        try:
            return read_rows(self._journal, query)
        except JournalError as error:
            self._report(str(error))
            return 0, None

    def _read_page(self, number: int) -> list[StoredEntry]:
        start = number * self._page_size
        if self._keys is not None:
            return self._journal.by_keys(self._keys[start : start + self._page_size])
        return self._journal.page(self._query, start, self._page_size)

    def _page(self, number: int) -> list[StoredEntry]:
        page = self._pages.get(number)
        if page is not None:
            self._pages.move_to_end(number)
            return page
        try:
            page = self._read_page(number)
        except JournalError as error:
            self._report(str(error))
            return []
        self._pages[number] = page
        while len(self._pages) > self._max_pages:
            self._pages.popitem(last=False)
        return page
