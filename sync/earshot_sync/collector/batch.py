"""From a decoded body to one result per entry: the whole-batch checks, then each entry's own.

Whole-batch problems (not JSON, the wrong shape, too many entries) refuse the request; a bad
entry only gets its own ``rejected`` result and never holds back the others.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from earshot_sync.collector.store import Device, Store
from earshot_sync.protocol import Result, ResultStatus, entry_problems, parse_time

# The store keeps revisions as 64-bit integers (BIGINT on PostgreSQL).
MAX_REVISION = 2**63 - 1


class BatchInvalid(ValueError):
    """The body is not a batch: answered 400 with this message."""


class TooManyEntries(ValueError):
    pass


@dataclass(frozen=True)
class Batch:
    sent_at: datetime
    entries: list[Any]


def parse_batch(body: bytes, max_entries: int) -> Batch:
    try:
        document = json.loads(body)
    except RecursionError as error:
        raise BatchInvalid("the body is nested too deeply to be a batch") from error
    except ValueError as error:  # includes UnicodeDecodeError
        raise BatchInvalid(f"the body is not JSON: {error}") from error
    if not isinstance(document, dict):
        raise BatchInvalid('the body must be a JSON object {"sent_at": ..., "entries": [...]}')
    entries = document.get("entries")
    if not isinstance(entries, list):
        raise BatchInvalid("'entries' must be a list of entries")
    try:
        sent_at = parse_time(document.get("sent_at"))
    except ValueError as error:
        raise BatchInvalid("'sent_at' must be an ISO-8601 time with a UTC offset") from error
    if len(entries) > max_entries:
        raise TooManyEntries(f"{len(entries)} entries in one batch; at most {max_entries}")
    return Batch(sent_at, entries)


def _problems(entry: Any) -> list[str]:
    problems = entry_problems(entry)
    if problems:
        return problems
    # What the protocol module allows but a store cannot hold.
    if entry["revision"] > MAX_REVISION:
        problems.append(f"'revision' must be at most {MAX_REVISION}")
    try:
        json.dumps(entry, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        # JSON's \ud800 escapes decode to lone surrogates, which are not text.
        problems.append("the entry contains characters that are not valid Unicode")
    return problems


def _identity(entry: Any) -> tuple[str, int]:
    """The id and revision to answer with, echoed back as sent, even for a rejected entry."""
    if not isinstance(entry, Mapping):
        return "", 0
    revision = entry.get("revision")
    if not isinstance(revision, int) or isinstance(revision, bool):
        revision = 0
    entry_id = entry.get("id", "")
    # str() of a deeply nested list raises RecursionError; an id that is not text matches nothing.
    return entry_id if isinstance(entry_id, str) else "", revision


def process(
    store: Store, entries: Sequence[Any], device: Device, now: datetime, clock_skew: float
) -> list[Result]:
    results: list[Result | None] = []
    valid: list[Mapping[str, Any]] = []
    for entry in entries:
        problems = _problems(entry)
        if problems:
            entry_id, revision = _identity(entry)
            results.append(Result(entry_id, revision, ResultStatus.REJECTED, "; ".join(problems)))
        else:
            valid.append(entry)
            results.append(None)
    statuses = iter(store.ingest(valid, device, now, clock_skew))
    answered: list[Result] = []
    for entry, result in zip(entries, results, strict=True):
        if result is None:
            result = Result(str(entry["id"]), int(entry["revision"]), next(statuses))
        answered.append(result)
    return answered
