"""Ingest rate of the real collector: a bare ``requests`` loop posting 500-entry batches.

Not a test (tests never assert timings). Run::

    .venv/bin/python -m tests.collector.bench_ingest [--entries 20000] [--postgres]
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import requests

from earshot_sync.protocol import ENTRIES_PATH, decode_results
from tests.collector.conftest import batch, make_entry
from tests.collector_server import running_collector, start_postgres


@contextlib.contextmanager
def database(postgres: bool) -> Iterator[str | None]:
    if not postgres:
        yield None
        return
    server = start_postgres(durable=True)
    try:
        yield server.create_database()
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    entries = [make_entry(text=f"Customer said thing number {n}.") for n in range(args.entries)]
    batches = [entries[i : i + args.batch] for i in range(0, len(entries), args.batch)]
    with (
        tempfile.TemporaryDirectory() as folder,
        database(args.postgres) as url,
        running_collector(Path(folder) / "c", database=url) as collector,
        requests.Session() as session,
    ):
        session.headers.update(collector.headers)
        started = time.perf_counter()
        for chunk in batches:
            answer = session.post(collector.url + ENTRIES_PATH, json=batch(*chunk), timeout=120)
            assert answer.status_code == 200, answer.text
            assert all(r.status == "stored" for r in decode_results(answer.content, chunk))
        elapsed = time.perf_counter() - started
        assert collector.count() == len(entries)
        store = "PostgreSQL (fsync on)" if args.postgres else "SQLite (WAL, synchronous=FULL)"
        print(
            f"{len(entries)} entries in {len(batches)} batches of {args.batch} to {store}: "
            f"{elapsed:.1f} s, {len(entries) / elapsed:,.0f} entries/s"
        )


if __name__ == "__main__":
    main()
