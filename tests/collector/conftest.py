"""Fixtures for the collector's tests: one PostgreSQL server per session, a store per test.

Tests that take ``database`` run twice, against SQLite and against the real PostgreSQL server.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.collector_server import Collector, PostgresServer, running_collector, start_postgres
from tests.wire import make_entry

__all__ = ["batch", "make_entry"]  # the collector tests import both from here


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


def batch(*entries: dict[str, Any], sent_at: datetime | None = None) -> dict[str, Any]:
    return {"sent_at": (sent_at or datetime.now(UTC)).isoformat(), "entries": list(entries)}
