"""Fixtures for the collector's tests: one PostgreSQL server per session, a store per test.

Tests that take ``database`` run twice, against SQLite and against the real PostgreSQL server.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.collector_server import Collector, PostgresServer, running_collector, start_postgres


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    server = start_postgres()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty store's URL: SQLite in this test's folder, or a new PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite3'}"
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.create_database()


@pytest.fixture
def collector(tmp_path: Path, database: str) -> Iterator[Collector]:
    """The real ``earshot-collector serve`` on loopback, with a device token, on each store."""
    with running_collector(tmp_path / "collector", database=database) as running:
        yield running


def make_entry(**changes: Any) -> dict[str, Any]:
    """A valid wire entry (a new id each time) with ``changes`` applied."""
    now = datetime.now(UTC).isoformat()
    entry: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "revision": 1,
        "created_at": now,
        "utc_offset_minutes": 60,
        "device_id": "pc-7",
        "site": "Berlin Mitte",
        "station": "counter",
        "staff": "Ana",
        "kind": "complaint",
        "sentiment": "negative",
        "text": "The queue was far too long at lunchtime.",
        "tags": ["queue"],
        "contact": None,
        "follow_up": False,
        "deleted": False,
        "revised_at": now,
    }
    entry.update(changes)
    return entry


def batch(*entries: dict[str, Any], sent_at: datetime | None = None) -> dict[str, Any]:
    return {"sent_at": (sent_at or datetime.now(UTC)).isoformat(), "entries": list(entries)}
