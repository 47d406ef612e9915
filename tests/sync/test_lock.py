"""One sender per journal: the OS lock between threads, processes, and after a SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from earshot_sync.sender_lock import SenderBusy, SenderLock

HOLD = """
import sys, time
from pathlib import Path
from earshot_sync.sender_lock import SenderLock
lock = SenderLock(Path(sys.argv[1]))
lock.acquire()
print("held", flush=True)
sys.stdin.read()
"""


def holder(journal_path: Path) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(journal_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "held"
    return process


def test_a_second_lock_in_the_same_process_is_refused(tmp_path: Path) -> None:
    journal_path = tmp_path / "journal.sqlite3"
    first, second = SenderLock(journal_path), SenderLock(journal_path)

    with first, pytest.raises(SenderBusy, match="already sending"):
        second.acquire()

    with second:  # free again once released
        assert second.held


def test_another_process_holding_it_refuses_ours(tmp_path: Path) -> None:
    journal_path = tmp_path / "journal.sqlite3"
    process = holder(journal_path)
    try:
        with pytest.raises(SenderBusy):
            SenderLock(journal_path).acquire()
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(10)
    with SenderLock(journal_path) as lock:
        assert lock.held


def test_a_killed_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    journal_path = tmp_path / "journal.sqlite3"
    process = holder(journal_path)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(10)

    with SenderLock(journal_path) as lock:
        assert lock.held


def test_locks_of_different_journals_are_independent(tmp_path: Path) -> None:
    with SenderLock(tmp_path / "a.sqlite3"), SenderLock(tmp_path / "b.sqlite3") as other:
        assert other.held
