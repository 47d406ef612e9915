"""Collector ingest with 20 devices sending at once, on SQLite and on PostgreSQL.

Each device has its own token and its own thread with a ``requests`` session, and posts its own
entries in batches of 500, serialized beforehand, all devices starting together. The figure is
the entries stored per second of wall time, from the first request to the last answer. The
stores are durable as in production: SQLite in WAL with ``synchronous=FULL``, PostgreSQL with
fsync on.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import requests
from tests.collector.conftest import make_entry
from tests.collector_server import Collector, running_collector, start_postgres

from bench.figures import Figure, median
from earshot_sync.protocol import ENTRIES_PATH

DEVICES = 20
BATCH = 500
SIZES = {"full": (2_500, 3), "small": (25, 1)}  # entries per device, rounds


@contextlib.contextmanager
def _databases(store: str) -> Iterator[Callable[[], str | None]]:
    """A maker of fresh, empty databases: SQLite in the collector's folder, or PostgreSQL."""
    if store == "SQLite":
        yield lambda: None
        return
    server = start_postgres(durable=True)
    try:
        yield server.create_database
    finally:
        server.stop()


def _device_bodies(device: int, per_device: int) -> list[bytes]:
    sent_at = datetime.now(UTC).isoformat()
    entries = [
        make_entry(device_id=f"pc-{device}", text=f"Customer said thing number {n}.")
        for n in range(per_device)
    ]
    return [
        json.dumps({"sent_at": sent_at, "entries": entries[i : i + BATCH]}).encode()
        for i in range(0, per_device, BATCH)
    ]


def _ingest(collector: Collector, per_device: int) -> float:
    """Entries/s of ``DEVICES`` devices posting ``per_device`` entries each, all at once."""
    tokens = [collector.add_device(f"bench-{n}") for n in range(DEVICES)]
    bodies = [_device_bodies(n, per_device) for n in range(DEVICES)]
    start = threading.Barrier(DEVICES + 1)
    failures: list[str] = []

    def device(token: str, requests_to_send: list[bytes]) -> None:
        with requests.Session() as session:
            session.headers["Authorization"] = f"Bearer {token}"
            session.headers["Content-Type"] = "application/json"
            start.wait()
            for body in requests_to_send:
                answer = session.post(collector.url + ENTRIES_PATH, data=body, timeout=600)
                if answer.status_code != 200:
                    failures.append(f"the collector answered {answer.status_code}")
                    return

    threads = [
        threading.Thread(target=device, args=(token, body))
        for token, body in zip(tokens, bodies, strict=True)
    ]
    for thread in threads:
        thread.start()
    start.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(failures[0])
    return DEVICES * per_device / elapsed


def run(size: str, workdir: Path) -> list[Figure]:
    per_device, rounds = SIZES[size]
    figures = []
    for store in ("SQLite", "PostgreSQL"):
        rates = []
        with _databases(store) as fresh:
            for number in range(rounds):
                folder = workdir / f"{store}-{number}"
                with running_collector(folder, database=fresh()) as collector:
                    rates.append(_ingest(collector, per_device))
                    held = collector.count()
                if held != DEVICES * per_device:
                    raise RuntimeError(f"{store}: sent {DEVICES * per_device}, stored {held}")
        durable = "WAL, synchronous=FULL" if store == "SQLite" else "fsync on"
        figures.append(
            Figure(
                name=f"collector ingest, {DEVICES} devices at once, {store}",
                unit="entries/s",
                value=median(rates),
                runs=rounds,
                notes=(
                    f"{store} ({durable}); {per_device:,} entries per device in batches of "
                    f"{BATCH}; rounds: {', '.join(f'{r:,.0f}' for r in rates)}"
                ),
            )
        )
    return figures
