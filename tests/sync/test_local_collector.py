"""With no collector address, the app pairs with a collector it starts on loopback."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from earshot.core.entry import EntryInput, SyncState
from earshot.core.journal import Journal
from earshot_sync import local_collector
from earshot_sync.client import CollectorClient, TokenRefused
from earshot_sync.local_collector import LocalCollector, LocalCollectorFailed
from earshot_sync.sender import Outcome, Sender


def stored_at(collector_dir: Path) -> list[dict[str, object]]:
    result = subprocess.run(
        [
            *(sys.executable, "-m", "earshot_sync.collector"),
            *("--data-dir", str(collector_dir), "export", "--format", "jsonl"),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return [json.loads(line) for line in result.stdout.splitlines()]


def drain(journal: Journal, client: CollectorClient) -> Outcome:
    return Sender(journal, client).run().outcome


@pytest.fixture
def local(tmp_path: Path) -> Iterator[LocalCollector]:
    collector = LocalCollector(tmp_path / "local-collector")
    yield collector
    collector.stop()


def test_the_collector_and_its_dependencies_are_installed_for_tests() -> None:
    assert local_collector.available()


def test_entries_reach_a_collector_started_and_paired_on_loopback(
    journal: Journal, local: LocalCollector
) -> None:
    ids = {str(journal.record(EntryInput(text=f"heard {n}"), site="Leeds").id) for n in range(3)}
    client = local.client()
    drain(journal, client)
    assert local.url is not None
    assert local.url.startswith("http://127.0.0.1:")
    assert journal.status()[SyncState.SENT] == 3
    assert {entry["id"] for entry in stored_at(local.data_dir)} == ids
    logged = client._token.reveal() in local.log_path.read_text(encoding="utf-8")
    assert not logged, "the token was written to the collector's log"


def test_each_start_pairs_anew_and_the_old_token_stops_working(
    journal: Journal, local: LocalCollector
) -> None:
    first = local.client()
    old_token = first._token
    local.stop()
    second = local.client()  # a new process, a new token for the same device
    journal.record(EntryInput(text="after a restart"), site="Leeds")
    assert drain(journal, second) is Outcome.DONE
    assert journal.status()[SyncState.SENT] == 1
    assert len(stored_at(local.data_dir)) == 1
    stale = CollectorClient(second.endpoint, old_token, requests.Session())
    with pytest.raises(TokenRefused):
        stale.info()


def test_a_collector_that_cannot_start_says_where_its_log_is(tmp_path: Path) -> None:
    folder = tmp_path / "local-collector"
    folder.mkdir()
    (folder / "collector.sqlite3").write_bytes(b"not a database " * 100)
    collector = LocalCollector(folder)
    with pytest.raises(LocalCollectorFailed, match="did not start; its log is in"):
        collector.client()
    assert "database" in collector.log_path.read_text(encoding="utf-8").lower()
