"""Kill ``earshot sync`` (SIGKILL) at random moments while it drains 2,000 entries, and kill and
restart the collector too: in the end the collector holds each entry exactly once and the
journal says every one is sent.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
from pathlib import Path

from earshot.core.entry import SyncState
from earshot.core.journal import Journal
from tests.collector_server import running_collector
from tests.gui.bulk import insert, make_entries

ENTRIES = 2_000
BATCH = 50
MAX_ROUNDS = 200
EARSHOT = str(Path(sys.executable).with_name("earshot"))


def sync(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [EARSHOT, "sync"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def wait_for_progress(journal: Journal, process: subprocess.Popen[bytes], target: int) -> None:
    """Until ``target`` entries are sent or the process ends. Another process's progress sends
    no signal, so the journal is looked at every few milliseconds."""
    pause = threading.Event()
    while process.poll() is None and journal.status()[SyncState.SENT] < target:
        pause.wait(0.005)


def test_sigkill_at_random_moments_loses_nothing_and_doubles_nothing(
    journal: Journal, env: dict[str, str], tmp_path: Path
) -> None:
    entries = make_entries(journal, ENTRIES)
    insert(journal, entries)
    assert journal.waiting() == ENTRIES
    # A new seed each run finds more; EARSHOT_CRASH_SEED replays a failing one.
    seed = int(os.environ.get("EARSHOT_CRASH_SEED") or random.SystemRandom().randrange(10**9))
    chance = random.Random(seed)  # noqa: S311 (kill moments, not secrets)
    with running_collector(tmp_path / "collector", max_entries=BATCH) as collector:
        env = env | {"EARSHOT_TOKEN": collector.token}
        subprocess.run([EARSHOT, "config", "set", "endpoint", collector.url], env=env, check=True)
        kills = collector_kills = 0
        for round_number in range(MAX_ROUNDS):
            sent = journal.status()[SyncState.SENT]
            if sent == ENTRIES:
                break
            process = sync(env)
            # Let it get a random way into the drain (zero: killed while starting up), then a
            # random few milliseconds more, so the kill lands anywhere: mid-request, between
            # the collector's commit and the journal's mark, inside a journal transaction.
            wait_for_progress(journal, process, sent + chance.randint(0, 3 * BATCH))
            threading.Event().wait(chance.uniform(0, 0.03))
            if round_number % 3 == 2:
                collector.kill()  # the collector dies too, maybe mid-commit
                collector_kills += 1
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                kills += 1
            process.wait(30)
            if not collector.running:
                collector.restart()
        assert kills >= 10, f"too few kills landed mid-drain (EARSHOT_CRASH_SEED={seed})"
        assert collector_kills >= 3

        final = subprocess.run([EARSHOT, "sync"], env=env, capture_output=True, timeout=300)

        assert final.returncode == 0, (seed, final.stderr)
        rows = collector.revisions()
    assert journal.status()[SyncState.SENT] == ENTRIES
    assert journal.waiting() == 0
    keys = [(row["entry_id"], row["revision"]) for row in rows]
    assert len(keys) == ENTRIES, f"not exactly once (EARSHOT_CRASH_SEED={seed})"
    assert {key[0] for key in keys} == {str(entry.id) for entry in entries}
