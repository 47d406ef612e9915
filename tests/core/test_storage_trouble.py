"""A locked, read-only, full or damaged journal: a clear message, and nothing saved is lost."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from earshot.core.entry import EntryInput
from earshot.core.journal import (
    EntryQuery,
    Journal,
    JournalCorrupt,
    JournalFull,
    JournalLocked,
    JournalReadOnly,
)
from tests.mounts import fill, make_read_only, make_writable, tmpfs

KEPT = "Nothing you saved before has been changed."


def seed(journal: Journal, count: int = 5) -> list[str]:
    return [journal.record(EntryInput(text=f"saved {n}"), site="s").text for n in range(count)]


def texts(journal: Journal) -> list[str]:
    return sorted(s.entry.text for s in journal.iter_entries(EntryQuery()))


def test_a_journal_locked_by_another_program(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    journal = Journal.open(path, busy_timeout_ms=200)
    before = seed(journal)
    # Another process holds the database exclusively, as a backup tool or a stuck app might.
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1], isolation_level=None);"
            "c.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); sys.stdin.read()",
            str(path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    assert holder.stdin is not None
    assert holder.stdout.readline().strip() == "locked"
    try:
        with pytest.raises(JournalLocked) as caught:
            journal.record(EntryInput(text="while locked"), site="s")
        assert "Another program is using Earshot's journal" in str(caught.value)
        assert "try again" in str(caught.value)
        assert KEPT in str(caught.value)
    finally:
        holder.stdin.close()
        holder.wait()
    journal.record(EntryInput(text="after the lock"), site="s")
    assert texts(journal) == sorted([*before, "after the lock"])
    journal.close()


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    with tmpfs(tmp_path / "disk", "2m") as where:
        yield where


def test_a_full_disk(small_disk: Path) -> None:
    journal = Journal.open(small_disk / "journal.sqlite3")
    before = seed(journal)
    filler = fill(small_disk)
    with pytest.raises(JournalFull) as caught:
        journal.record(EntryInput(text="big " * 2000), site="s")
    assert str(caught.value).startswith("The disk is full, so Earshot could not save.")
    assert "OperationalError" not in str(caught.value)
    with pytest.raises(JournalFull):
        journal.save_draft("quick-entry", {"text": "big " * 2000})
    assert texts(journal) == sorted(before)
    filler.unlink()
    journal.record(EntryInput(text="space again"), site="s")
    assert texts(journal) == sorted([*before, "space again"])
    journal.close()
    connection = sqlite3.connect(small_disk / "journal.sqlite3")
    assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    connection.close()


def test_a_read_only_data_directory(small_disk: Path) -> None:
    path = small_disk / "journal.sqlite3"
    journal = Journal.open(path)
    before = seed(journal)
    journal.close()
    original = path.read_bytes()
    make_read_only(small_disk)
    try:
        with pytest.raises(JournalReadOnly) as caught:
            Journal.open(path)
        assert f"not allowed to write in its folder ({small_disk})" in str(caught.value)
        assert "Ask IT" in str(caught.value)
        with pytest.raises(JournalReadOnly):
            Journal.open(small_disk / "new-profile" / "journal.sqlite3")
    finally:
        make_writable(small_disk)
    assert path.read_bytes() == original
    journal = Journal.open(path)
    assert texts(journal) == sorted(before)
    journal.close()


def test_a_file_that_is_not_a_journal_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    path.write_bytes(b"this is a spreadsheet someone saved here" * 200)
    original = path.read_bytes()
    with pytest.raises(JournalCorrupt) as caught:
        Journal.open(path)
    message = str(caught.value)
    assert "journal file is damaged" in message
    assert str(path) in message
    assert "has not changed or deleted it" in message
    assert path.read_bytes() == original


def test_a_journal_damaged_in_the_middle(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    journal = Journal.open(path)
    for n in range(300):
        journal.record(EntryInput(text=f"entry {n} " + "words " * 40), site="s")
    journal.close()
    data = bytearray(path.read_bytes())
    page = 4096
    for offset in range(3 * page, len(data) - page, 7 * page):  # scribble over pages
        data[offset + 100 : offset + 400] = b"\xff" * 300
    path.write_bytes(bytes(data))
    damaged = path.read_bytes()

    def open_and_read() -> None:
        opened = Journal.open(path)
        list(opened.iter_entries(EntryQuery()))

    with pytest.raises(JournalCorrupt):
        open_and_read()
    assert path.read_bytes() == damaged


def test_the_command_line_says_the_same_in_plain_words(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "journal.sqlite3").write_bytes(b"\0garbage" * 100)
    result = subprocess.run(
        [sys.executable, "-m", "earshot", "--data-dir", str(home), "add", "hello"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("earshot: Earshot's journal file is damaged")
    assert "Traceback" not in result.stderr
