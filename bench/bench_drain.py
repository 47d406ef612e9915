"""Draining queued entries to a loopback collector (SQLite), beside two bare ``requests`` loops.

Each round starts a fresh collector and, against it:

* ``earshot sync`` (the real command, as a user or the tray runs it) drains a journal holding
  ``count`` queued first revisions: claim, pack, post, mark, all of it;
* the baseline: a bare ``requests`` loop posts other entries of the same shape, packed into the
  same batches the sender makes (the collector's limits, ``sender.pack``), serialized and
  gzipped as the sender does, all beforehand, checking only the status code: the collector's
  own speed, with no sender around it;
* a naive sender: one entry per request, on a sample (posting 100,000 that way would take the
  whole run), its rate extrapolated.

The two big ones swap order from round to round, so neither always meets the fuller table.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests
from tests.collector_server import Collector, running_collector
from tests.gui.bulk import insert, make_entries

from bench.figures import Figure, median, ratio
from earshot.core.codec import to_dict
from earshot.core.entry import Entry, SyncState
from earshot.core.journal import Journal
from earshot_sync.client import GZIP_ABOVE, GZIP_LEVEL
from earshot_sync.protocol import ENTRIES_PATH, INFO_PATH, encode_batch
from earshot_sync.sender import pack

DRAIN_TIMEOUT = 900
SIZES = {"full": (100_000, 2_000, 3), "small": (1_000, 50, 1)}  # count, one-per-request, rounds


Request = tuple[bytes, dict[str, str]]  # a body and its headers


def _bodies(entries: Sequence[Entry], info: dict[str, Any]) -> list[Request]:
    """The requests the sender would make of ``entries``: its batches, gzipped as it does."""
    sent_at = datetime.now(UTC)
    batches = pack([to_dict(e) for e in entries], info["max_entries"], info["max_bytes"], sent_at)
    return [_request(encode_batch(batch, sent_at)) for batch in batches]


def _request(body: bytes) -> Request:
    headers = {"Content-Type": "application/json"}
    if len(body) > GZIP_ABOVE:
        body = gzip.compress(body, GZIP_LEVEL, mtime=0)
        headers["Content-Encoding"] = "gzip"
    return body, headers


def _post_all(collector: Collector, requests_to_send: Sequence[Request]) -> float:
    """Seconds a bare ``requests`` loop takes to post them, one after the other."""
    with requests.Session() as session:
        session.headers.update(collector.headers)
        url = collector.url + ENTRIES_PATH
        started = time.perf_counter()
        for body, headers in requests_to_send:
            answer = session.post(url, data=body, headers=headers, timeout=300)
            if answer.status_code != 200:
                raise RuntimeError(f"the collector answered {answer.status_code}")
        return time.perf_counter() - started


def _drain(root: Path, journal_path: Path, collector: Collector) -> float:
    """Seconds ``earshot sync`` takes to drain the journal at ``journal_path``."""
    earshot = str(Path(sys.executable).with_name("earshot"))
    env = {
        "PATH": "/usr/bin:/bin",
        "EARSHOT_HOME": str(journal_path.parent),
        "EARSHOT_SYSTEM_SETTINGS": str(root / "none.json"),
        "EARSHOT_TOKEN": collector.token,
    }
    config = [earshot, "config", "set", "endpoint", collector.url]
    subprocess.run(config, env=env, check=True, capture_output=True)
    started = time.perf_counter()
    try:
        # The sender retries a failing collector forever, as it should; a benchmark should not.
        done = subprocess.run(
            [earshot, "sync"], env=env, capture_output=True, text=True, timeout=DRAIN_TIMEOUT
        )
    except subprocess.TimeoutExpired:
        log = collector.log_path.read_text(errors="replace") if collector.log_path.exists() else ""
        raise RuntimeError(
            f"earshot sync had not drained after {DRAIN_TIMEOUT} s; collector log: {log[-300:]}"
        ) from None
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"earshot sync exited with {done.returncode}: {done.stderr[-500:]}")
    return elapsed


def _round(root: Path, count: int, sample: int, drain_first: bool) -> tuple[float, float, float]:
    """Entries/s of the drain, the bare batched loop and the one-per-request loop."""
    home = root / "home"
    journal = Journal.open(home / "journal.sqlite3")
    try:
        insert(journal, make_entries(journal, count))
    finally:
        journal.close()
    others = make_entries(journal, count + sample)
    with running_collector(root / "collector") as collector:
        info = requests.get(collector.url + INFO_PATH, headers=collector.headers, timeout=30).json()
        batched = _bodies(others[:count], info)
        singles = [_request(encode_batch([to_dict(e)], datetime.now(UTC))) for e in others[count:]]
        if drain_first:
            drained = _drain(root, journal.path, collector)
            bare = _post_all(collector, batched)
        else:
            bare = _post_all(collector, batched)
            drained = _drain(root, journal.path, collector)
        one_by_one = _post_all(collector, singles)
        held = collector.count()
    journal = Journal.open(home / "journal.sqlite3")
    try:
        sent = journal.status()[SyncState.SENT]
    finally:
        journal.close()
    if sent != count or held != 2 * count + sample:
        raise RuntimeError(f"journal sent {sent} of {count}; collector holds {held}")
    return count / drained, count / bare, sample / one_by_one


def run(size: str, workdir: Path) -> list[Figure]:
    count, sample, rounds = SIZES[size]
    rates = []
    for number in range(rounds):
        root = workdir / f"round-{number}"
        rates.append(_round(root, count, sample, drain_first=number % 2 == 0))
    drain = median([r[0] for r in rates])
    bare = median([r[1] for r in rates])
    single = median([r[2] for r in rates])
    detail = json.dumps([[round(x) for x in r] for r in rates])
    notes = f"{count:,} entries, median of {rounds} rounds (drain, bare, one-by-one: {detail})"
    return [
        Figure(
            name=f"earshot sync draining {count:,} entries",
            unit="entries/s",
            value=drain,
            baseline=bare,
            baseline_name="bare requests loop, same batches",
            ratio=ratio(drain, bare),
            aim="≥ 0.5× baseline",
            met=ratio(drain, bare) >= 0.5,
            runs=rounds,
            notes=notes,
        ),
        Figure(
            name="earshot sync against one entry per request",
            unit="entries/s",
            value=drain,
            baseline=single,
            baseline_name=f"one entry per request (rate of a {sample:,}-entry sample)",
            ratio=ratio(drain, single),
            aim="≥ 50× baseline",
            met=ratio(drain, single) >= 50,
            runs=rounds,
            notes="the one-per-request rate is measured on a sample and taken as the rate",
        ),
    ]
