"""``Journal.save()`` latency beside a bare ``sqlite3`` insert + commit with the same pragmas.

Three writers take turns, round after round, so the noise of a shared machine falls on all of them
alike:

* ``Journal.save()`` of a new entry, clearing the quick entry's draft in the same transaction, as
  the quick entry window does;
* the baseline: a bare ``sqlite3`` connection (WAL, ``synchronous=FULL``) doing ``BEGIN
  IMMEDIATE``, one ``INSERT`` of the entry's JSON into a two-column table, ``COMMIT``;
* for reference, save's own statements (the same draft delete, revision check, two inserts and
  the full-text trigger) through a bare ``sqlite3`` connection on a journal of the same schema,
  with the values computed beforehand: what the SQL alone costs.

Every commit waits for its fsync, the same for all three, so the ratio is about the CPU work
around it.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from bench.figures import Figure, median, ms, percentile, ratio
from earshot.core.codec import to_dict
from earshot.core.entry import Entry, EntryInput, SyncState, new_entry
from earshot.core.journal import Journal

DRAFT = "quick-entry"
AIM = 2.0


def _bare(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = FULL")
    return connection


def _entries(journal: Journal, count: int) -> list[Entry]:
    typed = EntryInput(
        text="Customer asked whether the blue kettle comes back in stock before Christmas.",
        kind="question",
        station="counter",
        staff="Ana",
        tags="stock, kettles",
    )
    return [new_entry(typed, device_id=journal.device_id, site="Main site") for _ in range(count)]


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _raw_save(connection: sqlite3.Connection, entry: Entry, payload: str, saved_at: str) -> None:
    """save()'s statements for a first revision, through the bare driver."""
    connection.execute("BEGIN IMMEDIATE")
    connection.execute("DELETE FROM drafts WHERE name = ?", (DRAFT,))
    connection.execute("SELECT revision FROM entries WHERE uuid = ?", (str(entry.id),)).fetchone()
    revision_id = connection.execute(
        "INSERT INTO revisions(uuid, revision, payload, saved_at) VALUES (?, ?, ?, ?)",
        (str(entry.id), 1, payload, saved_at),
    ).lastrowid
    connection.execute(
        "INSERT INTO entries(uuid, revision, created_at, utc_offset_minutes, device_id, site, "
        "station, staff, kind, sentiment, text, tags, contact, follow_up, deleted, revised_at, "
        "sync_state, sync_note, outbox_order) "
        "VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?, NULL, ?)",
        (
            str(entry.id),
            _when(entry.created_at),
            entry.utc_offset_minutes,
            entry.device_id,
            entry.site,
            entry.station,
            entry.staff,
            entry.kind.value,
            entry.sentiment.value if entry.sentiment else None,
            entry.text,
            json.dumps(list(entry.tags)),
            entry.contact,
            _when(entry.revised_at),
            SyncState.QUEUED.value,
            revision_id,
        ),
    )
    connection.execute("COMMIT")


def run(size: str, workdir: Path) -> list[Figure]:
    from time import perf_counter

    rounds, per_round = (7, 300) if size == "full" else (1, 20)
    journal = Journal.open(workdir / "journal.sqlite3")
    # The reference journal: same schema (migrated by Journal.open), written by the bare driver.
    Journal.open(workdir / "reference.sqlite3").close()
    reference = _bare(workdir / "reference.sqlite3")
    baseline = _bare(workdir / "bare.sqlite3")
    baseline.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)")
    saves: list[float] = []
    bares: list[float] = []
    raws: list[float] = []
    try:
        for _ in range(rounds):
            batch = _entries(journal, per_round)
            payloads = [json.dumps(to_dict(entry), ensure_ascii=False) for entry in batch]
            for entry, payload in zip(batch, payloads, strict=True):
                journal.save_draft(DRAFT, {"text": entry.text})
                started = perf_counter()
                journal.save(entry, clear_draft=DRAFT)
                saves.append(perf_counter() - started)

                started = perf_counter()
                baseline.execute("BEGIN IMMEDIATE")
                baseline.execute("INSERT INTO t(payload) VALUES (?)", (payload,))
                baseline.execute("COMMIT")
                bares.append(perf_counter() - started)

                saved_at = _when(datetime.now(UTC))
                started = perf_counter()
                _raw_save(reference, entry, payload, saved_at)
                raws.append(perf_counter() - started)
        stored = journal.count()
    finally:
        journal.close()
        reference.close()
        baseline.close()
    if stored != rounds * per_round:
        raise RuntimeError(f"saved {rounds * per_round} entries but the journal holds {stored}")

    notes = f"{rounds} rounds of {per_round} saves, each beside a bare insert"
    figures = []
    for label, pct in (("median", None), ("p99", 99.0)):
        value = ms(median(saves) if pct is None else percentile(saves, pct))
        base = ms(median(bares) if pct is None else percentile(bares, pct))
        figures.append(
            Figure(
                name=f"save() {label}",
                unit="ms",
                value=value,
                baseline=base,
                baseline_name="bare sqlite3 insert + commit",
                ratio=ratio(value, base),
                aim=f"≤ {AIM:g}× baseline",
                met=ratio(value, base) <= AIM,
                median=ms(median(saves)),
                p95=ms(percentile(saves, 95)),
                p99=ms(percentile(saves, 99)),
                runs=len(saves),
                notes=notes,
            )
        )
    raw = ms(median(raws))
    base = ms(median(bares))
    figures.append(
        Figure(
            name="save()'s SQL through bare sqlite3, median",
            unit="ms",
            value=raw,
            baseline=base,
            baseline_name="bare sqlite3 insert + commit",
            ratio=ratio(raw, base),
            p95=ms(percentile(raws, 95)),
            p99=ms(percentile(raws, 99)),
            runs=len(raws),
            notes="reference: the floor for save() (its statements, values computed beforehand)",
        )
    )
    return figures
