"""The log's model on a real journal: newest first, in words, and never all rows in memory."""

from __future__ import annotations

import threading
from array import array
from datetime import timedelta

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from earshot.core.entry import EntryInput, Kind
from earshot.core.journal import EntryQuery, Journal
from earshot.gui.models.log_model import Column, LogModel, preview
from earshot.gui.services.tasks import TaskRunner
from earshot_sync.outbox import Mark
from tests.gui import bulk


def _text(model: LogModel, row: int, column: Column) -> str:
    value = model.data(model.index(row, column), Qt.ItemDataRole.DisplayRole)
    assert isinstance(value, str)
    return value


def test_entries_show_newest_first_with_their_sync_state(journal: Journal) -> None:
    entries = bulk.make_entries(journal, 3)
    for entry in entries:
        journal.save(entry)
    oldest, middle, newest = entries
    journal.mark([Mark(str(oldest.id), 1, acknowledged=True)])
    journal.mark([Mark(str(middle.id), 1, acknowledged=False, note="The server said no.")])

    model = LogModel(journal)

    assert model.rowCount() == 3
    assert [_text(model, row, Column.WORDS) for row in range(3)] == [
        "entry number 2",
        "entry number 1",
        "entry number 0",
    ]
    assert [_text(model, row, Column.SYNC) for row in range(3)] == [
        "Waiting to be sent",
        "Needs attention",
        "Sent",
    ]
    assert model.entry_at(0) is not None
    assert model.entry_at(0).entry.id == newest.id  # type: ignore[union-attr]
    assert _text(model, 0, Column.KIND) == "Suggestion"
    assert _text(model, 0, Column.WHEN) == newest.local_created_at().strftime("%Y-%m-%d %H:%M")
    tooltip = model.data(model.index(1, Column.SYNC), Qt.ItemDataRole.ToolTipRole)
    assert tooltip == "The server said no."
    assert model.entry_at(3) is None


def test_the_words_column_shows_the_first_line_cut_short() -> None:
    assert preview("first line\nsecond line") == "first line …"
    assert preview("x" * 500).endswith("…")
    assert len(preview("x" * 500)) <= 120


def test_fifty_thousand_entries_are_read_a_page_at_a_time(journal: Journal) -> None:
    entries = bulk.make_entries(journal, 50_000)
    bulk.insert(journal, entries)

    model = LogModel(journal, page_size=200, max_pages=4)

    assert model.rowCount() == 50_000
    assert model.cached_rows() == 0
    last = model.rowCount() - 1
    assert _text(model, last, Column.WORDS) == "entry number 0"
    assert _text(model, 0, Column.WORDS) == "entry number 49999"
    # Jump about as a person scrolling and searching would; memory stays bounded throughout.
    rows = [(number * 7_919) % 50_000 for number in range(300)]
    for row in rows:
        assert _text(model, row, Column.WORDS) == f"entry number {49_999 - row}"
        assert model.cached_rows() <= 4 * 200
    assert model.cached_rows() == model.max_cached_rows()

    # A search reads the matching keys once, then pages by key: newest first all the same.
    model.set_query(EntryQuery(search="4999"))
    assert model.rowCount() == 11  # 4999 and 49990 to 49999, as a prefix
    assert _text(model, 0, Column.WORDS) == "entry number 49999"
    assert _text(model, 9, Column.WORDS) == "entry number 49990"
    assert _text(model, 10, Column.WORDS) == "entry number 4999"
    model.set_query(EntryQuery(search="entry"))
    assert model.rowCount() == 50_000
    assert _text(model, 49_999, Column.WORDS) == "entry number 0"
    assert _text(model, 12_345, Column.WORDS) == f"entry number {49_999 - 12_345}"
    assert model.cached_rows() <= 4 * 200


def test_a_query_narrows_the_rows_and_refresh_sees_new_entries(journal: Journal) -> None:
    bulk.insert(journal, bulk.make_entries(journal, 20))
    model = LogModel(journal)

    model.set_query(EntryQuery(kinds=(Kind.COMPLAINT,)))
    assert model.rowCount() == 4
    assert {_text(model, row, Column.KIND) for row in range(4)} == {"Complaint"}

    # What a person types goes to FTS5 as words only: quotes, stars and brackets never error.
    for typed in ['"number 7', "numb*", "AND (", 'entry" OR "', "NEAR(", "*", '"']:
        model.set_query(EntryQuery(search=typed))
        assert model.rowCount() >= 0
    model.set_query(EntryQuery(search='"number 7*'))
    assert model.rowCount() == 1
    assert _text(model, 0, Column.WORDS) == "entry number 7"

    model.set_query(EntryQuery())
    journal.record(EntryInput(text="a new one"), site="Main site")
    assert model.rowCount() == 20
    model.refresh()
    assert model.rowCount() == 21
    assert _text(model, 0, Column.WORDS) == "a new one"


def test_refresh_with_the_same_count_shows_the_new_state(qtbot: QtBot, journal: Journal) -> None:
    entry = journal.record(EntryInput(text="was waiting"), site="Main site")
    model = LogModel(journal)
    assert _text(model, 0, Column.SYNC) == "Waiting to be sent"
    journal.mark([Mark(str(entry.id), 1, acknowledged=True)])
    with qtbot.waitSignal(model.dataChanged):
        model.refresh()
    assert _text(model, 0, Column.SYNC) == "Sent"


def test_deleted_entries_are_hidden_unless_asked_for(journal: Journal) -> None:
    kept = journal.record(EntryInput(text="kept"), site="Main site")
    gone = journal.record(
        EntryInput(text="gone"), site="Main site", now=kept.created_at + timedelta(minutes=1)
    )
    journal.delete(gone.id)

    model = LogModel(journal)
    assert model.rowCount() == 1
    assert _text(model, 0, Column.WORDS) == "kept"

    model.set_query(EntryQuery(include_deleted=True))
    assert model.rowCount() == 2
    assert _text(model, 0, Column.SYNC) == "Deleted · Waiting to be sent"


def test_a_search_on_a_runner_shows_the_newest_query_asked_for(
    qtbot: QtBot, journal: Journal, runner: TaskRunner
) -> None:
    bulk.insert(journal, bulk.make_entries(journal, 30))
    model = LogModel(journal, runner=runner)
    assert model.rowCount() == 30

    with qtbot.waitSignal(model.searching, check_params_cb=lambda busy: not busy):
        model.set_query(EntryQuery(search="number 1"))  # 1 and 10 to 19
        assert model.rowCount() == 30  # the old rows stay until the search is done
        model.set_query(EntryQuery(search="number 2"))  # asked for later: this one shows
    qtbot.waitUntil(lambda: model.rowCount() == 11)
    assert _text(model, 0, Column.WORDS) == "entry number 29"
    assert _text(model, 10, Column.WORDS) == "entry number 2"

    model.set_query(EntryQuery(kinds=(Kind.PRAISE,)))  # no search: read at once
    assert model.rowCount() == 6

    # The timer's refresh runs on the runner too, and sees an entry saved elsewhere.
    journal.record(EntryInput(text="more praise", kind="praise"), site="Main site")
    model.refresh_later()
    assert model.rowCount() == 6
    qtbot.waitUntil(lambda: model.rowCount() == 7)
    assert _text(model, 0, Column.WORDS) == "more praise"


class _GatedJournal(Journal):
    """A real journal whose search waits at a gate: a search still running, on demand."""

    gate = threading.Event()
    searches = 0

    def keys(self, query: EntryQuery) -> array[int]:
        self.searches += 1
        self.gate.wait(timeout=30)
        return super().keys(query)


def test_changes_during_a_search_never_drop_its_answer_and_are_one_more_read(
    qtbot: QtBot, journal: Journal, runner: TaskRunner
) -> None:
    bulk.insert(journal, bulk.make_entries(journal, 30))
    gated = _GatedJournal.open(journal.path)
    gated.gate = threading.Event()
    counts: list[int] = []
    try:
        model = LogModel(gated, runner=runner)
        model.counted.connect(counts.append)
        # Generous timeouts: a shared CI machine can be slow, and nothing here is timed.
        with qtbot.waitSignal(
            model.searching, check_params_cb=lambda busy: not busy, timeout=60_000
        ):
            model.set_query(EntryQuery(search="number 1"))
            qtbot.waitUntil(lambda: gated.searches == 1, timeout=60_000)  # running now
            for _change in range(3):  # the journal changes three times while the search runs
                model.refresh_later()
            gated.gate.set()
        assert counts[0] == 11  # the running search's own answer was shown
        qtbot.waitUntil(lambda: len(counts) == 2, timeout=60_000)  # then one more read's
        assert gated.searches == 2  # one, not three: the changes were one more read

        model.refresh_later()  # with nothing outstanding, a change is read at once
        qtbot.waitUntil(lambda: gated.searches == 3, timeout=60_000)
    finally:
        gated.gate.set()
        gated.close()


class _ReadThenWait(Journal):
    """A real journal whose search has read its keys, then waits: an answer older than a
    change made meanwhile."""

    gate = threading.Event()
    searches = 0

    def keys(self, query: EntryQuery) -> array[int]:
        found = super().keys(query)
        self.searches += 1
        self.gate.wait(timeout=30)
        return found


def test_a_change_while_a_search_is_read_is_shown_after_its_answer(
    qtbot: QtBot, journal: Journal, runner: TaskRunner
) -> None:
    bulk.insert(journal, bulk.make_entries(journal, 30))
    gated = _ReadThenWait.open(journal.path)
    gated.gate = threading.Event()
    try:
        model = LogModel(gated, runner=runner)
        model.set_query(EntryQuery(search="number 1"))
        qtbot.waitUntil(lambda: gated.searches == 1, timeout=60_000)  # read, not answered
        journal.record(EntryInput(text="number 1 again"), site="Main site")
        model.refresh_later()  # the journal's "changed" for it
        gated.gate.set()
        qtbot.waitUntil(lambda: model.rowCount() == 12, timeout=60_000)
        assert _text(model, 0, Column.WORDS) == "number 1 again"
    finally:
        gated.gate.set()
        gated.close()


def test_a_search_that_fails_unexpectedly_says_so_and_stops_searching(
    qtbot: QtBot, journal: Journal, runner: TaskRunner
) -> None:
    bulk.insert(journal, bulk.make_entries(journal, 3))
    model = LogModel(journal, runner=runner)
    # A date that is not a date: the read raises AttributeError, not a JournalError.
    broken = EntryQuery(search="number", since="yesterday")  # type: ignore[arg-type]
    with (
        qtbot.waitSignal(model.problem) as problem,
        qtbot.waitSignal(model.searching, check_params_cb=lambda busy: not busy),
    ):
        model.set_query(broken)
    assert "unexpected problem (AttributeError)" in problem.args[0]
    assert model.rowCount() == 3  # the rows shown before stay

    with qtbot.waitSignal(model.searching, check_params_cb=lambda busy: not busy):
        model.set_query(EntryQuery(search="number 2"))  # and the next search works
    assert model.rowCount() == 1
