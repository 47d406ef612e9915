"""Marking a call-back (FollowUps), on entries posted to the real collector over HTTP, on
SQLite and PostgreSQL: the state, its history with names, the queue's marker, and the marks
that are refused. What is marked is read back through the Reader."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from earshot_sync.collector.follow_ups import BadFollowUp, FollowUps, UnknownEntry
from earshot_sync.collector.reading import FeedFilter, Reader
from earshot_sync.collector.store import Store
from tests.collector.conftest import make_entry
from tests.collector.test_reading import at, ids, post
from tests.collector_server import Collector


@pytest.fixture
def store(collector: Collector) -> Iterator[Store]:
    store = Store.open(collector.database)
    yield store
    store.close()


@pytest.fixture
def reader(store: Store) -> Reader:
    return Reader(store)


@pytest.fixture
def follow_ups(store: Store) -> FollowUps:
    return FollowUps(store)


def test_follow_ups_queue_oldest_first_and_marks_keep_their_history(
    collector: Collector, reader: Reader, follow_ups: FollowUps
) -> None:
    asks = [make_entry(created_at=at(n), follow_up=True, contact=f"0{n}") for n in range(3)]
    quiet = make_entry(created_at=at(5), follow_up=False)
    post(collector, *asks, quiet)
    queue = reader.follow_up_queue(FeedFilter(), limit=2)
    assert ids(queue.items) == [asks[0]["id"], asks[1]["id"]]
    assert queue.next_cursor is not None
    rest = reader.follow_up_queue(FeedFilter(), after=queue.next_cursor, limit=2)
    assert ids(rest.items) == [asks[2]["id"]]
    assert rest.next_cursor is None

    now = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    follow_ups.mark(asks[0]["id"], "contacted", "  Left a voicemail  ", "ana", now)
    item = reader.feed(FeedFilter(needs_follow_up=True)).items[-1]
    assert (item.entry_id, item.follow_up_state) == (asks[0]["id"], "contacted")
    follow_ups.mark(asks[0]["id"], "resolved", "Called back, sorted", "ben", now)
    assert ids(reader.follow_up_queue(FeedFilter()).items) == [asks[1]["id"], asks[2]["id"]]
    assert set(ids(reader.feed(FeedFilter(needs_follow_up=True)).items)) == {
        asks[1]["id"],
        asks[2]["id"],
    }
    detail = reader.entry(asks[0]["id"])
    assert detail is not None
    assert detail.item.follow_up_state == "resolved"
    assert [(e.state, e.note, e.viewer_name) for e in detail.events] == [
        ("contacted", "Left a voicemail", "ana"),
        ("resolved", "Called back, sorted", "ben"),
    ]
    assert detail.events[0].at == now

    with pytest.raises(BadFollowUp):
        follow_ups.mark(asks[1]["id"], "done", "", "ana", now)
    with pytest.raises(BadFollowUp):
        follow_ups.mark(quiet["id"], "contacted", "", "ana", now)
    with pytest.raises(BadFollowUp):
        follow_ups.mark(asks[1]["id"], "contacted", "x" * 2001, "ana", now)
    with pytest.raises(BadFollowUp):
        follow_ups.mark(asks[1]["id"], "contacted", "a\x00b", "ana", now)
    with pytest.raises(UnknownEntry):
        follow_ups.mark(str(uuid.uuid4()), "contacted", "", "ana", now)
    # A follow-up the entry no longer asks for (a newer revision) leaves the queue.
    post(collector, asks[1] | {"revision": 2, "follow_up": False})
    assert ids(reader.follow_up_queue(FeedFilter()).items) == [asks[2]["id"]]


def test_a_resolved_call_back_stays_out_of_the_queue_when_its_entry_is_revised(
    collector: Collector, reader: Reader, follow_ups: FollowUps
) -> None:
    asks = make_entry(created_at=at(1), follow_up=True, contact="0170")
    other = make_entry(created_at=at(2), follow_up=True, contact="0171")
    gone = make_entry(created_at=at(3), follow_up=True, contact="0172")
    post(collector, asks, other, gone)
    now = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    follow_ups.mark(asks["id"], "resolved", "Sorted", "ana", now)
    post(
        collector,
        asks | {"revision": 2, "text": "Typo fixed"},
        gone | {"revision": 2, "deleted": True},
    )
    assert ids(reader.follow_up_queue(FeedFilter()).items) == [other["id"]]
    assert ids(reader.feed(FeedFilter(needs_follow_up=True)).items) == [other["id"]]
    item = reader.entry(asks["id"])
    assert item is not None
    assert item.item.follow_up_state == "resolved"
    # Reopened by a viewer: back in the queue; a revision that no longer asks: out again.
    follow_ups.mark(asks["id"], "contacted", "Called again", "ben", now)
    assert ids(reader.follow_up_queue(FeedFilter()).items) == [asks["id"], other["id"]]
    post(collector, other | {"revision": 2, "follow_up": False})
    assert ids(reader.follow_up_queue(FeedFilter()).items) == [asks["id"]]
