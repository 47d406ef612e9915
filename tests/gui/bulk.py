"""Fill a real journal file fast: many entries in one SQLite transaction, for the log's tests.

``Journal.save`` commits (and fsyncs) once per entry, which is right for people and far too slow
for 50,000 rows. This writes the same rows (the newest revision, its revision record and its
place in the outbox) straight into the journal's file, in one transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from earshot.core.codec import to_dict
from earshot.core.entry import Entry, EntryInput, SyncState, new_entry
from earshot.core.journal import Journal

_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
START = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(_FORMAT)


def make_entries(journal: Journal, count: int, start: datetime = START) -> list[Entry]:
    """``count`` valid entries a minute apart, the first the oldest; words "entry number N"."""
    kinds = ("praise", "complaint", "suggestion", "question", "other")
    stations = ("counter", "warehouse", "phone", "delivery", "other")
    return [
        new_entry(
            EntryInput(
                text=f"entry number {number}",
                kind=kinds[number % 5],
                station=stations[number % 5],
                staff="Ana" if number % 2 else "Bo",
            ),
            device_id=journal.device_id,
            site="Main site",
            now=start + timedelta(minutes=number),
        )
        for number in range(count)
    ]


def insert(journal: Journal, entries: Iterable[Entry], state: SyncState = SyncState.QUEUED) -> None:
    """Store first revisions of ``entries`` in one transaction of the journal's own file."""
    connection = sqlite3.connect(journal.path, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        (last,) = connection.execute("SELECT coalesce(max(id), 0) FROM revisions").fetchone()
        revisions = []
        rows = []
        for number, entry in enumerate(entries, start=last + 1):
            revisions.append(
                (number, str(entry.id), 1, json.dumps(to_dict(entry)), _when(entry.revised_at))
            )
            rows.append(
                (
                    str(entry.id),
                    _when(entry.created_at),
                    entry.utc_offset_minutes,
                    entry.device_id,
                    entry.site,
                    entry.station,
                    entry.staff,
                    entry.kind.value,
                    entry.text,
                    json.dumps(list(entry.tags)),
                    _when(entry.revised_at),
                    state.value,
                    number,
                )
            )
        connection.executemany(
            "INSERT INTO revisions(id, uuid, revision, payload, saved_at) VALUES (?, ?, ?, ?, ?)",
            revisions,
        )
        connection.executemany(
            "INSERT INTO entries(uuid, revision, created_at, utc_offset_minutes, device_id, "
            "site, station, staff, kind, sentiment, text, tags, contact, follow_up, deleted, "
            "revised_at, sync_state, sync_note, outbox_order) "
            "VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, NULL, 0, 0, ?, ?, NULL, ?)",
            rows,
        )
        connection.execute("COMMIT")
    finally:
        connection.close()
