"""Migration 0002 on a store made by migration 0001 with entries in it: the new columns, tags
and search index are back-filled from the stored documents, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from alembic import command
from sqlalchemy import create_engine, text

from earshot_sync.collector import migrate
from earshot_sync.collector.reading import FeedFilter, Reader
from earshot_sync.collector.store import Device, Store

RECEIVED = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def old_document(**changes: Any) -> dict[str, Any]:
    """A document as collectors before 0002 stored it: no idea, no anonymous."""
    document: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "revision": 1,
        "created_at": "2026-10-30T08:15:00+01:00",
        "utc_offset_minutes": 60,
        "device_id": "pc-1",
        "site": "Berlin",
        "station": "counter",
        "staff": "Ana",
        "kind": "complaint",
        "sentiment": "negative",
        "text": "The card reader failed twice",
        "tags": ["Payment", "payment", "card"],
        "contact": None,
        "follow_up": False,
        "deleted": False,
        "revised_at": "2026-10-30T08:15:00+01:00",
    }
    document.update(changes)
    return document


def make_0001_store(url: str, revisions: list[dict[str, Any]]) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            command.upgrade(migrate.MIGRATIONS._config(connection), "0001")
            assert migrate.current(connection) == "0001"
            newest: dict[str, dict[str, Any]] = {}
            for document in revisions:
                raw = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
                row = {
                    "entry_id": document["id"],
                    "revision": document["revision"],
                    "document": raw,
                    "device_name": "till-1",
                    "received_at": RECEIVED.replace(tzinfo=None)
                    if url.startswith("sqlite")
                    else RECEIVED,
                }
                connection.execute(
                    text(
                        "INSERT INTO revisions VALUES "
                        "(:entry_id, :revision, 'digest', :document, :device_name, :received_at)"
                    ),
                    row,
                )
                if document["revision"] >= newest.get(document["id"], {}).get("revision", 0):
                    newest[document["id"]] = document | {"_row": row}
            for document in newest.values():
                row = document["_row"]
                connection.execute(
                    text(
                        "INSERT INTO current VALUES (:entry_id, :revision, :deleted, :document, "
                        ":device_name, :received_at)"
                    ),
                    row | {"deleted": document["deleted"]},
                )
    finally:
        engine.dispose()


def test_a_0001_store_reads_the_same_after_0002(database: str) -> None:
    plain = old_document()
    revised = old_document(text="First words", tags=["old"])
    revised_2 = revised | {"revision": 2, "text": "Second words", "tags": ["New"]}
    gone = old_document(text="Soon deleted words")
    gone_2 = gone | {"revision": 2, "deleted": True}
    odd = old_document(
        site="S" * 300,
        staff=None,
        utc_offset_minutes=99_999_999,
        sentiment=None,
        kind="suggestion",
        text="Ünïcödé 😀 صف and a \\ backslash",
        tags=["t" * 500, ""],
        follow_up=True,
        contact="0170 000",
        created_at="2026-10-31T23:59:59.999999-09:30",
    )
    make_0001_store(database, [plain, revised, revised_2, gone, gone_2, odd])

    store = Store.open(database)  # migrates to the head
    try:
        engine = create_engine(database)
        with engine.connect() as connection:
            assert migrate.current(connection) == migrate.SCHEMA_HEAD
        engine.dispose()
        # The documents are untouched.
        documents = {e.document["id"]: e.document for e in store.current_entries()}
        assert documents == {d["id"]: d for d in (plain, revised_2, odd)}

        reader = Reader(store)
        items = {item.entry_id: item for item in reader.feed(FeedFilter()).items}
        assert set(items) == {plain["id"], revised["id"], odd["id"]}
        first = items[plain["id"]]
        assert first.created_at == datetime(2026, 10, 30, 7, 15, tzinfo=UTC)
        assert (first.site, first.station, first.staff, first.kind) == (
            "Berlin",
            "counter",
            "Ana",
            "complaint",
        )
        assert first.idea is None
        assert first.anonymous is False
        assert first.tags == ("Payment", "payment", "card")
        assert first.device_name == "till-1"
        assert first.received_at == RECEIVED
        assert items[revised["id"]].revision == 2
        assert items[revised["id"]].text == "Second words"
        strange = items[odd["id"]]
        assert strange.site == "S" * 200  # the column is cut; the document keeps it all
        assert strange.utc_offset_minutes == 24 * 60
        assert strange.created_at == datetime(2026, 11, 1, 9, 29, 59, 999999, tzinfo=UTC)
        assert strange.follow_up_state == "open"

        def found(**options: Any) -> set[str]:
            return {item.entry_id for item in reader.feed(FeedFilter(**options)).items}

        assert found(search="card reader") == {plain["id"]}
        assert found(search="second") == {revised["id"]}
        assert found(search="first") == set()
        assert found(search="soon deleted") == set()
        assert found(search="unicode") | found(search="Ünïcödé") == {odd["id"]}
        assert found(tag="payment") == {plain["id"]}
        assert found(tag="new") == {revised["id"]}
        assert found(tag="old") == set()
        assert found(tag="t" * 100) == {odd["id"]}
        assert found(sites=("S" * 300,)) == {odd["id"]}
        assert found(needs_follow_up=True) == {odd["id"]}
        assert reader.choices().sites == ("Berlin", "S" * 200)

        # Ingest goes on from there: a new revision of a migrated entry replaces its search
        # words and tags (SQLite's index reads the old words to forget them).
        store.ingest(
            [plain | {"revision": 2, "text": "The till froze", "tags": ["till"]}],
            Device(1, "till-1", RECEIVED, None, None, None),
            RECEIVED + timedelta(days=1),
            0.0,
        )
        assert found(search="card") == set()
        assert found(search="froze") == {plain["id"]}
        assert found(tag="payment") == set()
        assert found(tag="till") == {plain["id"]}
    finally:
        store.close()


def test_0002_leaves_deleted_entries_out_of_sqlites_search_index(tmp_path: Any) -> None:
    # The triggers only ever forget rows they consider indexed (not deleted): a deleted entry
    # put into the index by the migration would keep its words there for good.
    url = f"sqlite:///{tmp_path / 'store.db'}"
    live = old_document(text="Plain words")
    gone = old_document(text="Soon deleted words")
    make_0001_store(url, [live, gone, gone | {"revision": 2, "deleted": True}])
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            command.upgrade(migrate.MIGRATIONS._config(connection), "0002")
            assert migrate.current(connection) == "0002"

            def indexed(word: str) -> int:
                return len(
                    connection.execute(
                        text("SELECT rowid FROM current_search WHERE current_search MATCH :w"),
                        {"w": word},
                    ).all()
                )

            assert indexed("plain") == 1
            assert indexed("soon") == 0
            assert indexed("words") == 1
            connection.execute(
                text("INSERT INTO current_search(current_search) VALUES ('integrity-check')")
            )
    finally:
        engine.dispose()
