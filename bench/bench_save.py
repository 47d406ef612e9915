"""``Journal.save()`` latency beside a bare ``sqlite3`` insert + commit with the same pragmas.

Three writers take turns, round after round, so the noise of a shared machine falls on all of them
alike:

* ``Journal.save()`` of a new entry, clearing the quick entry's draft in the same transaction, as
  the quick entry window does;
* the baseline: a bare ``sqlite3`` connection (WAL, ``synchronous=FULL``) doing ``BEGIN
  IMMEDIATE``, one ``INSERT`` of the entry's JSON into a two-column table, ``COMMIT``;
* for reference, save's own statements (the same draft delete, revision check, two inserts and
  the full-text trigger) through a bare ``sqlite3`` connection on a journal of the same schema,
  with a draft to clear too and the values computed beforehand: what the SQL alone costs.

Every commit waits for its fsync, the same for all three, so the ratio is about the CPU work
around it.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
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


def _timed(action: Callable[[], object], wall: list[float], cpu: list[float]) -> None:
    """Time one call by the clock and by this thread's CPU time (which an fsync wait is not)."""
    started, started_cpu = time.perf_counter(), time.thread_time()
    action()
    cpu.append(time.thread_time() - started_cpu)
    wall.append(time.perf_counter() - started)


def _bare_insert(connection: sqlite3.Connection, payload: str) -> None:
    connection.execute("BEGIN IMMEDIATE")
    connection.execute("INSERT INTO t(payload) VALUES (?)", (payload,))
    connection.execute("COMMIT")


def run(size: str, workdir: Path) -> list[Figure]:
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
    saves_cpu: list[float] = []
    bares_cpu: list[float] = []
    raws_cpu: list[float] = []
    try:
        for _ in range(rounds):
            batch = _entries(journal, per_round)
            payloads = [json.dumps(to_dict(entry), ensure_ascii=False) for entry in batch]
            for entry, payload in zip(batch, payloads, strict=True):
                journal.save_draft(DRAFT, {"text": entry.text})
                _timed(partial(journal.save, entry, clear_draft=DRAFT), saves, saves_cpu)
                _timed(partial(_bare_insert, baseline, payload), bares, bares_cpu)
                saved_at = _when(datetime.now(UTC))
                # The same draft to clear as save() has (typed words, saved a moment before).
                reference.execute(
                    "INSERT OR REPLACE INTO drafts(name, payload, saved_at) VALUES (?, ?, ?)",
                    (DRAFT, json.dumps({"text": entry.text}), saved_at),
                )
                _timed(partial(_raw_save, reference, entry, payload, saved_at), raws, raws_cpu)
        stored = journal.count()
    finally:
        journal.close()
        reference.close()
        baseline.close()
    if stored != rounds * per_round:
        raise RuntimeError(f"saved {rounds * per_round} entries but the journal holds {stored}")

    notes = f"{rounds} rounds of {per_round} saves, each beside a bare insert"
    bare_name = "bare sqlite3 insert + commit"
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
                baseline_name=bare_name,
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
    cpu, base_cpu = ms(median(saves_cpu)), ms(median(bares_cpu))
    figures.append(
        Figure(
            name="save() CPU time, median",
            unit="ms",
            value=cpu,
            baseline=base_cpu,
            baseline_name=f"{bare_name}, CPU time",
            ratio=ratio(cpu, base_cpu),
            p95=ms(percentile(saves_cpu, 95)),
            p99=ms(percentile(saves_cpu, 99)),
            runs=len(saves_cpu),
            notes="the calling thread's CPU time: the overhead itself, whatever the disk's fsync",
        )
    )
    for name, wall, spent in (("", raws, False), (" CPU time", raws_cpu, True)):
        raw = ms(median(wall))
        base = ms(median(bares_cpu if spent else bares))
        figures.append(
            Figure(
                name=f"save()'s SQL through bare sqlite3,{name} median",
                unit="ms",
                value=raw,
                baseline=base,
                baseline_name=bare_name + (", CPU time" if spent else ""),
                ratio=ratio(raw, base),
                p95=ms(percentile(wall, 95)),
                p99=ms(percentile(wall, 99)),
                runs=len(wall),
                notes="reference: the floor for save() (its statements, values computed before)",
            )
        )
    return figures
