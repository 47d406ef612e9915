"""Migration 0003 on a store already at 0002: SQLite's search index repaired (a 0002 that
indexed deleted entries), the open call-back marker back-filled, the filters' indexes made; on
SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic import command
from sqlalchemy import create_engine, inspect, text

from earshot_sync.collector import migrate
from earshot_sync.collector.reading import FeedFilter, Reader
from earshot_sync.collector.store import Device, Store
from tests.collector.test_migration_0002 import RECEIVED, make_0001_store, old_document


def test_a_0002_store_gets_a_clean_search_index_the_queue_marker_and_indexes(
    database: str,
) -> None:
    live = old_document(text="Plain words", tags=["wallet"])
    gone = old_document(text="Soon deleted words")
    asks = old_document(text="Call me", follow_up=True, contact="0170")
    settled = old_document(text="Call me too", follow_up=True, contact="0171")
    asked_then_gone = old_document(text="Never mind", follow_up=True, contact="0172")
    make_0001_store(
        database,
        [
            live,
            gone,
            gone | {"revision": 2, "deleted": True},
            asks,
            settled,
            asked_then_gone,
            asked_then_gone | {"revision": 2, "deleted": True},
        ],
    )
    sqlite = database.startswith("sqlite")
    engine = create_engine(database)
    try:
        with engine.begin() as connection:
            command.upgrade(migrate.MIGRATIONS._config(connection), "0002")
            if sqlite:
                # What 0002 did before its fix: every row indexed, deleted ones too.
                connection.execute(
                    text("INSERT INTO current_search(current_search) VALUES ('rebuild')")
                )
            connection.execute(
                text("INSERT INTO follow_ups VALUES (:id, 'resolved', :at, 'ana')"),
                {"id": settled["id"], "at": RECEIVED.replace(tzinfo=None) if sqlite else RECEIVED},
            )
    finally:
        engine.dispose()

    store = Store.open(database)  # migrates to the head
    try:
        engine = create_engine(database)
        with engine.connect() as connection:
            assert migrate.current(connection) == migrate.SCHEMA_HEAD
            indexes = {
                tuple(index["column_names"])
                for table in ("current", "entry_tags")
                for index in inspect(connection).get_indexes(table)
            }
            assert ("station", "created_at", "entry_id") in indexes
            assert ("kind", "created_at", "entry_id") in indexes
            assert ("tag", "created_at", "entry_id") in indexes
            assert ("open_follow_up", "created_at", "entry_id") in indexes
        engine.dispose()

        reader = Reader(store)
        assert [item.entry_id for item in reader.follow_up_queue(FeedFilter()).items] == [
            asks["id"]
        ]

        def found(search: str) -> set[str]:
            return {item.entry_id for item in reader.feed(FeedFilter(search=search)).items}

        assert found("soon") == set()
        # The deleted entry comes back with other words: its old words match nothing, and the
        # index is sound.
        store.ingest(
            [gone | {"revision": 3, "deleted": False, "text": "Back again"}],
            Device(1, "till-1", RECEIVED, None, None, None),
            RECEIVED + timedelta(days=1),
            0.0,
        )
        assert found("back") == {gone["id"]}
        assert found("soon") == set()
        assert found("words") == {live["id"]}
        assert found("wallet") == {live["id"]}
        if sqlite:
            with store.write() as connection:
                connection.execute(
                    text("INSERT INTO current_search(current_search) VALUES ('integrity-check')")
                )
        # Ingest keeps the marker: a new revision of the resolved one stays out of the queue.
        store.ingest(
            [settled | {"revision": 2, "text": "Call me later"}],
            Device(1, "till-1", RECEIVED, None, None, None),
            datetime(2026, 11, 3, tzinfo=UTC),
            0.0,
        )
        assert [item.entry_id for item in reader.follow_up_queue(FeedFilter()).items] == [
            asks["id"]
        ]
    finally:
        store.close()
