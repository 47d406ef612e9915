"""Benchmark (not a test): drain N queued entries to a loopback collector (SQLite), timed.

    .venv/bin/python -m tests.sync.bench_drain [N]

Fills a fresh journal with N first revisions in one transaction, starts the real collector,
runs ``earshot sync`` as a user would, and prints the time and entries per second.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from earshot.core.entry import SyncState
from earshot.core.journal import Journal
from tests.collector_server import running_collector
from tests.gui.bulk import insert, make_entries


def main(count: int) -> None:
    earshot = str(Path(sys.executable).with_name("earshot"))
    with tempfile.TemporaryDirectory(prefix="earshot-bench-") as root:
        home = Path(root) / "home"
        journal = Journal.open(home / "journal.sqlite3")
        insert(journal, make_entries(journal, count))
        with running_collector(Path(root) / "collector") as collector:
            env = {
                "PATH": "/usr/bin:/bin",
                "EARSHOT_HOME": str(home),
                "EARSHOT_SYSTEM_SETTINGS": str(Path(root) / "none.json"),
                "EARSHOT_TOKEN": collector.token,
            }
            subprocess.run(
                [earshot, "config", "set", "endpoint", collector.url], env=env, check=True
            )
            started = time.perf_counter()
            done = subprocess.run([earshot, "sync"], env=env, capture_output=True, text=True)
            elapsed = time.perf_counter() - started
            held = collector.count()
        sent = journal.status()[SyncState.SENT]
        journal.close()
    print(done.stdout.strip().splitlines()[-1])
    print(
        f"{count} entries: {elapsed:.1f} s, {count / elapsed:,.0f} entries/s "
        f"(exit {done.returncode}; journal sent {sent}; collector holds {held})"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
