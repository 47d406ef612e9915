"""The log window on a journal of 1,000,000 entries: open, jump to the end, full-text search.

The window is the real one (``earshot.gui.windows.log_window.LogWindow``, offscreen Qt), driven
as a person drives it, and a step counts as done when the rows it brings are painted (``grab()``
renders the window, which asks the model for every visible cell):

* open: make the window, show it, paint the first rows;
* Ctrl+End: the key press on the table, then paint the last rows (the page cache is emptied
  before each try, so every try reads the journal);
* search: at the top of the list, a word typed in the search box and Enter, until the rows
  found are painted: a selective word (in 1 entry of 10,000) and, reported without an aim, a
  word in 1 entry of 5.

Each beside a bare ``sqlite3`` query on the same file that fetches the same rows the fastest way
(``SELECT ... ORDER BY ... LIMIT 50``, and the full-text join for the search), with a fresh
connection each time as the window's first read has.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from bench.figures import Figure, median, ms, ratio, timed
from earshot.core.journal import Journal

if TYPE_CHECKING:
    from earshot.gui.windows.log_window import LogWindow

SIZES = {"full": (1_000_000, 5), "small": (2_000, 2)}  # entries, tries of each step
SELECTIVE, SELECTIVE_EVERY = "kettle", 10_000
BROAD, BROAD_EVERY = "queue", 5
WORDS = ("price", "delivery", "parking", "staff", "opening hours", "returns", "app", "card")
STATIONS = ("counter", "warehouse", "phone", "delivery", "other")
KINDS = ("praise", "complaint", "suggestion", "question", "other")
START = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)
VISIBLE = 50  # about what the window shows; the bare queries fetch this many rows
OPEN_AIM_MS, SEARCH_AIM_MS = 1000.0, 100.0


def _text(number: int) -> str:
    words = f"Customer asked about the {WORDS[number % len(WORDS)]}, entry {number}."
    if number % BROAD_EVERY == 0:
        words += f" Long {BROAD} at lunchtime."
    if number % SELECTIVE_EVERY == 7:
        words += f" Wants the blue {SELECTIVE} back."
    return words


def seed(path: Path, count: int) -> None:
    """``count`` queued first revisions a minute apart, in one transaction (executemany)."""
    journal = Journal.open(path)
    device = journal.device_id
    journal.close()
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        # Seeding is not what is measured: no fsync per page while filling.
        connection.execute("PRAGMA synchronous = OFF")
        connection.execute("BEGIN IMMEDIATE")
        when = [
            (START + timedelta(minutes=n)).strftime("%Y-%m-%dT%H:%M:%S.%fZ") for n in range(count)
        ]
        ids = [f"00000000-0000-4000-8000-{n:012d}" for n in range(count)]
        connection.executemany(
            "INSERT INTO revisions(id, uuid, revision, payload, saved_at) VALUES (?, ?, 1, ?, ?)",
            (
                (
                    n + 1,
                    ids[n],
                    f'{{"id":"{ids[n]}","revision":1,"created_at":"{when[n]}","text":"{_text(n)}"}}',
                    when[n],
                )
                for n in range(count)
            ),
        )
        connection.executemany(
            "INSERT INTO entries(uuid, revision, created_at, utc_offset_minutes, device_id, "
            "site, station, staff, kind, sentiment, text, tags, contact, follow_up, deleted, "
            "revised_at, sync_state, sync_note, outbox_order) "
            "VALUES (?, 1, ?, 60, ?, 'Main site', ?, ?, ?, NULL, ?, '[]', NULL, 0, 0, ?, "
            "'queued', NULL, ?)",
            (
                (
                    ids[n],
                    when[n],
                    device,
                    STATIONS[n % 5],
                    "Ana" if n % 2 else "Bo",
                    KINDS[n % 5],
                    _text(n),
                    when[n],
                    n + 1,
                )
                for n in range(count)
            ),
        )
        connection.execute("COMMIT")
    finally:
        connection.close()


def _bare(path: Path, sql: str, *parameters: object) -> Callable[[], object]:
    def query() -> object:
        connection = sqlite3.connect(path)
        try:
            rows = connection.execute(sql, parameters).fetchall()
        finally:
            connection.close()
        if not rows:
            raise RuntimeError(f"the bare query found nothing: {sql}")
        return rows

    return query


def _find(window: LogWindow, word: str) -> None:
    """Enter in the search box (``word`` typed already), until the rows found are painted."""
    from PySide6.QtCore import QEventLoop, Qt, QTimer
    from PySide6.QtTest import QTest

    answered: list[int] = []
    loop = QEventLoop()

    def counted(count: int) -> None:
        answered.append(count)
        loop.quit()

    # A QEventLoop, not QSignalSpy.wait: the spy's wait holds the GIL, so the search (Python,
    # on the log's worker thread) would hardly run until the wait gave up.
    window.model.counted.connect(counted)
    timeout = QTimer()
    timeout.setSingleShot(True)
    timeout.timeout.connect(loop.quit)
    try:
        QTest.keyClick(window.filters.search, Qt.Key.Key_Return)
        if not answered:
            timeout.start(60_000)
            loop.exec()
    finally:
        timeout.stop()
        window.model.counted.disconnect(counted)
    if not answered:
        raise RuntimeError(f"no answer to the search for {word!r}")
    window.grab()


NEWEST = "SELECT * FROM entries WHERE deleted = 0 ORDER BY created_at DESC, seq DESC LIMIT ?"
OLDEST = "SELECT * FROM entries WHERE deleted = 0 ORDER BY created_at, seq LIMIT ?"
FOUND = (
    "SELECT entries.* FROM entries_fts JOIN entries ON entries.seq = entries_fts.rowid "
    "WHERE entries_fts MATCH ? AND deleted = 0 ORDER BY created_at DESC, seq DESC LIMIT ?"
)


def run(size: str, workdir: Path) -> list[Figure]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from earshot.core.settings import Preferences
    from earshot.gui.windows.log_window import LogWindow

    count, tries = SIZES[size]
    few = sum(1 for n in range(7, count, SELECTIVE_EVERY))
    many = sum(1 for n in range(0, count, BROAD_EVERY))
    path = workdir / "journal.sqlite3"
    seed(path, count)
    app = QApplication.instance() or QApplication([])
    journal = Journal.open(path)
    windows: list[LogWindow] = []

    def close(window: LogWindow) -> None:
        window.close()
        window.shutdown()
        window.deleteLater()
        QApplication.sendPostedEvents(None, 0)

    def open_window() -> None:
        window = LogWindow(journal, Preferences())
        window.show()
        window.grab()
        windows.append(window)

    def shown(window: LogWindow) -> int:
        return window.model.rowCount()

    try:
        opens = []
        for _ in range(tries):
            opens += timed(open_window, 1)
            if shown(windows[-1]) != count:
                raise RuntimeError(f"the log shows {shown(windows[-1])} of {count} entries")
            close(windows.pop())
        bare_open = timed(_bare(path, NEWEST, VISIBLE), tries)

        window = LogWindow(journal, Preferences())
        window.show()
        window.grab()
        table = window.table
        ends = []
        for _ in range(tries):
            QTest.keyClick(table, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
            window.model.refresh()  # forget the cached pages: every try reads the journal
            window.grab()

            def to_end() -> None:
                QTest.keyClick(table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
                window.grab()

            ends += timed(to_end, 1)
            if table.currentIndex().row() != count - 1:
                raise RuntimeError(f"Ctrl+End went to row {table.currentIndex().row()}")
        bare_end = timed(_bare(path, OLDEST, VISIBLE), tries)

        def search(word: str, expected: int) -> list[float]:
            box = window.filters.search
            samples = []
            # A search starts from the top of the list, as shown: the rows a person sees before
            # typing are painted (and read) before the search is timed, not during it.
            QTest.keyClick(table, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
            for _ in range(tries):
                box.setText("")
                QTest.keyClick(box, Qt.Key.Key_Return)
                window.grab()
                box.setText(word)
                samples += timed(partial(_find, window, word), 1)
                if shown(window) != expected:
                    raise RuntimeError(f"{word!r} found {shown(window)}, expected {expected}")
            return samples

        selective = search(SELECTIVE, few)
        broad = search(BROAD, many)
        bare_selective = timed(_bare(path, FOUND, f'"{SELECTIVE}"*', VISIBLE), tries)
        bare_broad = timed(_bare(path, FOUND, f'"{BROAD}"*', VISIBLE), tries)
        close(window)
    finally:
        for window in windows:
            close(window)
        journal.close()
        del app

    def figure(
        name: str, samples: list[float], base: list[float], aim: float | None, notes: str
    ) -> Figure:
        value, baseline = ms(median(samples)), ms(median(base))
        return Figure(
            name=name,
            unit="ms",
            value=value,
            baseline=baseline,
            baseline_name=f"bare sqlite3 SELECT ... LIMIT {VISIBLE}",
            ratio=ratio(value, baseline),
            aim=None if aim is None else f"≤ {aim:g} ms",
            met=None if aim is None else value <= aim,
            runs=len(samples),
            notes=f"{count:,} entries; {notes}",
        )

    every = "a word in 1 entry of {}: {:,} found"
    return [
        figure("open the log, first rows painted", opens, bare_open, OPEN_AIM_MS, "newest first"),
        figure("Ctrl+End, last rows painted", ends, bare_end, None, "page cache emptied first"),
        figure(
            "search, selective word",
            selective,
            bare_selective,
            SEARCH_AIM_MS,
            every.format(f"{SELECTIVE_EVERY:,}", few),
        ),
        figure(
            "search, common word",
            broad,
            bare_broad,
            None,
            every.format(BROAD_EVERY, many),
        ),
    ]
