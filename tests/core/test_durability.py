"""Saved means durable: a process killed with SIGKILL right after save() returned loses nothing."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

from earshot.core.entry import SyncState
from earshot.core.journal import Journal

WRITER = """
import sys, time
from pathlib import Path
from earshot.core.entry import EntryInput
from earshot.core.journal import Journal

journal = Journal.open(Path(sys.argv[1]))
for n in range(int(sys.argv[2])):
    entry = journal.record(EntryInput(text=f"entry {n} " + "words " * 50), site="Leeds")
    print(entry.id, flush=True)  # only after save() returned
print("done", flush=True)
time.sleep(600)
"""


def run_writer(path: Path, count: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), str(count)],
        stdout=subprocess.PIPE,
        text=True,
    )


def test_an_entry_survives_sigkill_right_after_save_returned(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    writer = run_writer(path, 1)
    assert writer.stdout is not None
    saved = uuid.UUID(writer.stdout.readline().strip())
    os.kill(writer.pid, signal.SIGKILL)
    assert writer.wait() == -signal.SIGKILL
    journal = Journal.open(path)
    stored = journal.require(saved)
    assert stored.entry.text.startswith("entry 0 ")
    assert stored.sync_state is SyncState.QUEUED
    journal.close()


def test_killing_a_busy_writer_at_random_loses_no_saved_entry(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    rng = random.Random(20261123)  # noqa: S311 (a repeatable test, not a secret)
    confirmed: list[uuid.UUID] = []
    for _round in range(5):
        writer = run_writer(path, 10_000)
        assert writer.stdout is not None
        for _ in range(rng.randint(1, 60)):
            confirmed.append(uuid.UUID(writer.stdout.readline().strip()))
        os.kill(writer.pid, signal.SIGKILL)  # in the middle of the next save
        writer.wait()
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    connection.close()
    journal = Journal.open(path)
    missing = [entry_id for entry_id in confirmed if journal.get(entry_id) is None]
    assert missing == []
    assert journal.count() >= len(confirmed)
    journal.close()
