"""Races: the same entries posted at once, by threads and by two collector processes."""

from __future__ import annotations

import random
import subprocess
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import requests

from earshot_sync.collector.store import Store
from earshot_sync.protocol import ENTRIES_PATH, decode_results
from tests.collector.conftest import batch, make_entry
from tests.collector_server import (
    Collector,
    PostgresServer,
    collector_program,
    running_collector,
)


def post_all_at_once(
    targets: list[tuple[str, dict[str, str]]], batches: list[list[dict[str, Any]]]
) -> Counter[tuple[str, str]]:
    """Post batches[i] to targets[i % len(targets)], all threads released together."""
    start = threading.Barrier(len(batches))
    outcomes: Counter[tuple[str, str]] = Counter()
    failures: list[BaseException] = []
    lock = threading.Lock()

    def send(index: int) -> None:
        url, headers = targets[index % len(targets)]
        entries = batches[index]
        try:
            start.wait(30)
            answer = requests.post(
                url + ENTRIES_PATH, json=batch(*entries), headers=headers, timeout=120
            )
            assert answer.status_code == 200, answer.text
            results = decode_results(answer.content, entries)
            with lock:
                outcomes.update((result.id, result.status.value) for result in results)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(batches))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
    assert not failures, failures
    return outcomes


def test_threads_posting_the_same_entries_store_each_exactly_once(collector: Collector) -> None:
    entries = [make_entry(text=f"said {n}") for n in range(60)]
    rng = random.Random(7)  # noqa: S311 - shuffling test data
    # Each thread sends the same entries in its own order, so their row locks interleave.
    batches = [rng.sample(entries, len(entries)) for _ in range(8)]
    outcomes = post_all_at_once([(collector.url, collector.headers)], batches)
    for entry in entries:
        assert outcomes[(entry["id"], "stored")] == 1
        assert outcomes[(entry["id"], "duplicate")] == 7
    assert collector.count() == 60
    assert len(collector.entries()) == 60


def test_two_collector_processes_on_one_database_store_each_entry_once(
    collector: Collector, tmp_path: Path
) -> None:
    with running_collector(
        tmp_path / "second", database=collector.database, device="second-till"
    ) as second:
        assert second.port != collector.port
        entries = [make_entry(text=f"heard {n}") for n in range(200)]
        rng = random.Random(11)  # noqa: S311 - shuffling test data
        batches = [rng.sample(entries, 100) for _ in range(12)] + [entries, entries[::-1]]
        outcomes = post_all_at_once(
            [(collector.url, collector.headers), (second.url, second.headers)], batches
        )
        for entry in entries:
            assert outcomes[(entry["id"], "stored")] == 1
        assert not [key for key in outcomes if key[1] not in ("stored", "duplicate")]
        assert collector.count() == 200
        assert second.count() == 200


def test_collectors_starting_together_on_a_new_database_all_create_it(
    postgres: PostgresServer,
) -> None:
    database = postgres.create_database()
    starts = [
        subprocess.Popen(
            [collector_program(), "--database", database, "add-device", f"till-{n}"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for n in range(6)
    ]
    errors = [process.communicate(timeout=120)[1].decode() for process in starts]
    assert [process.returncode for process in starts] == [0] * 6, errors


def test_revisions_racing_in_any_order_leave_the_newest_current(
    collector: Collector, tmp_path: Path
) -> None:
    with running_collector(
        tmp_path / "second", database=collector.database, device="second-till"
    ) as second:
        originals = [make_entry(text=f"version 1 of {n}") for n in range(40)]
        revisions = [
            entry | {"revision": revision, "text": f"version {revision} of {n}"}
            for n, entry in enumerate(originals)
            for revision in range(1, 6)
        ]
        rng = random.Random(5)  # noqa: S311 - shuffling test data
        shuffled = rng.sample(revisions, len(revisions))
        batches = [shuffled[i : i + 20] for i in range(0, len(shuffled), 20)]
        outcomes = post_all_at_once(
            [(collector.url, collector.headers), (second.url, second.headers)], batches
        )
        assert sum(outcomes.values()) == 200
        assert set(status for _, status in outcomes) == {"stored"}
        current = {entry["id"]: entry for entry in collector.entries()}
        assert {entry["revision"] for entry in current.values()} == {5}
        for n, entry in enumerate(originals):
            assert current[entry["id"]]["text"] == f"version 5 of {n}"
        assert collector.count() == 200


def key(entry: dict[str, Any]) -> str:
    return str(entry["id"])


def test_an_export_in_progress_does_not_hold_back_ingest(collector: Collector) -> None:
    first = [make_entry(text=f"before the export {n}") for n in range(3)]
    answer = requests.post(
        collector.url + ENTRIES_PATH, json=batch(*first), headers=collector.headers, timeout=60
    )
    assert answer.status_code == 200, answer.text
    store = Store.open(collector.database)
    try:
        export = store.current_entries()
        # The export's read transaction is open while it is being iterated.
        seen = [next(export).document]
        later = make_entry(text="sent while the export runs")
        answer = requests.post(
            collector.url + ENTRIES_PATH, json=batch(later), headers=collector.headers, timeout=60
        )
        assert answer.status_code == 200, answer.text
        assert [r.status.value for r in decode_results(answer.content, [later])] == ["stored"]
        # The export still sees the store as it was when it began.
        seen += [stored.document for stored in export]
        assert sorted(seen, key=key) == sorted(first, key=key)
    finally:
        export.close()
        store.close()
    assert collector.count() == 4
