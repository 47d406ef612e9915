"""The sender against the real collector (``earshot-collector serve`` on loopback, SQLite)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from earshot.core.entry import EntryInput, SyncState
from earshot.core.journal import Journal
from earshot_sync.client import CollectorClient
from earshot_sync.credentials import Token
from earshot_sync.sender import Outcome, Sender
from earshot_sync.transport import make_session
from tests.collector_server import Collector, running_collector
from tests.sync.conftest import Recorder, fill, quick_backoff, states


@pytest.fixture
def small_collector(tmp_path: Path) -> Iterator[Collector]:
    with running_collector(tmp_path / "collector", max_entries=7, max_bytes=8192) as collector:
        yield collector


def sender_for(journal: Journal, collector: Collector, hooks: Recorder | None = None) -> Sender:
    client = CollectorClient(collector.url, Token(collector.token), make_session(), (5, 30))
    return Sender(journal, client, hooks, quick_backoff())


def test_batches_follow_the_collectors_limits_and_each_entry_lands_once(
    journal: Journal, small_collector: Collector
) -> None:
    fill(journal, 30, text="x" * 900)  # ~8 fit in 8 KiB, but only 7 per batch are allowed

    result = sender_for(journal, small_collector).run()

    assert result.outcome is Outcome.DONE
    assert result.acknowledged == 30
    assert states(journal) == {SyncState.SENT: 30}
    assert small_collector.count() == 30


def test_an_entry_too_big_for_the_collector_needs_attention_and_the_rest_go(
    journal: Journal, small_collector: Collector
) -> None:
    fill(journal, 3)
    big = journal.record(EntryInput(text="word " * 1900, kind="complaint"), site="Shop 1")
    fill(journal, 3)

    result = sender_for(journal, small_collector).run()

    assert result.outcome is Outcome.DONE
    assert states(journal) == {SyncState.SENT: 6, SyncState.NEEDS_ATTENTION: 1}
    stored = journal.require(big.id)
    assert stored.sync_state is SyncState.NEEDS_ATTENTION
    assert "too large" in (stored.sync_note or "")
    assert small_collector.count() == 6


def test_sending_again_is_a_duplicate_not_a_second_row(
    journal: Journal, small_collector: Collector
) -> None:
    fill(journal, 5)
    sender_for(journal, small_collector).run()
    # As if the marks had been lost in a crash: every entry is back in the queue.
    with sqlite3.connect(journal.path) as connection:
        connection.execute("UPDATE entries SET sync_state = 'queued'")
    connection.close()

    result = sender_for(journal, small_collector).run()

    assert result.acknowledged == 5
    assert states(journal) == {SyncState.SENT: 5}
    assert small_collector.count() == 5


def test_edits_and_deletions_reach_the_collector_as_new_revisions(
    journal: Journal, small_collector: Collector
) -> None:
    fill(journal, 2)
    sender_for(journal, small_collector).run()
    first, second = (stored.entry for stored in journal.iter_entries())
    journal.edit(first.id, EntryInput(text="said better", kind="praise"))
    journal.delete(second.id)

    sender_for(journal, small_collector).run()

    assert states(journal) == {SyncState.SENT: 2}
    assert small_collector.count() == 4
    current = {doc["id"]: doc for doc in small_collector.entries(include_deleted=True)}
    assert current[str(first.id)]["text"] == "said better"
    assert current[str(second.id)]["deleted"] is True


def test_a_revoked_device_stops_with_everything_queued(
    journal: Journal, small_collector: Collector
) -> None:
    fill(journal, 3)
    small_collector.revoke_device("test-device")
    hooks = Recorder()

    result = sender_for(journal, small_collector, hooks).run()

    assert result.outcome is Outcome.TOKEN_REFUSED
    assert states(journal) == {SyncState.QUEUED: 3}
    assert "the device token was refused" in hooks.states[-1][1]


def test_a_collector_that_goes_away_and_comes_back(
    journal: Journal, small_collector: Collector
) -> None:
    fill(journal, 10)
    small_collector.kill()

    down = sender_for(journal, small_collector).run(once=True)
    assert down.outcome is Outcome.RETRY
    assert states(journal) == {SyncState.QUEUED: 10}

    small_collector.restart()
    assert sender_for(journal, small_collector).run().outcome is Outcome.DONE
    assert small_collector.count() == 10
